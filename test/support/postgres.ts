// PostgreSQL for tests: the server at 127.0.0.1:5432 (HERAUT_TEST_POSTGRES_URL to change it), one throwaway schema per test.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

export const testDatabaseUrl = process.env.HERAUT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function answers(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = await answers();

/** Skips (with a line saying so) when no server answers, except in CI, where that fails the run. */
export function describePostgres(name: string, body: () => void): void {
  if (!unavailable) return describe(name, body);
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`PostgreSQL tests need a server at ${testDatabaseUrl} (${unavailable}); CI must provide one`);
    });
    return;
  }
  process.stderr.write(`PostgreSQL part skipped: no server at ${testDatabaseUrl} (${unavailable}); start one to run "${name}"\n`);
  describe.skip(`${name} (skipped: no PostgreSQL)`, body);
}

export interface TestSchema {
  schema: string;
  /** The test database URL with ?schema= this schema. */
  url: string;
  drop(): Promise<void>;
}

/** A schema name no other test uses; heraut creates it on first open, drop() removes it and everything in it. */
export function testSchema(): TestSchema {
  const schema = `heraut_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('schema', schema);
  return {
    schema,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
