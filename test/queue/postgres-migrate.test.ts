import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { jobIdFor, shortHash } from '../../src/queue/file/history-file.js';
import { openStores } from '../../src/queue/open-stores.js';
import { openPostgresStores } from '../../src/queue/postgres/postgres-stores.js';
import { runCli } from '../support/run-cli.js';
import { describePostgres, testSchema } from '../support/postgres.js';
import { makeJob } from './fixtures/queue-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-migrate-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const accounts = [{ name: 'xa', platform: 'x' as const }];
const article = (n: number) => ({ feedId: 'blog', key: `https://example.org/blog/${n}`, canonicalLink: `https://example.org/blog/${n}` });

/** A queue folder as the file store leaves it: 1,000 articles in the history, one job published and archived, one posting, one pending. */
const failure = { feedId: 'blog', key: article(3).key, link: `${article(3).key}?utm_source=rss`, reason: 'teaser-invalid: no sentence fits', at: '2026-03-01T08:00:00.000Z' };

async function fileQueue(root: string) {
  const live = path.join(root, 'queue', 'live');
  await fs.mkdir(path.join(live, 'jobs'), { recursive: true });
  await fs.mkdir(path.join(live, 'sessions'), { recursive: true });
  const history = Array.from({ length: 1_000 }, (_, n) => `blog\t${shortHash(article(n).key)}\t${shortHash(article(n).canonicalLink)}\t${n < 3 ? 'queued' : n === 3 ? 'failed' : 'baseline'}\n`);
  await fs.writeFile(path.join(live, 'history.log'), `quiet\t-\t-\tseen\n${history.join('')}blog\tcut-short-by-a-crash`);
  const archived = makeJob('blog', 0, accounts, '2026-01-01T00:00:00.000Z', 'published');
  const publishing = makeJob('blog', 1, accounts, '2026-03-01T00:00:00.000Z', 'publishing');
  const pending = makeJob('blog', 2, accounts, '2026-03-01T00:01:00.000Z', 'pending');
  await fs.writeFile(path.join(live, 'archive.jsonl'), `${JSON.stringify(archived)}\n`);
  for (const job of [publishing, pending]) await fs.writeFile(path.join(live, 'jobs', `${job.id}.json`), JSON.stringify(job, null, 2));
  await fs.writeFile(path.join(live, 'feeds.json'), JSON.stringify({ blog: { etag: '"v7"', consecutiveFailures: 0 } }));
  await fs.writeFile(path.join(live, 'accounts.json'), JSON.stringify({ xa: { postsByDay: { '2026-03-01': 4 }, spentByMonth: { '2026-03': 0.8 }, lastPostAt: '2026-03-01T09:00:00.000Z', recentPostKeys: ['k1'] } }));
  await fs.writeFile(path.join(live, 'sessions', 'bluesky-bsky.json'), '{"accessJwt":"token"}');
  await fs.writeFile(path.join(live, 'failures.jsonl'), `${JSON.stringify(failure)}\n`);
  return { archived, publishing, pending };
}

async function config(root: string, name: string, queue: string): Promise<string> {
  const file = path.join(root, name);
  await fs.writeFile(file, `dryRun: false\nqueue: ${queue}\naccounts: {}\nfeeds: []\n`);
  return file;
}

