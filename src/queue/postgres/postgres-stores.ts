import { hostname } from 'node:os';
import type { SessionStore } from '../../platforms/platform.js';
import { defaultLeaseMs, type FeedState, type FeedStore, type Holding, type Stores, type StoresOptions } from '../stores.js';
import { openDatabase } from './open-database.js';
import { postgresAccounts } from './postgres-accounts.js';
import { postgresHistory } from './postgres-history.js';
import { postgresJobs } from './postgres-jobs.js';
import { takeRowLease } from './row-lease.js';
import type { Scope } from './scope.js';

function postgresFeeds(scope: Scope): FeedStore {
  const { pool, namespace } = scope;
  const toState = (state: Partial<FeedState> | undefined): FeedState => ({ consecutiveFailures: 0, ...state });
  return {
    async get(feedId) {
      const { rows } = await pool.query<{ state: Partial<FeedState> }>('SELECT state FROM heraut_feeds WHERE namespace = $1 AND feed_id = $2', [namespace, feedId]);
      return toState(rows[0]?.state);
    },
    async put(feedId, state) {
      await pool.query('INSERT INTO heraut_feeds (namespace, feed_id, state) VALUES ($1, $2, $3) ON CONFLICT (namespace, feed_id) DO UPDATE SET state = EXCLUDED.state', [namespace, feedId, state]);
    },
    lease: (feedId, options = {}) => takeRowLease(scope, { table: 'heraut_feeds', key: 'feed_id', holder: 'poll_holder', until: 'poll_until' }, feedId, options.leaseMs ?? defaultLeaseMs),
    async all() {
      const { rows } = await pool.query<{ feed_id: string; state: Partial<FeedState> }>("SELECT feed_id, state FROM heraut_feeds WHERE namespace = $1 AND state <> '{}'", [namespace]);
      return Object.fromEntries(rows.map((row) => [row.feed_id, toState(row.state)]));
    },
  };
}

/** Sessions are shared by every worker (and both namespaces): three workers resume one Bluesky login. */
function postgresSessions(scope: Scope): SessionStore {
  const { pool } = scope;
  return {
    async read(key) {
      const { rows } = await pool.query<{ value: string }>('SELECT value FROM heraut_sessions WHERE key = $1', [key]);
      return rows[0]?.value;
    },
    async write(key, value) {
      if (value === undefined) await pool.query('DELETE FROM heraut_sessions WHERE key = $1', [key]);
      else await pool.query('INSERT INTO heraut_sessions (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()', [key, value]);
    },
  };
}

/** Connects, creates or migrates the schema, and names this worker. */
export async function openScope(options: StoresOptions): Promise<Scope> {
  const { pool, target } = await openDatabase(options.location, { log: options.log });
  return {
    pool,
    namespace: options.namespace,
    now: options.now ?? (() => new Date()),
    worker: options.worker ?? `${hostname()}:${process.pid}`,
    location: `postgres://${target.display}${target.schema === 'public' ? '' : `?schema=${target.schema}`}`,
  };
}

/** Live holdings of the three lease columns; the holder's worker is what precedes the claim's own id. */
async function postgresHolders(scope: Scope): Promise<Holding[]> {
  const { rows } = await scope.pool.query<{ kind: Holding['kind']; id: string; holder: string; until: Date }>(
    `SELECT 'account' AS kind, account AS id, post_holder AS holder, post_until AS until FROM heraut_accounts WHERE namespace = $1 AND post_holder IS NOT NULL AND post_until > $2
     UNION ALL SELECT 'feed', feed_id, poll_holder, poll_until FROM heraut_feeds WHERE namespace = $1 AND poll_holder IS NOT NULL AND poll_until > $2
     UNION ALL SELECT 'job', id, claim_holder, claim_until FROM heraut_jobs WHERE namespace = $1 AND claim_holder IS NOT NULL AND claim_until > $2 AND NOT compacted
     ORDER BY kind, id`,
    [scope.namespace, scope.now()],
  );
  return rows.map((row) => ({ kind: row.kind, id: row.id, worker: row.holder.slice(0, row.holder.lastIndexOf('/')), until: row.until.toISOString() }));
}

export function storesIn(scope: Scope): Stores {
  return {
    location: scope.location,
    history: postgresHistory(scope),
    jobs: postgresJobs(scope),
    feeds: postgresFeeds(scope),
    accounts: postgresAccounts(scope),
    sessions: postgresSessions(scope),
    holders: () => postgresHolders(scope),
    close: () => scope.pool.end(),
  };
}

/** The stores in a PostgreSQL database, shared by any number of heraut workers; the schema is created or migrated first. */
export async function openPostgresStores(options: StoresOptions): Promise<Stores> {
  return storesIn(await openScope(options));
}
