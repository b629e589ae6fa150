import { createHash } from 'node:crypto';
import path from 'node:path';
import { HerautError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { appendLines, readIfExists } from '../atomic-file.js';
import type { Job } from '../job.js';
import { openOnce } from '../open-once.js';
import type { ArticleFailure, ArticleHistory, ArticleOutcome, ArticleRecord, ArticleRef } from '../stores.js';

/**
 * history.log: one line per article, `feed<TAB>key hash<TAB>link hash<TAB>outcome`, appended and fsynced. 'seen' marks a
 * feed with no items; 'restored' is an article put back from archive.jsonl or jobs/ when the index was lost, and does
 * not mark its feed as seen, so the feed's first-run rule records its current items again instead of posting them.
 */
const lineOutcomes = new Set<string>(['baseline', 'skipped', 'filtered', 'queued', 'failed', 'seen', 'restored']);
const noLink = '-';
const maxReasonLength = 300;

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

interface Index {
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

function addToIndex(index: Index, feedId: string, keyHash: string, lHash: string, outcome: string): void {
  if (outcome !== 'restored') index.feeds.add(feedId);
  if (keyHash !== noLink) setFor(index.keys, feedId).add(keyHash);
  if (lHash !== noLink) {
    setFor(index.feedLinks, feedId).add(lHash);
    index.links.add(lHash);
  }
}

function isHashField(value: string): boolean {
  return value === noLink || (value.length === 16 && /^[0-9a-f]+$/.test(value));
}

/** Calls `visit` for each whole line; returns how many were damaged. The piece after the last newline is a write cut short by a crash, or nothing. */
function parseLines(text: string, visit: (feedId: string, keyHash: string, lHash: string, outcome: string) => void): number {
  let damaged = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    if (end === start) continue;
    const t1 = text.indexOf('\t', start);
    const t2 = t1 < 0 || t1 > end ? -1 : text.indexOf('\t', t1 + 1);
    const t3 = t2 < 0 || t2 > end ? -1 : text.indexOf('\t', t2 + 1);
    if (t3 < 0 || t3 > end || t1 === start) {
      damaged += 1;
      continue;
    }
    const keyHash = text.slice(t1 + 1, t2);
    const lHash = text.slice(t2 + 1, t3);
    const outcome = text.slice(t3 + 1, end);
    if (!lineOutcomes.has(outcome) || !isHashField(keyHash) || !isHashField(lHash)) {
      damaged += 1;
      continue;
    }
    visit(text.slice(start, t1), keyHash, lHash, outcome);
  }
  return damaged;
}

function lineFor(feedId: string, key: string, canonicalLink: string, outcome: string): string {
  return `${feedId}\t${shortHash(key)}\t${linkHash(canonicalLink)}\t${outcome}`;
}

function matches(index: Pick<Index, 'keys' | 'feedLinks' | 'links'>, article: ArticleRef, dedupe: 'feed' | 'link'): boolean {
  if (index.keys.get(article.feedId)?.has(shortHash(article.key))) return true;
  if (!article.canonicalLink) return false;
  const lHash = shortHash(article.canonicalLink);
  return dedupe === 'link' ? index.links.has(lHash) : (index.feedLinks.get(article.feedId)?.has(lHash) ?? false);
}

/** Each job of archive.jsonl; a damaged line other than one cut short at the end makes the archive untrustworthy. */
export async function parseArchive(text: string, file: string): Promise<Job[]> {
  const { checkJob } = await import('../job-record.js');
  const jobs: Job[] = [];
  // The piece after the last newline is a write cut short by a crash, or nothing.
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, n) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    // Not JSON: a line cut short by a crash and closed by the next append, the only damage heraut itself leaves.
    if (parsed === undefined) return;
    const { job, problem } = checkJob(parsed);
    if (!job) throw new HerautError('queue-corrupt', `${file} line ${n + 1} is not a heraut job (${problem}); restore the file from a backup, or remove that line (its article may then be posted again)`);
    jobs.push(job);
  });
  return jobs;
}

export interface HistoryFileOptions {
  dir: string;
  now: () => Date;
  log: Logger;
  /** The jobs not compacted yet; a job written just before a crash lost its history line still counts. */
  liveJobs(): Promise<Job[]>;
}

export interface HistoryFile extends ArticleHistory {
  readonly archiveFile: string;
  /** Whether history.log itself has a line for this article (a job file alone also makes it known). */
  hasLine(feedId: string, key: string): Promise<boolean>;
}

