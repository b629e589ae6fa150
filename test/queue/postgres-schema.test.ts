import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load-config.js';
import { HerautError } from '../../src/errors.js';
import { scrubSecrets } from '../../src/log.js';
import { createPool, parsePostgresUrl, postgresError } from '../../src/queue/postgres/connect-postgres.js';
import { migrateSchema, migrations } from '../../src/queue/postgres/migrate-schema.js';
import { openDatabase } from '../../src/queue/postgres/open-database.js';
import { describePostgres, testDatabaseUrl, testSchema, type TestSchema } from '../support/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function schema(): TestSchema {
  const made = testSchema();
  cleanups.push(made.drop);
  return made;
}

function pool(url: string): pg.Pool {
  const made = createPool(parsePostgresUrl(url));
  cleanups.push(() => made.end());
  return made;
}

async function refusal(promise: Promise<unknown>): Promise<HerautError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(HerautError);
  return error as HerautError;
}

describePostgres('PostgreSQL schema and migrations', () => {
  it('creates the schema and its tables once; a second start finds nothing to do', async () => {
    const { url, schema: name } = schema();
    const db = await openDatabase(url);
    cleanups.push(() => db.pool.end());
    const tables = await db.pool.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [name]);
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      'heraut_account_counters', 'heraut_accounts', 'heraut_alert_outbox', 'heraut_counted_posts', 'heraut_feeds', 'heraut_history', 'heraut_job_targets', 'heraut_jobs', 'heraut_meta', 'heraut_migrations', 'heraut_sessions',
    ]);
    expect(await migrateSchema(db.pool, db.target)).toEqual([]);
  });

  it('lets workers that start together migrate once, without errors', async () => {
    const { url } = schema();
    const target = parsePostgresUrl(url);
    const results = await Promise.all(Array.from({ length: 4 }, () => migrateSchema(pool(url), target)));
    expect(results.filter((done) => done.length > 0)).toEqual([migrations.map((m) => m.version)]);
  });

  it('applies a version in one transaction: a failing migration leaves nothing of itself', async () => {
    const { url } = schema();
    const target = parsePostgresUrl(url);
    const db = pool(url);
    const broken = [...migrations, { version: 99, name: 'broken', sql: 'CREATE TABLE heraut_half (id int); SELECT no_such_column FROM heraut_half' }];
    await expect(migrateSchema(db, target, undefined, broken)).rejects.toThrow(/no_such_column/);
    const left = await db.query("SELECT to_regclass('heraut_half') AS half, to_regclass('heraut_migrations') AS migrations");
    expect(left.rows[0]).toEqual({ half: null, migrations: null });
  });

  it('refuses a schema newer than this heraut, saying to upgrade', async () => {
    const { url } = schema();
    const db = await openDatabase(url);
    cleanups.push(() => db.pool.end());
    await db.pool.query("INSERT INTO heraut_migrations (version, name) VALUES (1000, 'future')");
    const error = await refusal(openDatabase(url));
    expect(error.code).toBe('queue-denied');
    expect(error.message).toMatch(/version 1000, newer than this heraut knows .*; upgrade heraut/);
  });

  it('says in one line, without the password, that the server does not answer', async () => {
    const error = await refusal(openDatabase('postgres://heraut:sekret-pass@127.0.0.1:1/heraut'));
    expect(error.code).toBe('queue-unreachable');
    expect(error.message).toBe('PostgreSQL heraut@127.0.0.1:1/heraut does not answer (ECONNREFUSED); start the server or fix the host and port in queue:');
    expect(error.message).not.toContain('sekret');
  });

  it('says which database is missing', async () => {
    const url = new URL(testDatabaseUrl);
    url.pathname = '/heraut_no_such_database';
    const error = await refusal(openDatabase(url.toString()));
    expect(error.code).toBe('queue-denied');
    expect(error.message).toMatch(/heraut_no_such_database: the database does not exist; create it \(createdb\) or fix its name in queue:$/);
  });

  it('names the privilege to grant when the user may not create heraut\'s tables', async () => {
    const role = `heraut_test_role_${process.pid}`;
    const admin = pool(testDatabaseUrl);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    cleanups.push(async () => void (await admin.query(`DROP ROLE IF EXISTS ${role}`)));
    const url = new URL(schema().url);
    url.username = role;
    const error = await refusal(openDatabase(url.toString()));
    expect(error.code).toBe('queue-denied');
    expect(error.message).toMatch(/missing privilege \(permission denied for database test\); .*GRANT CREATE, USAGE ON SCHEMA/);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('rejects a schema name that would need quoting', () => {
    expect(() => parsePostgresUrl('postgres://127.0.0.1/test?schema=Bad-Name')).toThrow(/schema "Bad-Name" must be lower-case letters/);
  });
});

it('takes queue: ${DATABASE_URL} as a database and keeps its password out of logs', () => {
  const text = 'dryRun: true\nqueue: ${DATABASE_URL}\n';
  const config = parseConfigText(text, 'heraut.yaml', { env: { DATABASE_URL: 'postgresql://bot:pa55-word@db.internal:5432/heraut?schema=news' } });
  expect(config.queue).toBe('postgresql://bot:pa55-word@db.internal:5432/heraut?schema=news');
  expect(parsePostgresUrl(config.queue!)).toMatchObject({ schema: 'news', display: 'bot@db.internal:5432/heraut' });
  expect(postgresError(Object.assign(new Error('boom'), { code: 'ECONNREFUSED' }), parsePostgresUrl(config.queue!))).toMatchObject({ code: 'queue-unreachable' });
});
