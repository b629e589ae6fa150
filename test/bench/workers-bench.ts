// Benchmark 9: BENCH_FEEDS feeds (1,000) and BENCH_ACCOUNTS Mastodon accounts (100) on one PostgreSQL database, served by
// 1, 2 and 3 workers (BENCH_WORKERS="1,2,3"), each a loop of `heraut run --once` as cron would run it, pacing off, posting
// to the Mastodon emulator. Throughput: every feed starts with one article (firstRun: all), timed from the workers' start
// to the last post. Latency: BENCH_LATENCY_SAMPLES articles (20) then appear one a second in random feeds, each timed
// from the feed changing to its post existing on the emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStores } from '../../src/queue/open-stores.js';
import type { FeedServer } from '../support/feed-server.js';
import { serveFeed } from '../support/feed-server.js';
import { startMastodonEmulator, type MastodonEmulator } from '../support/mastodon-emulator.js';
import { benchSchema, postgresReachable } from './store-cycle-bench.js';

export interface WorkersContext {
  server: FeedServer;
  work: string;
  cli: string;
  root: string;
  databaseUrl: string;
  median(values: number[]): number;
  report(name: string, value: string, target?: string, ok?: boolean): void;
}

const feedCount = Number(process.env.BENCH_FEEDS ?? 1000);
const accountCount = Number(process.env.BENCH_ACCOUNTS ?? 100);
const workerCounts = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number);
const latencySamples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 20);
const token = 'bench-mastodon-token-51xQ';
const settleLimitMs = 20 * 60_000;

const link = (round: number, feed: number, n: number) => `https://news.example.org/w${round}/${feed}/${n}`;