export function openHistoryFile(options: HistoryFileOptions): HistoryFile {
  const { dir, log } = options;
  const historyFile = path.join(dir, 'history.log');
  const archiveFile = path.join(dir, 'archive.jsonl');
  const failuresFile = path.join(dir, 'failures.jsonl');

  async function load(): Promise<{ index: Index; jobIds: Set<string> }> {
    const index: Index = { keys: new Map(), feedLinks: new Map(), links: new Set(), feeds: new Set() };
    const text = await readIfExists(historyFile);
    const damaged = parseLines(text ?? '', (...line) => addToIndex(index, ...line));
    const live = await options.liveJobs();
    const jobIds = new Set(live.map((job) => job.id));
    const lost = text === undefined || text.trim() === '';
    if (damaged > 0 || lost) {
      if (damaged > 0) log.warn({ file: historyFile, damaged }, 'history lines damaged; checking them against archive.jsonl and jobs/');
      const archive = await readIfExists(archiveFile);
      if (lost && archive === undefined && live.length === 0) return { index, jobIds };
      const all = [...(archive === undefined ? [] : await parseArchive(archive, archiveFile)), ...live];
      const missing = all.filter((job) => !index.keys.get(job.feedId)?.has(shortHash(job.articleKey)));
      const lines = missing.map((job) => lineFor(job.feedId, job.articleKey, job.canonicalLink, 'restored'));
      await appendLines(historyFile, lines);
      parseLines(`${lines.join('\n')}\n`, (...line) => addToIndex(index, ...line));
      log.warn({ file: historyFile, restored: lines.length, from: [archiveFile, path.join(dir, 'jobs')] }, 'history index rebuilt; feeds without a history line are read as new and their current items recorded, not posted');
    }
    return { index, jobIds };
  }

  const loaded = openOnce(load).get;

  async function unknownOf<T extends ArticleRef>(articles: readonly T[], dedupe: 'feed' | 'link'): Promise<T[]> {
    const { index, jobIds } = await loaded();
    return articles.filter((article) => !jobIds.has(jobIdFor(article.feedId, article.key)) && !matches(index, article, dedupe));
  }

  async function isKnown(article: ArticleRef, dedupe: 'feed' | 'link'): Promise<boolean> {
    return (await unknownOf([article], dedupe)).length === 0;
  }

  async function record(entries: ArticleRecord[]): Promise<void> {
    const { index } = await loaded();
    const at = options.now().toISOString();
    const failures = entries.filter((entry) => entry.outcome === 'failed').map((entry) => JSON.stringify({ feedId: entry.feedId, key: entry.key, link: entry.link ?? entry.canonicalLink, reason: (entry.reason ?? 'unknown').slice(0, maxReasonLength), at } satisfies ArticleFailure));
    // The reasons first: a crash between the two leaves a reason without its line, and the article is tried again.
    await appendLines(failuresFile, failures);
    const lines = entries.map((entry) => lineFor(entry.feedId, entry.key, entry.canonicalLink, entry.outcome));
    await appendLines(historyFile, lines);
    parseLines(lines.length > 0 ? `${lines.join('\n')}\n` : '', (...line) => addToIndex(index, ...line));
  }

  return {
    archiveFile,
    async hasLine(feedId, key) {
      return (await loaded()).index.keys.get(feedId)?.has(shortHash(key)) ?? false;
    },
    isKnown,
    unknownOf,
    async hasSeenFeed(feedId) {
      return (await loaded()).index.feeds.has(feedId);
    },
    record,
    async markFeedSeen(feedId) {
      const { index } = await loaded();
      if (index.feeds.has(feedId)) return;
      await appendLines(historyFile, [`${feedId}\t${noLink}\t${noLink}\tseen`]);
      index.feeds.add(feedId);
    },
    async lookup(article, dedupe) {
      if (!(await isKnown(article, dedupe))) return undefined;
      let outcome: ArticleOutcome | undefined;
      const wantedKey = shortHash(article.key);
      const wantedLink = linkHash(article.canonicalLink);
      parseLines((await readIfExists(historyFile)) ?? '', (feedId, keyHash, lHash, lineOutcome) => {
        const sameFeed = feedId === article.feedId;
        const hit = (sameFeed && keyHash === wantedKey) || (wantedLink !== noLink && lHash === wantedLink && (sameFeed || dedupe === 'link'));
        if (!hit || lineOutcome === 'seen' || outcome === 'queued') return;
        outcome = lineOutcome === 'restored' ? 'queued' : (lineOutcome as ArticleOutcome);
      });
      const archive = await readIfExists(archiveFile);
      const candidates = [...(archive === undefined ? [] : await parseArchive(archive, archiveFile)), ...(await options.liveJobs())];
      const jobs = candidates.filter((job) => (job.feedId === article.feedId && job.articleKey === article.key) || (article.canonicalLink !== '' && job.canonicalLink === article.canonicalLink && (dedupe === 'link' || job.feedId === article.feedId)));
      return { outcome: jobs.length > 0 ? 'queued' : (outcome ?? 'queued'), jobs };
    },
    async failures(feedId) {
      const text = (await readIfExists(failuresFile)) ?? '';
      const all: ArticleFailure[] = [];
      for (const line of text.split('\n')) {
        try {
          const failure = JSON.parse(line) as ArticleFailure;
          if (!feedId || failure.feedId === feedId) all.push(failure);
        } catch {
          // an empty line, or one cut short by a crash
        }
      }
      return all;
    },
  };
}
