import { hostname } from 'node:os';
import pg from 'pg';
import { HerautError } from '../../errors.js';

/** Where the queue lives: the server to connect to, and the schema heraut's tables go in. */
export interface PostgresTarget {
  connectionString: string;
  schema: string;
  /** user@host:port/database, with no password: for messages and logs. */
  display: string;
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** `?schema=name` picks the schema (default public), so several heraut setups can share one database. */
export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HerautError('config-invalid', 'queue: is not a valid postgres:// URL; write it as postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new HerautError('config-invalid', `queue: "${parsed.protocol}" URLs are not supported; use a folder or a postgres:// URL`);
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!schemaName.test(schema)) {
    throw new HerautError('config-invalid', `queue: schema "${schema}" must be lower-case letters, digits and "_"; fix ?schema= in the URL`);
  }
  parsed.searchParams.delete('schema');
  const user = decodeURIComponent(parsed.username) || process.env.PGUSER || process.env.USER || 'postgres';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  return { connectionString: parsed.toString(), schema, display: `${user}@${parsed.hostname || 'localhost'}:${parsed.port || 5432}/${database}` };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** What pg_stat_activity shows for this process's connections: which machine and process holds them. */
export function applicationName(): string {
  return `heraut ${hostname()}:${process.pid}`.slice(0, 63);
}

/** Every connection has heraut's schema first on its search path, so queries name tables without a schema. */
export function createPool(target: PostgresTarget, options: { max?: number; connectTimeoutMs?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    application_name: applicationName(),
    options: `-c search_path=${target.schema}`,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // A connection lost while idle in the pool must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Turns what the driver or server says into one line that says how to fix it; other errors pass through. */
export function postgresError(error: unknown, target: PostgresTarget): unknown {
  if (error instanceof HerautError) return error;
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const detail = (error as Error | undefined)?.message ?? String(error);
  const where = `PostgreSQL ${target.display}`;
  if (unreachableCodes.has(code) || code === '57P01' || code === '57P03' || code.startsWith('08') || /timeout|terminated|Connection terminated/i.test(detail)) {
    return new HerautError('queue-unreachable', `${where} does not answer (${code || detail}); start the server or fix the host and port in queue:`, { cause: error, retryable: true });
  }
  if (code === '28P01' || code === '28000') {
    return new HerautError('queue-denied', `${where} refused the login (${detail}); fix the user and password in queue: (use \${DATABASE_URL}) or the server's pg_hba.conf`, { cause: error });
  }
  if (code === '3D000') {
    return new HerautError('queue-denied', `${where}: the database does not exist; create it (createdb) or fix its name in queue:`, { cause: error });
  }
  if (code === '42501') {
    return new HerautError('queue-denied', `${where}: missing privilege (${detail}); heraut creates and updates its own tables: GRANT CREATE, USAGE ON SCHEMA ${quoteIdent(target.schema)} TO the user (and CREATE ON DATABASE for a new ?schema=)`, { cause: error });
  }
  return error;
}

/** Runs `work` in one transaction on one connection; rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
