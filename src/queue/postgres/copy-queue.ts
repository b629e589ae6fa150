import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HerautError } from '../../errors.js';
import { readIfExists, writeFileAtomic } from '../atomic-file.js';
import { parseArchive, shortHash } from '../file/history-file.js';
import type { Job } from '../job.js';
import type { ArticleFailure, Stores } from '../stores.js';
import { readJobs } from './postgres-jobs.js';
import { openScope, storesIn } from './postgres-stores.js';
import type { Scope } from './scope.js';

/** What one namespace's copy moved. */
export interface CopyReport {
  namespace: 'live' | 'dry-run';
  history: number;
  jobs: number;
  archived: number;
  feeds: number;
  accounts: number;
  sessions: number;
}

const namespaces = ['live', 'dry-run'] as const;
const hashField = /^([0-9a-f]{16}|-)$/;
const batchSize = 5_000;

interface HistoryLine {
  feedId: string;
  keyHash: string;
  linkHash: string;
  outcome: string;
}

// The folder layout is the file store's on-disk format: history.log, jobs/<id>.json, archive.jsonl, feeds.json, accounts.json, sessions/<key>.json.
function parseHistoryLog(text: string): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const raw of text.split('\n').slice(0, -1)) {
    const [feedId, keyHash, linkHash, outcome, extra] = raw.split('\t');
    if (feedId && keyHash && linkHash && outcome && extra === undefined && hashField.test(keyHash) && hashField.test(linkHash)) lines.push({ feedId, keyHash, linkHash, outcome });
  }
  return lines;
}

function parseFailures(text: string): ArticleFailure[] {
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as ArticleFailure] : [];
    } catch {
      return [];
    }
  });
}

async function readJsonObject<T>(file: string): Promise<Record<string, T>> {
  const text = await readIfExists(file);
  return text?.trim() ? (JSON.parse(text) as Record<string, T>) : {};
}

async function listFiles(dir: string, extension: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(extension) && !name.startsWith('.')).sort();
}

async function databaseHoldsQueue({ pool, namespace }: Scope): Promise<boolean> {
  const { rows } = await pool.query<{ held: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM heraut_history WHERE namespace = $1) OR EXISTS (SELECT 1 FROM heraut_jobs WHERE namespace = $1) OR EXISTS (SELECT 1 FROM heraut_feeds WHERE namespace = $1) AS held',
    [namespace],
  );
  return rows[0]!.held;
}

async function folderHoldsQueue(dir: string): Promise<boolean> {
  return (await readIfExists(path.join(dir, 'history.log'))) !== undefined || (await listFiles(path.join(dir, 'jobs'), '.json')).length > 0;
}

function emptyReport(namespace: CopyReport['namespace']): CopyReport {
  return { namespace, history: 0, jobs: 0, archived: 0, feeds: 0, accounts: 0, sessions: 0 };
}

/** Copies a queue folder into an empty PostgreSQL database (or schema); the folder is left as it was. */
export async function copyFolderToPostgres(folder: string, url: string): Promise<CopyReport[]> {
  const reports: CopyReport[] = [];
  for (const namespace of namespaces) {
    const dir = path.join(folder, namespace);
    if (!(await fs.stat(dir).catch(() => undefined))?.isDirectory()) continue;
    const scope = await openScope({ location: url, namespace });
    const stores = storesIn(scope);
    try {
      if (await databaseHoldsQueue(scope)) throw new HerautError('usage', `${stores.location} already holds a heraut queue (${namespace}); migrate into an empty database or another ?schema=`);
      reports.push(await copyNamespaceIn(dir, scope, stores));
    } finally {
      await stores.close();
    }
  }
  return reports;
}