describePostgres('heraut migrate', () => {
  it('copies a queue folder into PostgreSQL and back; nothing already seen or posted is new after the switch', async () => {
    const root = await tempDir();
    const { archived, publishing, pending } = await fileQueue(root);
    const { url, drop } = testSchema();
    cleanups.push(drop);

    const into = await runCli(['--config', await config(root, 'files.yaml', 'queue'), 'migrate', '--to', url]);
    expect(into.stderr).toBe('');
    expect(into.stdout).toContain('live: 1001 history lines, 2 jobs (1 archived), 1 feeds, 1 accounts, 1 session');
    expect(into.code).toBe(0);

    const stores = await openPostgresStores({ location: url, namespace: 'live' });
    cleanups.push(() => stores.close());
    for (const n of [0, 1, 2, 500, 999]) expect(await stores.history.isKnown(article(n), 'feed')).toBe(true);
    expect(await stores.history.isKnown(article(1_000), 'feed')).toBe(false);
    expect(await stores.history.hasSeenFeed('quiet')).toBe(true);
    expect((await stores.jobs.list()).map((job) => job.id)).toEqual([publishing.id, pending.id]);
    expect((await stores.jobs.get(publishing.id))?.targets.xa).toMatchObject({ state: 'publishing', postKey: publishing.targets.xa!.postKey });
    expect((await stores.history.lookup(article(0), 'feed'))?.jobs).toEqual([archived]);
    expect(await stores.accounts.get('xa')).toEqual({ postsByDay: { '2026-03-01': 4 }, spentByMonth: { '2026-03': 0.8 }, lastPostAt: '2026-03-01T09:00:00.000Z', recentPostKeys: ['k1'] });
    expect(await stores.sessions.read('bluesky-bsky')).toBe('{"accessJwt":"token"}');
    expect(await stores.history.failures()).toEqual([failure]);

    const again = await runCli(['--config', await config(root, 'files.yaml', 'queue'), 'migrate', '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a heraut queue \(live\); migrate into an empty database or another \?schema=/);

    const back = await runCli(['--config', await config(root, 'db.yaml', url), 'migrate', '--to', path.join(root, 'back')]);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    const original = path.join(root, 'queue', 'live');
    const copy = path.join(root, 'back', 'live');
    const lines = async (dir: string) => new Set((await fs.readFile(path.join(dir, 'history.log'), 'utf8')).split('\n').filter((line) => line.split('\t').length === 4));
    const wanted = await lines(original);
    wanted.add(`blog\t${shortHash(article(1).key)}\t${shortHash(article(1).canonicalLink)}\tqueued`);
    expect(await lines(copy)).toEqual(wanted);
    for (const job of [publishing, pending]) expect(JSON.parse(await fs.readFile(path.join(copy, 'jobs', `${job.id}.json`), 'utf8'))).toEqual(job);
    expect(JSON.parse(await fs.readFile(path.join(copy, 'archive.jsonl'), 'utf8'))).toEqual(archived);
    expect(JSON.parse(await fs.readFile(path.join(copy, 'accounts.json'), 'utf8'))).toEqual(JSON.parse(await fs.readFile(path.join(original, 'accounts.json'), 'utf8')));
    expect(await fs.readFile(path.join(copy, 'sessions', 'bluesky-bsky.json'), 'utf8')).toBe('{"accessJwt":"token"}');
    expect(JSON.parse(await fs.readFile(path.join(copy, 'failures.jsonl'), 'utf8'))).toEqual(failure);
    expect(jobIdFor('blog', article(1).key)).toBe(publishing.id);

    const files = await openStores({ location: path.join(root, 'back'), namespace: 'live' });
    for (const n of [0, 1, 2, 3, 999]) expect(await files.history.isKnown(article(n), 'feed')).toBe(true);
    expect(await files.history.isKnown(article(1_000), 'feed')).toBe(false);
    expect(await files.history.hasSeenFeed('quiet')).toBe(true);
    expect((await files.jobs.list()).map((job) => job.id)).toEqual([publishing.id, pending.id]);
    expect((await files.history.lookup(article(0), 'feed'))?.jobs).toEqual([archived]);
    expect(await files.history.failures()).toEqual([failure]);
    expect(await files.accounts.get('xa')).toEqual(await stores.accounts.get('xa'));
  });

  it('refuses to copy a folder into a folder, saying what --to must be', async () => {
    const root = await tempDir();
    const result = await runCli(['--config', await config(root, 'files.yaml', 'queue'), 'migrate', '--to', path.join(root, 'elsewhere')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^heraut: --to must be a postgres:\/\/ URL: the queue is a folder \(/);
  });
});
