import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HerautError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { createFileAtomic, isCode, readIfExists, removeStrayTemps, syncDir, tempPrefix, writeFileAtomic } from './atomic-file.js';
import { pidIsDead, tryLock, withLock, type FileLock } from './file-lock.js';
import { isJobDone, type Job } from './job.js';

export interface QueueOptions {
  /** The queue folder; live and dry-run state live in its `live/` and `dry-run/` subfolders. */
  dir: string;
  namespace: 'live' | 'dry-run';
  now?: () => Date;
  log?: Logger;
}

export type HistoryOutcome = 'baseline' | 'skipped' | 'filtered' | 'queued';

export interface HistoryEntry {
  feedId: string;
  key: string;
  canonicalLink: string;
  outcome: HistoryOutcome;
}

export interface Claim {
  /** The job as read from disk after the lock was taken. */
  job: Job;
  save(job: Job): Promise<void>;
  release(): Promise<void>;
}

export interface FeedState {
  etag?: string;
  lastModified?: string;
  movedTo?: string;
  lastPollAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  nextPollAt?: string;
}

export interface AccountState {
  attention?: { code: string; message: string; at: string };
  lastPostAt?: string;
  /** Posts per calendar day (YYYY-MM-DD in the configured timezone). */
  postsByDay: Record<string, number>;
  /** USD spent per calendar month (YYYY-MM in the configured timezone). */
  spentByMonth: Record<string, number>;
  holdReason?: string;
  /** No post for this account before this time (the platform's rate limit). */
  holdUntil?: string;
  /** Post keys counted last, so a retry that finds its post already made is not counted twice. */
  recentPostKeys?: string[];
}

export interface Queue {
  /** The namespace folder. */
  readonly dir: string;
  /** Whether the key or the link was already seen for this feed (dedupe 'link': the link in any feed). */
  isKnown(feedId: string, key: string, canonicalLink: string, dedupe: 'feed' | 'link'): boolean;
  hasSeenFeed(feedId: string): boolean;
  /** One append and fsync for the whole batch; also marks each feed as seen. */
  remember(entries: HistoryEntry[]): Promise<void>;
  markFeedSeen(feedId: string): Promise<void>;
  /** Atomic, exclusive create; an existing job with that id is kept as it is. Remembers the article as 'queued'. */
  addJob(job: Job): Promise<void>;
  readJob(id: string): Promise<Job | undefined>;
  /** Jobs still in jobs/ (not compacted), oldest first. */
  listJobs(): Promise<Job[]>;
  /** By job id, article key, link or canonical link. */
  findJob(query: string): Promise<Job | undefined>;
  /** Undefined when another live process holds the job. */
  claim(jobId: string): Promise<Claim | undefined>;
  /**
   * Moves settled jobs older than retention from jobs/ to archive.jsonl; their history lines stay, so nothing is posted
   * again. With `minIntervalMs`, does nothing when any process compacted this queue more recently than that.
   */
  compact(retentionMs: number, options?: { minIntervalMs?: number }): Promise<number>;
  feedState(feedId: string): FeedState;
  saveFeedState(feedId: string, state: FeedState): Promise<void>;
  accountState(account: string): AccountState;
  /** Reads the account's state from disk (another process may have posted). */
  loadAccountState(account: string): Promise<AccountState>;
  saveAccountState(account: string, state: AccountState): Promise<void>;
  /** Serialises posting per account across processes, so pacing and budget hold with two heraut processes. */
  lockAccount(account: string): Promise<FileLock | undefined>;
}

const safeId = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const outcomes = new Set(['baseline', 'skipped', 'filtered', 'queued', 'seen']);
const noLink = '-';

export function shortHash(value: string, length = 16): string {
  return createHash('sha1').update(value).digest('hex').slice(0, length);
}

/** Readable and unique per feed and article. */
export function jobIdFor(feedId: string, key: string): string {
  return `${feedId}-${shortHash(key, 12)}`;
}

function linkHash(canonicalLink: string): string {
  return canonicalLink ? shortHash(canonicalLink) : noLink;
}

interface History {
  /** feedId -> key hashes and link hashes seen in that feed. */
  keys: Map<string, Set<string>>;
  feedLinks: Map<string, Set<string>>;
  links: Set<string>;
  feeds: Set<string>;
}