function smallFeed(round: number, feed: number, items: number): string {
  const entries = Array.from({ length: items }, (_, i) => {
    const n = items - i;
    return `<item><title>Feed ${feed}, explainer ${n}: what the new rules change</title><link>${link(round, feed, n)}</link><guid isPermaLink="false">w${round}-${feed}-${n}</guid><pubDate>${new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString()}</pubDate><description>Why the council voted, who it affects and what comes next, in five minutes (${feed}/${n}).</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Feed ${feed}</title><link>https://news.example.org/</link><description>bench</description>\n${entries.join('\n')}\n</channel></rss>`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function configYaml(round: number, queue: string, server: FeedServer, mastodon: MastodonEmulator): string {
  const accounts = Array.from({ length: accountCount }, (_, a) => `  a${a}: { platform: mastodon, instance: "${mastodon.url}", accessToken: "\${MASTODON_ACCESS_TOKEN}", pace: { minGap: "0" } }`);
  const feeds = Array.from({ length: feedCount }, (_, f) => `  - { id: f${f}, url: "${server.url}/w${round}/${f}.xml", targets: [a${f % accountCount}], firstRun: all, maxAge: "0" }`);
  return `dryRun: false\nqueue: "${queue}"\naccounts:\n${accounts.join('\n')}\nfeeds:\n${feeds.join('\n')}\n`;
}

/** One worker: `heraut run --once` again and again until stopped (bounded by the settle limit). */
function startWorker(context: WorkersContext, file: string, stopped: () => boolean, failures: string[]): { done: Promise<number>; kill(): void } {
  let child: ChildProcess | undefined;
  const done = (async () => {
    let runs = 0;
    const until = Date.now() + settleLimitMs;
    while (!stopped() && Date.now() < until) {
      runs++;
      const code = await new Promise<number | null>((resolve) => {
        child = spawn(process.execPath, [context.cli, '--config', file, 'run', '--once'], { cwd: context.root, env: { ...process.env, HERAUT_LOG_LEVEL: 'error', MASTODON_ACCESS_TOKEN: token }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
        child.on('exit', (exitCode) => {
          if (exitCode !== 0 && !stopped()) failures.push(stderr);
          resolve(exitCode);
        });
      });
      if (code !== 0 && failures.length > 20) throw new Error(`workers keep failing:\n${failures.at(-1)}`);
    }
    return runs;
  })();
  return { done, kill: () => child?.kill('SIGTERM') };
}

async function waitFor(condition: () => boolean, limitMs: number): Promise<boolean> {
  for (const until = Date.now() + limitMs; Date.now() < until; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

async function measureRound(context: WorkersContext, workers: number): Promise<void> {
  const round = workers;
  const mastodon = await startMastodonEmulator({ accessToken: token, rateLimit: { limit: 10_000_000, windowSeconds: 300 } });
  const schema = benchSchema(context.databaseUrl, `workers${workers}`);
  const counts = Array.from({ length: feedCount }, () => 1);
  for (let f = 0; f < feedCount; f++) {
    context.server.route(`/w${round}/${f}.xml`, (request, response) => serveFeed({ body: smallFeed(round, f, counts[f]!), etag: `"${counts[f]}"` })(request, response));
  }
  const dir = path.join(context.work, `workers-${workers}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(file, configYaml(round, schema.url, context.server, mastodon));
  // The schema is created before the clock starts: a migration is not part of a cycle.
  await (await openStores({ location: schema.url, namespace: 'live' })).close();
  let stop = false;
  const failures: string[] = [];
  const started = Date.now();
  const pool = Array.from({ length: workers }, () => startWorker(context, file, () => stop, failures));
  try {
    const posted = (links: Iterable<string>) => {
      const wanted = new Set(links);
      return mastodon.statuses.filter((status) => [...wanted].some((url) => status.text.includes(url)));
    };
    if (!(await waitFor(() => mastodon.statuses.length >= feedCount, settleLimitMs))) throw new Error(`only ${mastodon.statuses.length} of ${feedCount} first posts within ${settleLimitMs / 60_000} min`);
    const lastFirst = Math.max(...mastodon.statuses.map((status) => status.createdAt));
    const throughput = feedCount / ((lastFirst - started) / 1000);

    let seed = 13 + workers;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const changes: Array<{ url: string; at: number }> = [];
    for (let k = 0; k < latencySamples; k++) {
      const f = Math.floor(random() * feedCount);
      counts[f]! += 1;
      changes.push({ url: link(round, f, counts[f]!), at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const byUrl = () => new Map(changes.map((change) => [change.url, posted([change.url])] as const));
    if (!(await waitFor(() => [...byUrl().values()].every((statuses) => statuses.length > 0), settleLimitMs))) throw new Error('new articles not all posted in time');
    const latencies = [...byUrl()].map(([url, statuses]) => statuses[0]!.createdAt - changes.find((change) => change.url === url)!.at);
    stop = true;
    pool.forEach((worker) => worker.kill());
    const runs = await Promise.all(pool.map((worker) => worker.done));
    const texts = mastodon.statuses.map((status) => /https:\/\/news\.example\.org\/w\d+\/\d+\/\d+/.exec(status.text)?.[0]);
    const duplicates = texts.length - new Set(texts).size;
    // Each run --once polls every feed the others are not polling at that moment, so workers also fetch the same feed in turn.
    const feedRequests = context.server.requests.filter((request) => request.path.startsWith(`/w${round}/`)).length;
    context.report(
      `9. ${feedCount.toLocaleString('en')} feeds, ${accountCount} accounts, ${workers} worker${workers > 1 ? 's' : ''} (run --once loops, PostgreSQL, Mastodon emulator, pacing off)`,
      `${throughput.toFixed(1)} articles ingested and posted per s (${feedCount} in ${((lastFirst - started) / 1000).toFixed(0)} s); a new article posted in ${(context.median(latencies) / 1000).toFixed(1)} s median, ${(percentile(latencies, 95) / 1000).toFixed(1)} s p95 (${latencySamples} articles); ${runs.reduce((a, b) => a + b, 0)} runs, ${(feedRequests / feedCount).toFixed(1)} fetches per feed, ${duplicates} duplicate posts, ${failures.length} failed runs`,
    );
  } finally {
    stop = true;
    pool.forEach((worker) => worker.kill());
    await Promise.allSettled(pool.map((worker) => worker.done));
    await mastodon.close();
    await schema.drop();
  }
}

export async function benchWorkers(context: WorkersContext): Promise<void> {
  const unreachable = await postgresReachable(context.databaseUrl);
  if (unreachable) {
    context.report('9. several workers on one PostgreSQL database', `skipped: no PostgreSQL at ${context.databaseUrl} (${unreachable})`);
    return;
  }
  for (const workers of workerCounts) await measureRound(context, workers);
}
