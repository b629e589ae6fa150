import type { Logger } from '../log.js';
import type { Job } from './job.js';
import { openStores } from './open-stores.js';
import type { AccountState, FeedState } from './stores.js';

/** What the queue holds, read fresh on every call: for a process that only watches (the service, whose cycles run in child processes). */
export interface QueueView {
  readonly dir: string;
  feedStates(): Promise<Record<string, FeedState>>;
  accountStates(): Promise<Record<string, AccountState>>;
  listJobs(): Promise<Job[]>;
}

export function queueView(options: { dir: string; namespace: 'live' | 'dry-run'; log?: Logger }): QueueView {
  const opened = openStores({ location: options.dir, namespace: options.namespace, log: options.log });
  // Opened on the first read; an error surfaces there, where the caller reports it.
  opened.catch(() => undefined);
  return {
    dir: options.dir,
    feedStates: async () => (await opened).feeds.all(),
    accountStates: async () => (await opened).accounts.all(),
    listJobs: async () => (await opened).jobs.list(),
  };
}