function setFor(map: Map<string, Set<string>>, feedId: string): Set<string> {
  let set = map.get(feedId);
  if (!set) {
    set = new Set();
    map.set(feedId, set);
  }
  return set;
}

function addToHistory(history: History, feedId: string, keyHash: string, lHash: string): void {
  history.feeds.add(feedId);
  if (keyHash !== noLink) setFor(history.keys, feedId).add(keyHash);
  if (lHash !== noLink) {
    setFor(history.feedLinks, feedId).add(lHash);
    history.links.add(lHash);
  }
}

function isHashField(value: string): boolean {
  return value === noLink || (value.length === 16 && /^[0-9a-f]+$/.test(value));
}

/** Returns how many lines were ignored. The piece after the last newline is a write cut short by a crash, or nothing. */
function parseHistory(text: string, history: History): number {
  let ignored = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    if (end === start) continue;
    const t1 = text.indexOf('\t', start);
    const t2 = t1 < 0 || t1 > end ? -1 : text.indexOf('\t', t1 + 1);
    const t3 = t2 < 0 || t2 > end ? -1 : text.indexOf('\t', t2 + 1);
    if (t3 < 0 || t3 > end || t1 === start) {
      ignored += 1;
      continue;
    }
    const keyHash = text.slice(t1 + 1, t2);
    const lHash = text.slice(t2 + 1, t3);
    if (!outcomes.has(text.slice(t3 + 1, end)) || !isHashField(keyHash) || !isHashField(lHash)) {
      ignored += 1;
      continue;
    }
    addToHistory(history, text.slice(start, t1), keyHash, lHash);
  }
  return ignored;
}

function parseJob(text: string, file: string): Job {
  let job: Job;
  try {
    job = JSON.parse(text) as Job;
  } catch {
    throw new HerautError('queue-corrupt', `${file} is not valid JSON; fix it by hand or delete it (its article will not be posted again)`);
  }
  if (job?.version !== 1 || typeof job.id !== 'string' || typeof job.targets !== 'object') {
    throw new HerautError('queue-corrupt', `${file} is not a heraut job (version 1); fix it by hand or delete it`);
  }
  return job;
}

function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function readJsonMap<T>(file: string): Promise<Record<string, T>> {
  const text = await readIfExists(file);
  if (text === undefined || text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, T>;
  } catch {
    // reported below
  }
  throw new HerautError('queue-corrupt', `${file} is not a JSON object; fix it by hand or delete it (heraut then starts that state afresh)`);
}

