import { parseDuration } from '../config/parse-duration.js';
import type { FeedConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
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
      // A poll that throws after all (its state could not be saved) fails alone; the other feeds go on.
      const outcome = await pollFeed(runtime, feed, { signal: options.signal }).catch((error: unknown): PollOutcome => {
        runtime.log.error({ feed: feed.id, err: error }, 'feed poll failed');
        return { feedId: feed.id, status: 'failed', items: 0, queued: 0, baseline: 0, skipped: 0, failed: 0, error: errorMessage(error) };
      });
      polls.push(outcome);
      options.onPoll?.(outcome, polls.length, feeds.length);
    }
  };
  await Promise.allSettled(Array.from({ length: Math.min(pollConcurrency, feeds.length) }, worker));
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
    alerts: runtime.alerts,
  });
  await runtime.stores.jobs.compact(parseDuration(config.retention), { minIntervalMs: 3_600_000 });
  // Alerts go out after the posts, so a slow alert destination never delays one.
  await runtime.alerts.flush();
  return outcomes;
}
