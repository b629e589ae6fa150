import { promises as fs } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../log.js';
import { dirMode, removeStrayTemps } from './atomic-file.js';
import { pidIsDead } from './file-lock.js';
import { openHistoryFile, type HistoryFile } from './file/history-file.js';
import { openJobFiles, readJobs } from './file/job-files.js';
import { fileHolders } from './file/lock-holders.js';
import { openSessionFiles } from './file/session-files.js';
import { openAccountFile, openFeedFile } from './file/state-files.js';
import type { Stores, StoresOptions } from './stores.js';

/**
 * The stores as files in one folder per namespace (live/, dry-run/). Every file is written whole through a temp file and
 * a rename, or appended and fsynced, so a process killed at any moment leaves the old state or the new, never a mix.
 */
export async function openFileStores(options: StoresOptions): Promise<Stores> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? silentLogger();
  const dir = path.resolve(options.location, options.namespace);
  const jobsDir = path.join(dir, 'jobs');
  const locksDir = path.join(dir, 'locks');
  const accountLocksDir = path.join(locksDir, 'accounts');
  for (const folder of [jobsDir, accountLocksDir]) await fs.mkdir(folder, { recursive: true, mode: dirMode });
  for (const folder of [dir, jobsDir, locksDir, accountLocksDir]) await removeStrayTemps(folder, pidIsDead);
  const history: HistoryFile = openHistoryFile({ dir, now, log, liveJobs: () => readJobs(jobsDir, log) });
  const accounts = openAccountFile(dir, now);
  return {
    location: dir,
    history,
    jobs: openJobFiles({ dir, now, log, history: () => history, countPost: (post) => accounts.countPost(post) }),
    feeds: openFeedFile(dir, now),
    accounts,
    sessions: openSessionFiles(dir),
    holders: () => fileHolders(dir, now()),
    async close() {},
  };
}
