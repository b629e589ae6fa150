import { createServer, type RequestListener, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { nextCronTime } from '../config/cron.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../config/parse-duration.js';
import { HerautError } from '../errors.js';
import type { DeliveryOutcome } from '../delivery/deliver-jobs.js';
import { monthKey } from '../delivery/day-key.js';
import type { QueueView } from '../queue/queue-view.js';
import type { PollOutcome } from './poll-feed.js';

/** What the health server looks at: the service's current configuration and the queue as its cycles left it. */
export interface WatchedService {
  config(): Config;
  view(): QueueView;
  now(): Date;
  startedAt: Date;
}

/** Prometheus metrics of one service process. */
export interface ServiceMetrics {
  registry: Registry;
  recordPoll(outcome: PollOutcome): void;
  recordDeliveries(outcomes: DeliveryOutcome[]): void;
}

export function createMetrics(service: WatchedService): ServiceMetrics {
  const registry = new Registry();
  const published = new Counter({ name: 'heraut_posts_published_total', help: 'Posts published', labelNames: ['account'], registers: [registry] });
  const failed = new Counter({ name: 'heraut_posts_failed_total', help: 'Posts that failed for good', labelNames: ['account'], registers: [registry] });
  const waits = new Counter({ name: 'heraut_rate_limit_waits_total', help: 'Posts held back by a rate limit', labelNames: ['account'], registers: [registry] });
  const polls = new Counter({ name: 'heraut_feed_polls_total', help: 'Feed polls by outcome', labelNames: ['feed', 'status'], registers: [registry] });
  const pollSeconds = new Histogram({ name: 'heraut_feed_poll_duration_seconds', help: 'Duration of feed polls', labelNames: ['feed'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  new Gauge({
    name: 'heraut_queue_targets',
    help: 'Post targets in the queue by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const job of await service.view().listJobs()) for (const target of Object.values(job.targets)) counts.set(target.state, (counts.get(target.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'heraut_budget_spent_usd',
    help: 'Money spent on posts this month, per account',
    labelNames: ['account'],
    registers: [registry],
    async collect() {
      this.reset();
      const month = monthKey(service.now(), service.config().timezone);
      const states = await service.view().accountStates();
      for (const name of Object.keys(service.config().accounts)) this.set({ account: name }, states[name]?.spentByMonth?.[month] ?? 0);
    },
  });
  new Gauge({
    name: 'heraut_leases_held',
    help: 'Job claims, feed polls and account posting leases held now, per worker (host:pid)',
    labelNames: ['worker', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const holding of await service.view().holders()) this.inc({ worker: holding.worker, kind: holding.kind });
    },
  });
  return {
    registry,
    recordPoll(outcome) {
      polls.inc({ feed: outcome.feedId, status: outcome.status });
      if (outcome.durationMs !== undefined) pollSeconds.observe({ feed: outcome.feedId }, outcome.durationMs / 1000);
    },
    recordDeliveries(outcomes) {
      for (const outcome of outcomes) {
        if (outcome.state === 'published') published.inc({ account: outcome.account });
        else if (outcome.state === 'failed') failed.inc({ account: outcome.account });
        else if (outcome.waitReason === 'rate-limit') waits.inc({ account: outcome.account });
      }
    },
  };
}

/** Why the service is unhealthy, or [] when every feed polled within its expected interval and no account needs attention. */
export async function healthProblems(service: WatchedService): Promise<string[]> {
  const config = service.config();
  const now = service.now();
  const [feeds, accounts] = await Promise.all([service.view().feedStates(), service.view().accountStates()]);
  const problems: string[] = [];
  for (const feed of config.feeds) {
    const state = feeds[feed.id];
    const interval = expectedInterval(feed.schedule, config.timezone, now) + parseDuration(feed.jitter);
    const last = state?.lastSuccessAt ? Date.parse(state.lastSuccessAt) : service.startedAt.getTime();
    // Two missed polls before a feed counts as stale.
    if (now.getTime() - last > 2 * interval) problems.push(`feed ${feed.id}: no successful poll since ${state?.lastSuccessAt ?? 'start'}${state?.lastError ? ` (last error: ${state.lastError})` : ''}`);
  }
  for (const name of Object.keys(config.accounts)) {
    const attention = accounts[name]?.attention;
    if (attention) problems.push(`account ${name}: ${attention.message}`);
  }
  return problems;
}

function expectedInterval(schedule: string, timezone: string, now: Date): number {
  const first = nextCronTime(schedule, now, timezone);
  return nextCronTime(schedule, first, timezone).getTime() - first.getTime();
}

export async function startHealthServer(options: { host: string; port: number; metrics: ServiceMetrics; service: WatchedService; page?: RequestListener }): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (options.page && url.pathname !== '/healthz' && url.pathname !== '/metrics') return void options.page(request, response);
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const answer = url.pathname === '/healthz'
      ? Promise.all([healthProblems(options.service), options.service.view().holders()]).then(([problems, holders]) => ({ status: problems.length === 0 ? 200 : 503, type: 'application/json', body: JSON.stringify({ ok: problems.length === 0, problems, holders }) }))
      : url.pathname === '/metrics'
        ? options.metrics.registry.metrics().then((body) => ({ status: 200, type: options.metrics.registry.contentType, body }))
        : Promise.resolve({ status: 404, type: 'text/plain', body: 'not found' });
    answer
      .then(({ status, type, body }) => response.writeHead(status, { 'content-type': type }).end(body))
      .catch((error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use (EADDRINUSE); stop the other process or set health.port to a free port' : `cannot be opened (${error.code ?? error.message}); set health.host and health.port to an address of this machine`;
      reject(new HerautError('config-invalid', `health server: ${options.host}:${options.port} ${why}`, { cause: error }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
