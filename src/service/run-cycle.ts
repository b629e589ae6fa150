import { parseDuration, type FeedConfig } from '../config/schema.js';
import { deliverJobs, type DeliveryOutcome } from '../delivery/deliver-jobs.js';
import { pollFeed, type PollOutcome } from './poll-feed.js';
import type { Runtime } from './runtime.js';

export interface CycleReport {
  polls: PollOutcome[];
  deliveries: DeliveryOutcome[];
}

const pollConcurrency = 4;

/** Polls the given feeds (all by default) a few at a time, then delivers whatever is due. */
export interface CycleOptions {
  feeds?: FeedConfig[];
  signal?: AbortSignal;
  /** Called after each feed's poll, for progress displays. */
  onPoll?: (outcome: PollOutcome, done: number, total: number) => void;
}

export async function runCycle(runtime: Runtime, options: CycleOptions = {}): Promise<CycleReport> {
  const feeds = options.feeds ?? runtime.loaded.config.feeds;
  const polls: PollOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < feeds.length && !options.signal?.aborted) {
      const feed = feeds[next++]!;
      const outcome = await pollFeed(runtime, feed, { signal: options.signal });
      polls.push(outcome);
      options.onPoll?.(outcome, polls.length, feeds.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(pollConcurrency, feeds.length) }, worker));
  const deliveries = await deliverDue(runtime, { signal: options.signal });
  return { polls, deliveries };
}

export async function deliverDue(runtime: Runtime, options: { only?: string[]; ignorePacing?: boolean; ignoreBudget?: boolean; signal?: AbortSignal } = {}): Promise<DeliveryOutcome[]> {
  const { config } = runtime.loaded;
  const outcomes = await deliverJobs({
    stores: runtime.stores,
    publisher: (account) => runtime.publisher(account),
    accounts: config.accounts,
    retry: config.retry,
    timezone: config.timezone,
    now: runtime.now,
    log: runtime.log,
    only: options.only,
    // A dry run sends nothing, so it shows every due post now instead of spacing them out.
    ignorePacing: options.ignorePacing ?? config.dryRun,
    ignoreBudget: options.ignoreBudget,
    signal: options.signal,
  });
  await runtime.stores.jobs.compact(parseDuration(config.retention), { minIntervalMs: 3_600_000 });
  return outcomes;
}
