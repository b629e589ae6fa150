import type pg from 'pg';
import { HerautError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { inTransaction, quoteIdent, type PostgresTarget } from './connect-postgres.js';
import { sql as initial } from './migrations/0001-initial.js';
import { sql as claimedJobs } from './migrations/0002-claimed-jobs.js';
import { sql as alertOutbox } from './migrations/0003-alert-outbox.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** In order; a new version is appended, never inserted. */
export const migrations: Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'claimed-jobs', sql: claimedJobs },
  { version: 3, name: 'alert-outbox', sql: alertOutbox },
];

/**
 * Brings the schema to the latest version in one transaction. Workers that start together queue on an advisory lock
 * held until that transaction ends: one migrates, the others find the work done.
 */
export async function migrateSchema(pool: pg.Pool, target: PostgresTarget, log?: Logger, all: Migration[] = migrations): Promise<number[]> {
  const done = await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('heraut-migrate:' || $1))", [target.schema]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [target.schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(target.schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS heraut_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM heraut_migrations')).rows.map((row) => row.version));
    const latest = all.at(-1)?.version ?? 0;
    const newer = [...applied].filter((version) => version > latest);
    if (newer.length > 0) {
      throw new HerautError('queue-denied', `PostgreSQL ${target.display}: the schema is at version ${Math.max(...newer)}, newer than this heraut knows (${latest}); upgrade heraut on this machine`);
    }
    const versions: number[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO heraut_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      versions.push(migration.version);
    }
    return versions;
  });
  if (done.length > 0) log?.info({ database: target.display, schema: target.schema, versions: done }, 'database schema migrated');
  return done;
}
