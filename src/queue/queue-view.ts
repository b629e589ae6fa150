import type { Logger } from '../log.js';
import type { Job } from './job.js';
import { openOnce } from './open-once.js';
import { openStores } from './open-stores.js';
import type { AccountState, FeedState, Holding } from './stores.js';

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
  const opened = openOnce(() => openStores({ location: options.dir, namespace: options.namespace, log: options.log }));
  let closed = false;
  const stores = () => (closed ? Promise.reject(new Error('queue view closed')) : opened.get());
  return {
    dir: options.dir,
    feedStates: async () => (await stores()).feeds.all(),
    accountStates: async () => (await stores()).accounts.all(),
    listJobs: async () => (await stores()).jobs.list(),
    holders: async () => (await stores()).holders(),
    async close() {
      closed = true;
      await (await opened.take())?.close();
    },
  };
}
