import type pg from 'pg';
import type { Logger } from '../../log.js';
import { createPool, parsePostgresUrl, postgresError, type PostgresTarget } from './connect-postgres.js';
import { migrateSchema } from './migrate-schema.js';

export interface Database {
  pool: pg.Pool;
  target: PostgresTarget;
}

/** Connects and brings heraut's tables to the latest version; failures are one line that says how to fix them. */
export async function openDatabase(url: string, options: { log?: Logger; max?: number } = {}): Promise<Database> {
  const target = parsePostgresUrl(url);
  const pool = createPool(target, { max: options.max });
  try {
    await migrateSchema(pool, target, options.log);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresError(error, target);
  }
  return { pool, target };
}