async function copyNamespaceIn(dir: string, scope: Scope, stores: Stores): Promise<CopyReport> {
  const { pool, namespace } = scope;
  const report = emptyReport(namespace);
  const history = parseHistoryLog((await readIfExists(path.join(dir, 'history.log'))) ?? '');
  for (let start = 0; start < history.length; start += batchSize) {
    const batch = history.slice(start, start + batchSize);
    await pool.query(
      `WITH lines AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS l(feed_id, key_hash, link_hash, outcome, n)),
       feeds AS (
         INSERT INTO heraut_feeds (namespace, feed_id, seen) SELECT DISTINCT $1, feed_id, true FROM lines WHERE outcome <> 'restored'
         ON CONFLICT (namespace, feed_id) DO UPDATE SET seen = true
       )
       INSERT INTO heraut_history (namespace, feed_id, key_hash, link_hash, outcome)
       SELECT $1, feed_id, key_hash, link_hash, outcome FROM lines WHERE outcome <> 'seen' ORDER BY n
       ON CONFLICT (namespace, feed_id, key_hash, link_hash) DO UPDATE SET outcome = EXCLUDED.outcome`,
      [namespace, batch.map((l) => l.feedId), batch.map((l) => l.keyHash), batch.map((l) => l.linkHash), batch.map((l) => l.outcome)],
    );
  }
  report.history = history.length;
  for (const name of await listFiles(path.join(dir, 'jobs'), '.json')) {
    const text = await readIfExists(path.join(dir, 'jobs', name));
    if (text && (await stores.jobs.add(JSON.parse(text) as Job))) report.jobs += 1;
  }
  const failures = parseFailures((await readIfExists(path.join(dir, 'failures.jsonl'))) ?? '');
  await pool.query(
    `UPDATE heraut_history h SET article_key = f.key, link = f.link, reason = f.reason, recorded_at = f.at::timestamptz
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS f(feed_id, key_hash, key, link, reason, at)
     WHERE h.namespace = $1 AND h.feed_id = f.feed_id AND h.key_hash = f.key_hash AND h.outcome = 'failed'`,
    [namespace, failures.map((f) => f.feedId), failures.map((f) => shortHash(f.key)), failures.map((f) => f.key), failures.map((f) => f.link), failures.map((f) => f.reason), failures.map((f) => f.at)],
  );
  const archiveFile = path.join(dir, 'archive.jsonl');
  const archived = await parseArchive((await readIfExists(archiveFile)) ?? '', archiveFile);
  for (const job of archived) await stores.jobs.add(job);
  await pool.query('UPDATE heraut_jobs SET compacted = true WHERE namespace = $1 AND id = ANY($2::text[])', [namespace, archived.map((job) => job.id)]);
  report.archived = archived.length;
  for (const [feedId, state] of Object.entries(await readJsonObject<Parameters<Stores['feeds']['put']>[1]>(path.join(dir, 'feeds.json')))) {
    await stores.feeds.put(feedId, state);
    report.feeds += 1;
  }
  for (const [account, state] of Object.entries(await readJsonObject<Parameters<Stores['accounts']['put']>[1]>(path.join(dir, 'accounts.json')))) {
    await stores.accounts.put(account, state);
    report.accounts += 1;
  }
  for (const name of await listFiles(path.join(dir, 'sessions'), '.json')) {
    const value = await readIfExists(path.join(dir, 'sessions', name));
    if (value !== undefined) await stores.sessions.write(name.slice(0, -'.json'.length), value);
    report.sessions += 1;
  }
  return report;
}

/** Copies a PostgreSQL queue into a new queue folder in the file store's format; the database is left as it was. */
export async function copyPostgresToFolder(url: string, folder: string): Promise<CopyReport[]> {
  const reports: CopyReport[] = [];
  for (const namespace of namespaces) {
    const dir = path.join(folder, namespace);
    if (await folderHoldsQueue(dir)) throw new HerautError('usage', `${dir} already holds a heraut queue; migrate into an empty folder`);
    const scope = await openScope({ location: url, namespace });
    try {
      if (await databaseHoldsQueue(scope)) reports.push(await copyNamespaceOut(scope, storesIn(scope), dir));
    } finally {
      await scope.pool.end();
    }
  }
  return reports;
}

function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function copyNamespaceOut(scope: Scope, stores: Stores, dir: string): Promise<CopyReport> {
  const { pool, namespace } = scope;
  const report = emptyReport(namespace);
  await fs.mkdir(path.join(dir, 'jobs'), { recursive: true, mode: 0o700 });
  const { rows } = await pool.query<{ line: string }>(
    `SELECT line FROM (
       SELECT concat_ws(E'\t', feed_id, key_hash, link_hash, outcome) AS line, seq FROM heraut_history WHERE namespace = $1
       UNION ALL
       SELECT concat_ws(E'\t', feed_id, '-', '-', 'seen'), 0 FROM heraut_feeds f WHERE namespace = $1 AND seen
         AND NOT EXISTS (SELECT 1 FROM heraut_history h WHERE h.namespace = f.namespace AND h.feed_id = f.feed_id AND h.outcome <> 'restored')
     ) lines ORDER BY seq`,
    [namespace],
  );
  report.history = rows.length;
  await writeFileAtomic(path.join(dir, 'history.log'), rows.map((row) => `${row.line}\n`).join(''));
  const live = await stores.jobs.list();
  for (const job of live) await writeFileAtomic(path.join(dir, 'jobs', `${job.id}.json`), serialise(job));
  report.jobs = live.length;
  const archived = await readJobs(scope, 'j.compacted');
  if (archived.length > 0) await writeFileAtomic(path.join(dir, 'archive.jsonl'), archived.map((job) => `${JSON.stringify(job)}\n`).join(''));
  report.archived = archived.length;
  const failures = await stores.history.failures();
  if (failures.length > 0) await writeFileAtomic(path.join(dir, 'failures.jsonl'), failures.map((failure) => `${JSON.stringify(failure)}\n`).join(''));
  const feeds = await stores.feeds.all();
  const accounts = await stores.accounts.all();
  await writeFileAtomic(path.join(dir, 'feeds.json'), serialise(feeds));
  await writeFileAtomic(path.join(dir, 'accounts.json'), serialise(accounts));
  report.feeds = Object.keys(feeds).length;
  report.accounts = Object.keys(accounts).length;
  const sessions = await pool.query<{ key: string; value: string }>('SELECT key, value FROM heraut_sessions ORDER BY key');
  if (sessions.rows.length > 0) await fs.mkdir(path.join(dir, 'sessions'), { recursive: true, mode: 0o700 });
  for (const { key, value } of sessions.rows) await fs.writeFile(path.join(dir, 'sessions', `${key}.json`), value, { mode: 0o600 });
  report.sessions = sessions.rows.length;
  return report;
}
