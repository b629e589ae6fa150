import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openPostgresStores } from '../../src/queue/postgres/postgres-stores.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { describePostgres, testSchema } from '../support/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function cycleDone(stderr: string): { queued: number; published: number } {
  const line = stderr.split('\n').find((entry) => entry.includes('"cycle done"'));
  if (!line) throw new Error(`no "cycle done" line in:\n${stderr}`);
  return JSON.parse(line) as { queued: number; published: number };
}

/** A folder with the sample feed and a config writer, and a throwaway schema. */
async function setUp() {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-pg-cli-'));
  cleanups.push(() => fs.rm(root, { recursive: true, force: true }));
  const { url, drop } = testSchema();
  cleanups.push(drop);
  await fs.copyFile(path.join(repoRoot, 'config', 'sample-feed.xml'), path.join(root, 'sample-feed.xml'));
  const example = await fs.readFile(path.join(repoRoot, 'config', 'heraut.example.yaml'), 'utf8');
  const write = async (name: string, queue: string) => {
    const file = path.join(root, name);
    await fs.writeFile(file, example.replace(/^queue: .*$/m, `queue: ${queue}`));
    return file;
  };
  return { url, write };
}

describePostgres('heraut on a PostgreSQL queue', () => {
  it('posts a feed once from a folder, and nothing again after migrating to the database and switching queue:', async () => {
    const { url, write } = await setUp();
    const files = await write('files.yaml', 'queue');
    const database = await write('database.yaml', '${DATABASE_URL}');
    const env = { DATABASE_URL: url.replace('postgres://postgres@', 'postgres://postgres:not-needed-here@') };

    const first = await runCli(['--config', files, 'run', '--once'], { timeoutMs: 60_000 });
    expect(first.code).toBe(0);
    expect(cycleDone(first.stderr)).toMatchObject({ queued: 5, published: 10 });

    const migrated = await runCli(['--config', files, 'migrate', '--to', env.DATABASE_URL]);
    expect(migrated.stdout).toMatch(/^dry-run: \d+ history lines, 5 jobs/m);
    expect(migrated.code).toBe(0);

    const after = await runCli(['--config', database, '--log-level', 'debug', 'run', '--once'], { env, timeoutMs: 60_000 });
    expect(after.code).toBe(0);
    expect(cycleDone(after.stderr)).toMatchObject({ queued: 0, published: 0 });
    expect(after.stdout).toBe('');
    expect(after.stderr).not.toContain('not-needed-here');

    const status = await runCli(['--config', database, 'status'], { env });
    expect(status.stdout).toContain(`queue: postgres://postgres@127.0.0.1:5432/test?schema=${new URL(url).searchParams.get('schema')}`);
    expect(status.stdout).toMatch(/x \(x\): 5 published/);
  });

  it('leaves a feed alone while another worker polls it', async () => {
    const { url, write } = await setUp();
    const config = await write('heraut.yaml', url);
    const other = await openPostgresStores({ location: url, namespace: 'dry-run' });
    cleanups.push(() => other.close());
    const polling = (await other.feeds.lease!('explainers'))!;

    const held = await runCli(['--config', config, '--log-level', 'debug', 'run', '--once'], { timeoutMs: 60_000 });
    expect(held.code).toBe(0);
    expect(cycleDone(held.stderr)).toMatchObject({ queued: 0, published: 0 });

    await polling.release();
    const free = await runCli(['--config', config, 'run', '--once'], { timeoutMs: 60_000 });
    expect(cycleDone(free.stderr)).toMatchObject({ queued: 5, published: 10 });
  });
});
