// npx tsx test/bench/stores.bench.ts: one poll cycle's store work with 100,000 articles in the history and 100 new ones,
// file store vs PostgreSQL (HERAUT_BENCH_POSTGRES_URL, default the test server). Medians of BENCH_REPEATS cycles.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { jobIdFor } from '../../src/queue/file/history-file.js';
import { openStores } from '../../src/queue/open-stores.js';
import type { ArticleRecord } from '../../src/queue/stores.js';
import { makeJob } from '../queue/fixtures/queue-fixtures.js';

const historySize = 100_000;
const fresh = 100;
const alreadyKnown = 100;
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const databaseUrl = process.env.HERAUT_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `heraut_bench_${process.pid}`;

const link = (n: number) => `https://example.org/bench/${n}`;

async function fill(location: string): Promise<void> {
  const stores = await openStores({ location, namespace: 'live' });
  for (let start = 0; start < historySize; start += 5_000) {
    const batch: ArticleRecord[] = Array.from({ length: 5_000 }, (_, i) => ({ feedId: 'bench', key: link(start + i), canonicalLink: link(start + i), outcome: 'baseline' }));
    await stores.history.record(batch);
  }
  await stores.close();
}

/** What a poll of a feed showing `alreadyKnown` old items and `fresh` new ones asks of the store, from opening it to closing it. */
async function cycle(location: string, round: number): Promise<number> {
  const started = performance.now();
  const stores = await openStores({ location, namespace: 'live' });
  await stores.history.hasSeenFeed('bench');
  const first = historySize + round * fresh;
  const items = [...Array.from({ length: alreadyKnown }, (_, i) => first - 1 - i), ...Array.from({ length: fresh }, (_, i) => first + i)];
  let added = 0;
  const unknown = await stores.history.unknownOf(items.map((n) => ({ feedId: 'bench', key: link(n), canonicalLink: link(n), n })), 'feed');
  for (const { n } of unknown) {
    const job = makeJob('bench', n, [{ name: 'bsky', platform: 'bluesky' }], new Date().toISOString());
    if (job.id !== jobIdFor('bench', link(n))) throw new Error('job id differs from the store\'s');
    if (await stores.jobs.add(job)) added += 1;
  }
  await stores.jobs.list();
  await stores.close();
  if (added !== fresh) throw new Error(`added ${added} jobs, expected ${fresh}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(name: string, location: string): Promise<void> {
  const started = performance.now();
  await fill(location);
  const fillMs = performance.now() - started;
  const times: number[] = [];
  for (let round = 0; round < repeats; round += 1) times.push(await cycle(location, round));
  console.log(`${name}: cycle ${median(times).toFixed(0)} ms median of ${repeats} (history of ${historySize} filled in ${(fillMs / 1000).toFixed(1)} s)`);
}

const folder = mkdtempSync(path.join(tmpdir(), 'heraut-bench-stores-'));
const admin = new pg.Client({ connectionString: databaseUrl });
try {
  await measure('file store', folder);
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  await measure('PostgreSQL', url.toString());
} finally {
  rmSync(folder, { recursive: true, force: true });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
