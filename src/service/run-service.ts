import { alertsFor } from '../alerts/alerts.js';
import type { RequestListener, Server } from 'node:http';
import { scheduleCron } from '../config/cron.js';
import type { LoadedConfig } from '../config/load-config.js';
import { parseDuration } from '../config/parse-duration.js';
import type { FeedConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { queueView } from '../queue/queue-view.js';
import { startCycle, type CycleChild } from './cycle-protocol.js';
import type { ServiceMetrics, WatchedService } from './health-server.js';
import type { CycleReport } from './run-cycle.js';
import { sleep } from './sleep.js';

export interface ServiceOptions {
  loaded: LoadedConfig;
  log: Logger;
  /** Aborting stops the service: no new cycles, running ones are asked to finish, then runService resolves. */
  signal: AbortSignal;
  /** Arguments every cycle gets after `heraut` (global options such as --config and --log-level). */
  globalArgs: string[];
  /** Arguments every cycle gets after `run --once` (such as --dry-run). */
  runArgs: string[];
  /** Reads the configuration again (SIGHUP); throwing keeps the old one. */
  reload?: () => LoadedConfig;
  /** Registers a callback for reload requests (SIGHUP in the CLI). */
  onReloadRequest?: (callback: () => void) => void;
  /** How often due posts are looked for between polls. */
  deliveryIntervalMs?: number;
  /** Serves every path of the health server but /healthz and /metrics (the review page). */
  page?: RequestListener;
}

const shutdownGraceMs = 8_000;

/** A cycle that died is settled by the next one; a person still hears of it, since a crash that repeats is a bug. */
async function reportCrash(loaded: LoadedConfig, log: Logger, pid: number | undefined, how: string): Promise<void> {
  if (loaded.config.dryRun || loaded.config.alerts.length === 0) return;
  const alerts = alertsFor(loaded, log);
  await alerts.raise({ kind: 'worker-crashed', key: `worker-crashed:${pid}:${Date.now()}`, subject: `cycle ${pid ?? '?'}`, message: `a heraut cycle (pid ${pid ?? '?'}) ended abnormally (${how}); the next cycle settles what it left.`, fix: 'If this repeats, look at the service log around that time and report the error.' });
  await alerts.flush();
  await alerts.close();
}

/**
 * The long-running service. It only schedules: each poll and each delivery runs as `heraut run --once` in a child
 * process, so the service itself stays small however large a feed is, memory goes back to the system after every
 * cycle, and a cycle that crashes takes nothing else down. The queue's claims and locks keep concurrent cycles from
 * ever publishing the same post twice.
 */
export async function runService(options: ServiceOptions): Promise<void> {
  const { log, signal } = options;
  let loaded = options.loaded;
  const children = new Set<CycleChild>();
  let tasks: Array<{ stop(): void }> = [];
  // One view per loaded configuration: on PostgreSQL every health read then shares one pool.
  const viewOf = (config: LoadedConfig) => queueView({ dir: config.queueUrl ?? config.queueDir, namespace: config.config.dryRun ? 'dry-run' : 'live', log });
  let view = viewOf(loaded);
  const watched: WatchedService = {
    config: () => loaded.config,
    view: () => view,
    now: () => new Date(),
    startedAt: new Date(),
  };

  let metrics: ServiceMetrics | undefined;
  let health: Server | undefined;
  const healthConfig = loaded.config.health;
  if (healthConfig) {
    // Loaded only when asked for: prom-client is the largest module of the service.
    const { createMetrics, startHealthServer } = await import('./health-server.js');
    metrics = createMetrics(watched);
    health = await startHealthServer({ host: healthConfig.host, port: healthConfig.port, metrics, service: watched, page: options.page });
    const address = health.address();
    log.info({ url: `http://${healthConfig.host}:${typeof address === 'object' && address ? address.port : healthConfig.port}/healthz` }, 'health and metrics server listening');
  }

  const cycle = async (args: string[]): Promise<CycleReport | undefined> => {
    const child = startCycle({
      args: [...options.globalArgs, 'run', '--once', ...options.runArgs, ...args],
      configText: loaded.text,
      onError: (error) => log.error({ err: errorMessage(error) }, 'could not start a cycle'),
    });
    children.add(child);
    const { code, signal: killedBy, report } = await child.done;
    children.delete(child);
    if (code !== 0 && code !== 1 && !signal?.aborted) {
      log.warn({ code, signal: killedBy, args }, 'cycle ended abnormally; the next one settles what it left');
      void reportCrash(loaded, log, child.pid, killedBy ?? `exit code ${code}`);
    }
    if (report) {
      for (const poll of report.polls) metrics?.recordPoll(poll);
      metrics?.recordDeliveries(report.deliveries);
    }
    return report;
  };

  // One cycle at a time: feeds that fall due while a cycle runs are polled together by the next one. Cycles of this
  // service then never share a Bluesky session or an account at the same moment, and a slow feed is never polled twice at once.
  const due = new Set<string>();
  let deliveryWanted = false;
  let retryAttention = true;
  let running: Promise<unknown> | undefined;
  const kick = () => {
    // A reload may have removed a feed that was waiting.
    for (const id of due) if (!loaded.config.feeds.some((feed) => feed.id === id)) due.delete(id);
    if (running || signal.aborted || (due.size === 0 && !deliveryWanted)) return;
    const args = due.size > 0 ? ['--feed', [...due].join(',')] : ['--no-poll'];
    // A start or a reload is when a person may have fixed an account that needed attention: its first cycle retries it.
    if (!retryAttention) args.push('--keep-attention');
    due.clear();
    deliveryWanted = false;
    retryAttention = false;
    running = cycle(args).finally(() => {
      running = undefined;
      kick();
    });
  };
  const deliver = () => {
    deliveryWanted = true;
    kick();
  };
  const poll = (feed: FeedConfig) => {
    void sleep(Math.random() * parseDuration(feed.jitter), signal).then(() => {
      due.add(feed.id);
      kick();
    });
  };

  const schedule = () => {
    for (const task of tasks) task.stop();
    const { config } = loaded;
    tasks = config.feeds.map((feed) => scheduleCron(feed.schedule, config.timezone, () => poll(feed)));
    log.info({ feeds: config.feeds.length, config: loaded.file, dryRun: config.dryRun }, 'heraut is running; Ctrl-C stops it');
    retryAttention = true;
    for (const feed of config.feeds) due.add(feed.id);
    deliver();
  };

  options.onReloadRequest?.(() => {
    if (!options.reload || signal.aborted) return;
    try {
      loaded = options.reload();
      const previous = view;
      view = viewOf(loaded);
      void previous.close().catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'could not close the previous queue view'));
      log.info({ config: loaded.file }, 'configuration reloaded');
      schedule();
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'new configuration is invalid; keeping the old one');
    }
  });

  schedule();
  const timer = setInterval(deliver, options.deliveryIntervalMs ?? 60_000);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(timer);
  for (const task of tasks) task.stop();
  log.info({ running: children.size }, 'stopping: letting running cycles finish');
  await stopChildren(children);
  await new Promise((resolve) => (health ? health.close(resolve) : resolve(undefined)));
  await view.close().catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'could not close the queue view'));
}

/** Asks each cycle to stop (it finishes an in-flight post), and kills what is still running after the grace period. */
async function stopChildren(children: Set<CycleChild>): Promise<void> {
  const exits = [...children].map((child) => child.done);
  for (const child of children) child.kill('SIGTERM');
  const giveUp = new AbortController();
  await Promise.race([Promise.all(exits), sleep(shutdownGraceMs, giveUp.signal)]);
  giveUp.abort();
  for (const child of children) child.kill('SIGKILL');
}
