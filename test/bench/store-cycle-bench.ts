// Benchmark 8: a whole `heraut run --once` (dry run) over a feed of 100 new items with 100,000 articles already in the
// history, on the file store and on PostgreSQL (HERAUT_BENCH_POSTGRES_URL, default the test server, a throwaway schema).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openStores } from '../../src/queue/open-stores.js';
import type { FeedServer } from '../support/feed-server.js';
import { serveFeed } from '../support/feed-server.js';
import { generateFeed } from './generate-feed.js';

interface Measure {
  ms: number;
  maxRssMb: number;
  code: number | null;
  stderr: string;
}

export interface StoreCycleContext {
  server: FeedServer;
  work: string;
  repeats: number;
  databaseUrl: string;
  heraut(args: string[]): Promise<Measure>;
  median(values: number[]): number;
  report(name: string, value: string, target?: string, ok?: boolean): void;
}

const historySize = 100_000;
const fresh = 100;

/** Why no PostgreSQL server answers at the URL, or undefined when one does. */
export async function postgresReachable(databaseUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema of its own on the benchmark database, dropped afterwards. */
export function benchSchema(databaseUrl: string, name: string): { url: string; drop(): Promise<void> } {
  const schema = `heraut_bench_${name}_${process.pid}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    },
  };
}

async function measureStore(context: StoreCycleContext, name: string, location: string): Promise<Measure[]> {
  const dir = path.join(context.work, `cycle-${name}`);
  mkdirSync(dir, { recursive: true });
  const stores = await openStores({ location, namespace: 'dry-run' });
  for (let start = 0; start < historySize; start += 5_000) {
    await stores.history.record(Array.from({ length: 5_000 }, (_, i) => ({ feedId: 'bench', key: `old-${start + i}`, canonicalLink: `https://news.example.org/old/${start + i}`, outcome: 'queued' as const })));
  }
  await stores.close();
  const runs: Measure[] = [];
  for (let round = 0; round < context.repeats; round++) {
    // Each round's feed shows 100 items no earlier round saw.
    const feedPath = `/cycle-${name}-${round}.xml`;
    context.server.route(feedPath, serveFeed({ body: generateFeed(fresh, (round + 1) * fresh) }));
    const file = path.join(dir, 'heraut.yaml');
    writeFileSync(file, `dryRun: true\nqueue: "${location}"\naccounts:\n  x: { platform: x }\n  bluesky: { platform: bluesky }\nfeeds:\n  - id: bench\n    url: ${context.server.url}${feedPath}\n    maxAge: "0"\n    firstRun: all\n`);
    const run = await context.heraut(['--config', file, 'run', '--once']);
    if (run.code !== 0) throw new Error(`${name} cycle failed: ${run.stderr}`);
    runs.push(run);
  }
  const check = await openStores({ location, namespace: 'dry-run' });
  const published = (await check.jobs.list()).filter((job) => Object.values(job.targets).every((target) => target.state === 'published')).length;
  await check.close();
  if (published !== fresh * context.repeats) throw new Error(`${name}: ${published} jobs published, expected ${fresh * context.repeats}`);
  return runs;
}

export async function benchStoreCycle(context: StoreCycleContext): Promise<void> {
  const unreachable = await postgresReachable(context.databaseUrl);
  const file = await measureStore(context, 'file', path.join(context.work, 'cycle-file', 'queue'));
  const summary = (runs: Measure[]) => `${context.median(runs.map((run) => run.ms)).toFixed(0)} ms, ${context.median(runs.map((run) => run.maxRssMb)).toFixed(0)} MB`;
  const name = '8. 100,000-article history: whole run --once, 100 new items (dry run, 2 accounts): file store / PostgreSQL';
  if (unreachable) {
    context.report(name, `${summary(file)} / skipped: no PostgreSQL at ${context.databaseUrl} (${unreachable})`);
    return;
  }
  const schema = benchSchema(context.databaseUrl, 'cycle');
  try {
    const postgres = await measureStore(context, 'postgres', schema.url);
    context.report(name, `${summary(file)} / ${summary(postgres)}`);
  } finally {
    await schema.drop();
  }
}
