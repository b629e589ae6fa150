import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HerautError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { appendLines, createFileAtomic, isCode, readIfExists, syncDir, tempPrefix, writeFileAtomic } from '../atomic-file.js';
import { tryLock } from '../file-lock.js';
import { isJobDone, type Job } from '../job.js';
import type { JobClaim, JobStore } from '../stores.js';
import type { HistoryFile } from './history-file.js';
import { claimedJob } from '../transitions.js';
import type { CountedPost } from '../count-post.js';

export const safeId = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export async function parseJob(text: string, file: string): Promise<Job> {
  const { checkJob } = await import('../job-record.js');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HerautError('queue-corrupt', `${file} is not valid JSON; fix it by hand or delete it (its article will not be posted again)`);
  }
  const { job, problem } = checkJob(value);
  if (!job) throw new HerautError('queue-corrupt', `${file} is not a heraut job (version 1): ${problem}; fix it by hand or delete it`);
  return job;
}

export function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function byAge(a: Job, b: Job): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
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

/** Every readable job of jobs/, oldest first; a damaged file is reported and left out. */
export async function readJobs(jobsDir: string, log: Logger): Promise<Job[]> {
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
      if (text !== undefined) jobs.push(await parseJob(text, file));
    } catch (error) {
      log.warn({ file, err: error }, 'job file skipped');
    }
  }
  return jobs.sort(byAge);
}

export interface JobFilesOptions {
  dir: string;
  now: () => Date;
  log: Logger;
  history: () => HistoryFile;
  /** Adds a published post to its account (accounts.json), once per post key. */
  countPost(post: CountedPost): Promise<void>;
}

/** One JSON file per job in jobs/, a lock file per claim in locks/, settled jobs moved to archive.jsonl. */
export function openJobFiles(options: JobFilesOptions): JobStore {
  const { dir, now, log } = options;
  const jobsDir = path.join(dir, 'jobs');
  const locksDir = path.join(dir, 'locks');
  const compactedAtFile = path.join(dir, 'compacted-at');

  const jobFile = (id: string) => {
    if (!safeId.test(id)) throw new HerautError('usage', `"${id}" is not a job id; job ids are letters, digits, "-" and "_" (see heraut status)`);
    return path.join(jobsDir, `${id}.json`);
  };

  async function get(id: string): Promise<Job | undefined> {
    const file = jobFile(id);
    const text = await readIfExists(file);
    return text === undefined ? undefined : parseJob(text, file);
  }

  const list = () => readJobs(jobsDir, log);

  async function claim(id: string, claimOptions: { leaseMs?: number } = {}): Promise<JobClaim | undefined> {
    const file = jobFile(id);
    const lock = await tryLock(path.join(locksDir, `${id}.lock`), now, claimOptions.leaseMs);
    if (!lock) return undefined;
    let job: Job | undefined;
    try {
      job = await get(id);
    } catch (error) {
      await lock.release();
      throw error;
    }
    if (!job) {
      await lock.release();
      throw new HerautError('article-not-found', `no job "${id}" in ${jobsDir}; heraut status lists the jobs`);
    }
    return claimedJob(job, lock, async (updated, counted) => {
      // The account first, guarded by its recent post keys: a crash between the two writes leaves the target publishing,
      // and settling it again finds the key already counted. The reverse order could lose the count.
      if (counted) await options.countPost(counted);
      await writeFileAtomic(file, serialise(updated));
    });
  }

  return {
    async add(job) {
      const created = await createFileAtomic(jobFile(job.id), serialise(job));
      if (!created) log.info({ jobId: job.id }, 'job already queued; kept as it is');
      await options.history().record([{ feedId: job.feedId, key: job.articleKey, canonicalLink: job.canonicalLink, outcome: 'queued' }]);
      return created;
    },
    get,
    list,
    async find(query) {
      if (safeId.test(query)) {
        const byId = await get(query);
        if (byId) return byId;
      }
      const jobs = await list();
      return jobs.find((job) => job.articleKey === query || job.article.link === query || job.canonicalLink === query);
    },
    claim,
    async compact(retentionMs, compactOptions = {}) {
      if (compactOptions.minIntervalMs !== undefined) {
        // Compaction reads every job file; cycles run in short-lived processes, so when it last ran is kept on disk.
        const last = Date.parse((await readIfExists(compactedAtFile))?.trim() ?? '');
        if (now().getTime() - last < compactOptions.minIntervalMs) return 0;
        await writeFileAtomic(compactedAtFile, now().toISOString());
      }
      const cutoff = now().getTime() - retentionMs;
      const claims: JobClaim[] = [];
      try {
        for (const candidate of await list()) {
          if (!isJobDone(candidate) || lastActivity(candidate) >= cutoff) continue;
          const held = await claim(candidate.id).catch(() => undefined);
          if (!held) continue;
          if (isJobDone(held.job) && lastActivity(held.job) < cutoff) claims.push(held);
          else await held.release();
        }
        if (claims.length === 0) return 0;
        const history = options.history();
        // The history line may have been lost in a crash after the job was written: write it before the job leaves jobs/.
        const missing: Job[] = [];
        for (const { job } of claims) if (!(await history.hasLine(job.feedId, job.articleKey))) missing.push(job);
        await history.record(missing.map((job) => ({ feedId: job.feedId, key: job.articleKey, canonicalLink: job.canonicalLink, outcome: 'queued' as const })));
        await appendLines(history.archiveFile, claims.map(({ job }) => JSON.stringify(job)));
        for (const { job } of claims) await fs.rm(jobFile(job.id), { force: true });
        await syncDir(jobsDir);
        log.info({ compacted: claims.length }, 'jobs compacted');
        return claims.length;
      } finally {
        for (const held of claims) await held.release();
      }
    },
  };
}
