import { recentPostKeysKept, type CountedPost } from '../count-post.js';
import { defaultLeaseMs, type AccountState, type AccountStore } from '../stores.js';
import { inTransaction } from './connect-postgres.js';
import { takeRowLease } from './row-lease.js';
import type { Queryable, Scope } from './scope.js';

interface AccountRow {
  account: string;
  state: Partial<AccountState> | null;
  days: Record<string, number> | null;
  months: Record<string, number> | null;
  keys: string[] | null;
}

// Counters and counted post keys are rows of their own, so a worker writing a stale state never lowers them.
const accountRows = `
  SELECT a.account, a.state,
    (SELECT json_object_agg(period, posts) FROM heraut_account_counters c WHERE c.namespace = a.namespace AND c.account = a.account AND length(period) = 10) AS days,
    (SELECT json_object_agg(period, spent_usd) FROM heraut_account_counters c WHERE c.namespace = a.namespace AND c.account = a.account AND length(period) = 7) AS months,
    (SELECT json_agg(post_key ORDER BY seq) FROM (
      SELECT post_key, seq FROM heraut_counted_posts k WHERE k.namespace = a.namespace AND k.account = a.account ORDER BY seq DESC LIMIT ${recentPostKeysKept}
    ) recent) AS keys
  FROM heraut_accounts a WHERE a.namespace = $1`;

function toState(row: AccountRow | undefined): AccountState {
  const { postsByDay: _days, spentByMonth: _months, recentPostKeys: _keys, ...rest } = row?.state ?? {};
  const state: AccountState = { ...rest, postsByDay: row?.days ?? {}, spentByMonth: row?.months ?? {} };
  if (row?.keys?.length) state.recentPostKeys = row.keys;
  return state;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * Adds a published post to its account, inside the caller's transaction: counted only when its post key is new to the
 * account (heraut_counted_posts), so settling a post again never counts it twice; the last post time only moves on.
 */
export async function countPostIn(scope: Scope, client: Queryable, post: CountedPost): Promise<void> {
  const { namespace } = scope;
  const { rowCount } = await client.query('INSERT INTO heraut_counted_posts (namespace, account, post_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [namespace, post.account, post.postKey]);
  if (rowCount === 1) {
    // A month row only for a post that cost something, as the file store keeps it.
    await client.query(
      `INSERT INTO heraut_account_counters (namespace, account, period, posts, spent_usd)
       SELECT $1, $2, $3, 1, 0::numeric UNION ALL SELECT $1, $2, $4, 0, $5::numeric WHERE $5::numeric > 0
       ON CONFLICT (namespace, account, period) DO UPDATE
         SET posts = heraut_account_counters.posts + EXCLUDED.posts, spent_usd = heraut_account_counters.spent_usd + EXCLUDED.spent_usd`,
      [namespace, post.account, post.day, post.month, post.spentUsd],
    );
  }
  await client.query(
    `INSERT INTO heraut_accounts (namespace, account, state) VALUES ($1, $2, jsonb_build_object('lastPostAt', $3::text))
     ON CONFLICT (namespace, account) DO UPDATE SET state = (heraut_accounts.state - 'holdReason' - 'holdUntil') || jsonb_build_object(
       'lastPostAt', CASE WHEN (heraut_accounts.state->>'lastPostAt')::timestamptz > $3::timestamptz THEN heraut_accounts.state->>'lastPostAt' ELSE $3::text END)`,
    [namespace, post.account, post.at],
  );
}

export function postgresAccounts(scope: Scope): AccountStore {
  const { pool, namespace } = scope;
  return {
    async get(account) {
      const { rows } = await pool.query<AccountRow>(`${accountRows} AND a.account = $2`, [namespace, account]);
      return toState(rows[0]);
    },
    async all() {
      const { rows } = await pool.query<AccountRow>(accountRows, [namespace]);
      return Object.fromEntries(rows.map((row) => [row.account, toState(row)]));
    },
    async put(account, state) {
      const { postsByDay, spentByMonth, recentPostKeys, ...rest } = state;
      await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ state: Partial<AccountState> }>(
          `INSERT INTO heraut_accounts (namespace, account) VALUES ($1, $2) ON CONFLICT (namespace, account) DO UPDATE SET namespace = EXCLUDED.namespace RETURNING state`,
          [namespace, account],
        );
        const lastPostAt = later(rows[0]?.state.lastPostAt, rest.lastPostAt);
        await client.query('UPDATE heraut_accounts SET state = $3 WHERE namespace = $1 AND account = $2', [namespace, account, { ...rest, lastPostAt }]);
        const periods = [...Object.entries(postsByDay).map(([day, posts]) => [day, posts, 0]), ...Object.entries(spentByMonth).map(([month, spent]) => [month, 0, spent])];
        if (periods.length > 0) {
          await client.query(
            `INSERT INTO heraut_account_counters (namespace, account, period, posts, spent_usd)
             SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::numeric[])
             ON CONFLICT (namespace, account, period) DO UPDATE
               SET posts = greatest(heraut_account_counters.posts, EXCLUDED.posts), spent_usd = greatest(heraut_account_counters.spent_usd, EXCLUDED.spent_usd)`,
            [namespace, account, periods.map((p) => p[0]), periods.map((p) => p[1]), periods.map((p) => p[2])],
          );
        }
        if (recentPostKeys?.length) {
          await client.query(
            `INSERT INTO heraut_counted_posts (namespace, account, post_key) SELECT $1, $2, key FROM unnest($3::text[]) WITH ORDINALITY AS k(key, n) ORDER BY n
             ON CONFLICT DO NOTHING`,
            [namespace, account, recentPostKeys],
          );
        }
      });
    },
    lock: (account, options = {}) => takeRowLease(scope, { table: 'heraut_accounts', key: 'account', holder: 'post_holder', until: 'post_until' }, account, options.leaseMs ?? defaultLeaseMs),
  };
}
