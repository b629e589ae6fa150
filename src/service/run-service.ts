import type { Server } from 'node:http';
import cron, { type ScheduledTask } from 'node-cron';
import { parseDuration, type FeedConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { pollFeed } from './poll-feed.js';
import { deliverDue } from './run-cycle.js';
import type { ServiceMetrics } from './health-server.js';
import type { Runtime } from './runtime.js';
import { sleep } from './sleep.js';

export interface ServiceOptions {
  /** Aborting stops the service: no new work, in-flight work finishes, then runService resolves. */
  signal: AbortSignal;
  /** Builds a runtime from a freshly read configuration (SIGHUP); throwing keeps the old one. */
  reload?: () => Promise<Runtime>;
  /** Registers a callback for reload requests (SIGHUP in the CLI). */
  onReloadRequest?: (callback: () => void) => void;
  /** How often due posts are looked for between polls. */
  deliveryIntervalMs?: number;
}

/** The long-running service: one cron task per feed schedule, and a delivery tick for posts that wait on pacing. */
export async function runService(initial: Runtime, options: ServiceOptions): Promise<void> {
  let runtime = initial;
  let tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const polling = new Set<string>();
  let delivering = false;

  const track = <T>(work: Promise<T>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    return work;
  };

  const startedAt = initial.now();
  let metrics: ServiceMetrics | undefined;
  let health: Server | undefined;
  const healthConfig = initial.loaded.config.health;
  if (healthConfig) {
    // Loaded only when asked for: prom-client is the largest module of the service.
    const { createMetrics, startHealthServer } = await import('./health-server.js');
    metrics = createMetrics(() => runtime);
    health = await startHealthServer({ host: healthConfig.host, port: healthConfig.port, metrics, runtime: () => runtime, startedAt });
    const address = health.address();
    initial.log.info({ url: `http://${healthConfig.host}:${typeof address === 'object' && address ? address.port : healthConfig.port}/healthz` }, 'health and metrics server listening');
  }

  const deliver = () => {
    if (delivering || options.signal.aborted) return;
    delivering = true;
    void track(
      deliverDue(runtime, { signal: options.signal })
        .then((outcomes) => metrics?.recordDeliveries(outcomes))
        .catch((error) => runtime.log.error({ err: errorMessage(error) }, 'delivery failed'))
        .finally(() => {
          delivering = false;
        }),
    );
  };

  const poll = (feed: FeedConfig) => {
    // A slow feed must never be polled twice at once.
    if (polling.has(feed.id) || options.signal.aborted) return;
    polling.add(feed.id);
    const jitterMs = Math.random() * parseDuration(feed.jitter);
    const current = runtime;
    void track(
      sleep(jitterMs, options.signal)
        .then(() => (options.signal.aborted ? undefined : timed(() => pollFeed(current, feed, { signal: options.signal }))))
        .then((timedOutcome) => {
          const outcome = timedOutcome?.value;
          if (outcome) metrics?.recordPoll(outcome, timedOutcome.seconds);
          if (outcome && outcome.queued > 0) deliver();
        })
        .catch((error) => current.log.error({ feed: feed.id, err: errorMessage(error) }, 'poll failed'))
        .finally(() => polling.delete(feed.id)),
    );
  };

  const schedule = () => {
    for (const task of tasks) void task.stop();
    tasks = runtime.loaded.config.feeds.map((feed) => cron.schedule(feed.schedule, () => poll(feed), { timezone: runtime.loaded.config.timezone, name: `feed:${feed.id}` }));
    runtime.log.info({ feeds: runtime.loaded.config.feeds.length, config: runtime.loaded.file, dryRun: runtime.loaded.config.dryRun }, 'heraut is running; Ctrl-C stops it');
    for (const feed of runtime.loaded.config.feeds) poll(feed);
  };

  options.onReloadRequest?.(() => {
    if (!options.reload) return;
    options
      .reload()
      .then(async (next) => {
        const previous = runtime;
        runtime = next;
        schedule();
        previous.log.info({ config: next.loaded.file }, 'configuration reloaded');
        await previous.close();
      })
      .catch((error) => runtime.log.error({ err: errorMessage(error) }, 'new configuration is invalid; keeping the old one'));
  });

  schedule();
  const timer = setInterval(deliver, options.deliveryIntervalMs ?? 60_000);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(timer);
  for (const task of tasks) void task.stop();
  runtime.log.info({ inFlight: inFlight.size }, 'stopping: letting in-flight work finish');
  const giveUp = new AbortController();
  await Promise.race([Promise.allSettled([...inFlight]), sleep(8_000, giveUp.signal)]);
  giveUp.abort();
  await new Promise((resolve) => (health ? health.close(resolve) : resolve(undefined)));
  await runtime.close();
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - start) / 1000 };
}