async function readJobs(jobsDir: string, log: Logger): Promise<Job[]> {
  let names: string[];
  try {
    names = (await fs.readdir(jobsDir)).filter((name) => name.endsWith('.json') && !name.startsWith(tempPrefix));
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
  const jobs: Job[] = [];
  for (const name of names) {
    const file = path.join(jobsDir, name);
    try {
      const text = await readIfExists(file);
      if (text !== undefined) jobs.push(parseJob(text, file));
    } catch (error) {
      log.warn({ file, err: error }, 'job file skipped');
    }
  }
  return jobs.sort(byAge);
}

/**
 * What the queue holds, read fresh from disk on every call and without the history index: for a process that only
 * watches (the service, whose cycles run in child processes) and must stay small.
 */
export interface QueueView {
  readonly dir: string;
  feedStates(): Promise<Record<string, FeedState>>;
  accountStates(): Promise<Record<string, AccountState>>;
  listJobs(): Promise<Job[]>;
}

export function queueView(options: Pick<QueueOptions, 'dir' | 'namespace' | 'log'>): QueueView {
  const dir = path.resolve(options.dir, options.namespace);
  const log = options.log ?? silentLogger();
  return {
    dir,
    feedStates: () => readJsonMap<FeedState>(path.join(dir, 'feeds.json')),
    accountStates: () => readJsonMap<AccountState>(path.join(dir, 'accounts.json')),
    listJobs: () => readJobs(path.join(dir, 'jobs'), log),
  };
}

function lastActivity(job: Job): number {
  let latest = Date.parse(job.createdAt) || 0;
  for (const target of Object.values(job.targets)) {
    for (const at of [target.publishedAt, target.lastError?.at]) {
      const time = at ? Date.parse(at) : NaN;
      if (Number.isFinite(time) && time > latest) latest = time;
    }
  }
  return latest;
}

function byAge(a: Job, b: Job): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export async function openQueue(options: QueueOptions): Promise<Queue> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? silentLogger();
  const dir = path.resolve(options.dir, options.namespace);
  const jobsDir = path.join(dir, 'jobs');
  const locksDir = path.join(dir, 'locks');
  const accountLocksDir = path.join(locksDir, 'accounts');
  const historyFile = path.join(dir, 'history.log');
  const feedsFile = path.join(dir, 'feeds.json');
  const accountsFile = path.join(dir, 'accounts.json');
  const archiveFile = path.join(dir, 'archive.jsonl');
  const compactedAtFile = path.join(dir, 'compacted-at');
  for (const folder of [jobsDir, accountLocksDir]) await fs.mkdir(folder, { recursive: true });
  for (const folder of [dir, jobsDir, locksDir, accountLocksDir]) await removeStrayTemps(folder, pidIsDead);

  const history: History = { keys: new Map(), feedLinks: new Map(), links: new Set(), feeds: new Set() };
  const ignored = parseHistory((await readIfExists(historyFile)) ?? '', history);
  if (ignored > 0) log.warn({ file: historyFile, ignored }, 'history lines ignored');
  // A crash between writing a job and appending its history line leaves a job the history does not know: the job file itself counts.
  const jobIds = new Set((await fs.readdir(jobsDir)).filter((name) => name.endsWith('.json') && !name.startsWith(tempPrefix)).map((name) => name.slice(0, -5)));
  let feeds = await readJsonMap<FeedState>(feedsFile);
  let accounts = await readJsonMap<AccountState>(accountsFile);

  const jobFile = (id: string) => {
    if (!safeId.test(id)) throw new HerautError('usage', `"${id}" is not a job id; job ids are letters, digits, "-" and "_" (see heraut status)`);
    return path.join(jobsDir, `${id}.json`);
  };

  async function appendHistory(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const handle = await fs.open(historyFile, 'a+');
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        // Close a line left unfinished by a crash so that ours start clean.
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await handle.write(`${prefix}${lines.join('\n')}\n`);
      await handle.sync();
      if (size === 0) await syncDir(dir);
    } finally {
      await handle.close();
    }
  }

  async function remember(entries: HistoryEntry[]): Promise<void> {
    const lines = entries.map((entry) => {
      const keyHash = shortHash(entry.key);
      const lHash = linkHash(entry.canonicalLink);
      return { entry, keyHash, lHash, line: `${entry.feedId}\t${keyHash}\t${lHash}\t${entry.outcome}` };
    });
    await appendHistory(lines.map((l) => l.line));
    for (const { entry, keyHash, lHash } of lines) addToHistory(history, entry.feedId, keyHash, lHash);
  }

  async function readJob(id: string): Promise<Job | undefined> {
    const file = jobFile(id);
    const text = await readIfExists(file);
    return text === undefined ? undefined : parseJob(text, file);
  }

  const listJobs = () => readJobs(jobsDir, log);

  async function claim(jobId: string): Promise<Claim | undefined> {
    const file = jobFile(jobId);
    const lock = await tryLock(path.join(locksDir, `${jobId}.lock`), now());
    if (!lock) return undefined;
    let job: Job | undefined;
    try {
      job = await readJob(jobId);
    } catch (error) {
      await lock.release();
      throw error;
    }
    if (!job) {
      await lock.release();
      throw new HerautError('article-not-found', `no job "${jobId}" in ${jobsDir}; heraut status lists the jobs`);
    }
    const held: Claim = {
      job,
      async save(updated) {
        if (!(await lock.isHeld())) {
          throw new HerautError('queue-busy', `another heraut process took over job "${jobId}" (this one was thought dead); run one heraut per queue folder`);
        }
        await writeFileAtomic(file, serialise(updated));
        held.job = updated;
      },
      release: () => lock.release(),
    };
    return held;
  }

  async function saveState<T>(file: string, key: string, state: T): Promise<Record<string, T>> {
    return withLock(path.join(locksDir, `${path.basename(file)}.lock`), now, async () => {
      const all = await readJsonMap<T>(file);
      all[key] = state;
      await writeFileAtomic(file, serialise(all));
      return all;
    });
  }

  const queue: Queue = {
    dir,
    isKnown(feedId, key, canonicalLink, dedupe) {
      if (history.keys.get(feedId)?.has(shortHash(key)) || jobIds.has(jobIdFor(feedId, key))) return true;
      if (!canonicalLink) return false;
      const lHash = shortHash(canonicalLink);
      return dedupe === 'link' ? history.links.has(lHash) : (history.feedLinks.get(feedId)?.has(lHash) ?? false);
    },
    hasSeenFeed: (feedId) => history.feeds.has(feedId),
    remember,
    async markFeedSeen(feedId) {
      if (history.feeds.has(feedId)) return;
      await appendHistory([`${feedId}\t${noLink}\t${noLink}\tseen`]);
      history.feeds.add(feedId);
    },
    async addJob(job) {
      const created = await createFileAtomic(jobFile(job.id), serialise(job));
      if (!created) log.info({ jobId: job.id }, 'job already queued; kept as it is');
      jobIds.add(job.id);
      await remember([{ feedId: job.feedId, key: job.articleKey, canonicalLink: job.canonicalLink, outcome: 'queued' }]);
    },
    readJob,
    listJobs,
    async findJob(query) {
      if (safeId.test(query)) {
        const byId = await readJob(query);
        if (byId) return byId;
      }
      const jobs = await listJobs();
      return jobs.find((job) => job.articleKey === query || job.article.link === query || job.canonicalLink === query);
    },
    claim,
    async compact(retentionMs, options = {}) {
      if (options.minIntervalMs !== undefined) {
        // Compaction reads every job file; cycles run in short-lived processes, so when it last ran is kept on disk.
        const last = Date.parse((await readIfExists(compactedAtFile))?.trim() ?? '');
        if (now().getTime() - last < options.minIntervalMs) return 0;
        await writeFileAtomic(compactedAtFile, now().toISOString());
      }
      const cutoff = now().getTime() - retentionMs;
      const claims: Claim[] = [];
      try {
        for (const candidate of await listJobs()) {
          if (!isJobDone(candidate) || lastActivity(candidate) >= cutoff) continue;
          const held = await claim(candidate.id).catch(() => undefined);
          if (!held) continue;
          if (isJobDone(held.job) && lastActivity(held.job) < cutoff) claims.push(held);
          else await held.release();
        }
        if (claims.length === 0) return 0;
        const missing = claims.filter(({ job }) => !history.keys.get(job.feedId)?.has(shortHash(job.articleKey)));
        await remember(missing.map(({ job }) => ({ feedId: job.feedId, key: job.articleKey, canonicalLink: job.canonicalLink, outcome: 'queued' as const })));
        const archive = await fs.open(archiveFile, 'a');
        try {
          await archive.write(claims.map(({ job }) => JSON.stringify(job)).join('\n') + '\n');
          await archive.sync();
        } finally {
          await archive.close();
        }
        for (const { job } of claims) {
          await fs.rm(jobFile(job.id), { force: true });
          jobIds.delete(job.id);
        }
        await syncDir(jobsDir);
        log.info({ compacted: claims.length }, 'jobs compacted');
        return claims.length;
      } finally {
        for (const held of claims) await held.release();
      }
    },
    feedState: (feedId) => ({ consecutiveFailures: 0, ...(structuredClone(feeds[feedId]) as Partial<FeedState> | undefined) }),
    async saveFeedState(feedId, state) {
      feeds = await saveState(feedsFile, feedId, state);
    },
    accountState: (account) => ({ postsByDay: {}, spentByMonth: {}, ...(structuredClone(accounts[account]) as Partial<AccountState> | undefined) }),
    async loadAccountState(account) {
      accounts = await readJsonMap<AccountState>(accountsFile);
      return queue.accountState(account);
    },
    async saveAccountState(account, state) {
      accounts = await saveState(accountsFile, account, state);
    },
    async lockAccount(account) {
      if (!safeId.test(account)) throw new HerautError('config-invalid', `account name "${account}" must be letters, digits, "-" or "_"`);
      return tryLock(path.join(accountLocksDir, `${account}.lock`), now());
    },
  };
  return queue;
}

