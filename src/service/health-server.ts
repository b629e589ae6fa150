import { CronExpressionParser } from 'cron-parser';
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parseDuration } from '../config/schema.js';
import type { DeliveryOutcome } from '../queue/deliver-jobs.js';
import { monthKey } from '../queue/pace.js';
import type { PollOutcome } from './poll-feed.js';
import type { Runtime } from './runtime.js';

/** Prometheus metrics of one service process. */
export interface ServiceMetrics {
  registry: Registry;
  recordPoll(outcome: PollOutcome, seconds: number): void;
  recordDeliveries(outcomes: DeliveryOutcome[]): void;
}

export function createMetrics(getRuntime: () => Runtime): ServiceMetrics {
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
      for (const job of await getRuntime().queue.listJobs()) for (const target of Object.values(job.targets)) counts.set(target.state, (counts.get(target.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'heraut_budget_spent_usd',
    help: 'Money spent on posts this month, per account',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      const runtime = getRuntime();
      const month = monthKey(runtime.now(), runtime.loaded.config.timezone);
      for (const name of Object.keys(runtime.loaded.config.accounts)) this.set({ account: name }, runtime.queue.accountState(name).spentByMonth?.[month] ?? 0);
    },
  });
  return {
    registry,
    recordPoll(outcome, seconds) {
      polls.inc({ feed: outcome.feedId, status: outcome.status });
      pollSeconds.observe({ feed: outcome.feedId }, seconds);
    },
    recordDeliveries(outcomes) {
      for (const outcome of outcomes) {
        if (outcome.state === 'published') published.inc({ account: outcome.account });
        else if (outcome.state === 'failed') failed.inc({ account: outcome.account });
        else if (outcome.waitReason?.includes('rate')) waits.inc({ account: outcome.account });
      }
    },
  };
}

/** Why the service is unhealthy, or [] when every feed polled within its expected interval and no account needs attention. */
export function healthProblems(runtime: Runtime, startedAt: Date): string[] {
  const now = runtime.now().getTime();
  const problems: string[] = [];
  for (const feed of runtime.loaded.config.feeds) {
    const state = runtime.queue.feedState(feed.id);
    const interval = expectedInterval(feed.schedule, runtime.loaded.config.timezone, runtime.now()) + parseDuration(feed.jitter);
    const last = state.lastSuccessAt ? Date.parse(state.lastSuccessAt) : startedAt.getTime();
    // Two missed polls before a feed counts as stale.
    if (now - last > 2 * interval) problems.push(`feed ${feed.id}: no successful poll since ${state.lastSuccessAt ?? 'start'}${state.lastError ? ` (last error: ${state.lastError})` : ''}`);
  }
  for (const name of Object.keys(runtime.loaded.config.accounts)) {
    const attention = runtime.queue.accountState(name).attention;
    if (attention) problems.push(`account ${name}: ${attention.message}`);
  }
  return problems;
}

function expectedInterval(schedule: string, timezone: string, now: Date): number {
  const expression = CronExpressionParser.parse(schedule, { tz: timezone, currentDate: now });
  const first = expression.next().getTime();
  return expression.next().getTime() - first;
}

export async function startHealthServer(options: { host: string; port: number; metrics: ServiceMetrics; runtime: () => Runtime; startedAt: Date }): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (url.pathname === '/healthz') {
      const problems = healthProblems(options.runtime(), options.startedAt);
      response.writeHead(problems.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: problems.length === 0, problems }));
      return;
    }
    if (url.pathname === '/metrics') {
      options.metrics.registry
        .metrics()
        .then((body) => response.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(body))
        .catch((error: Error) => response.writeHead(500).end(error.message));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
