import type { Logger } from '../log.js';
import type { Job } from './job.js';
import { openStores } from './open-stores.js';
import type { AccountState, FeedState, Holding, Stores } from './stores.js';

/**
 * What the queue holds, read fresh on every call: for a process that only watches (the service, whose cycles run in
 * child processes). The stores are opened once, on the first read, and kept until close(): on PostgreSQL one pool
 * serves every /healthz and /metrics read.
 */
export interface QueueView {
  readonly dir: string;
  feedStates(): Promise<Record<string, FeedState>>;
  accountStates(): Promise<Record<string, AccountState>>;
  listJobs(): Promise<Job[]>;
  holders(): Promise<Holding[]>;
  close(): Promise<void>;
}

export function queueView(options: { dir: string; namespace: 'live' | 'dry-run'; log?: Logger }): QueueView {
  let opening: Promise<Stores> | undefined;
  let closed = false;
  // An open that failed (the database down for a moment) is tried again on the next read, where the caller reports it.
  const stores = () => {
    if (closed) return Promise.reject(new Error('queue view closed'));
    return (opening ??= openStores({ location: options.dir, namespace: options.namespace, log: options.log }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
  };
  return {
    dir: options.dir,
    feedStates: async () => (await stores()).feeds.all(),
    accountStates: async () => (await stores()).accounts.all(),
    listJobs: async () => (await stores()).jobs.list(),
    holders: async () => (await stores()).holders(),
    async close() {
      closed = true;
      const open = opening;
      opening = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}
