import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { pidIsDead } from '../file-lock.js';
import type { AccountLock } from '../stores.js';
import type { Scope } from './scope.js';

/** The row and columns a lease lives in: an account's posting, a feed's polling. */
export interface LeaseColumns {
  table: 'heraut_accounts' | 'heraut_feeds';
  key: 'account' | 'feed_id';
  holder: 'post_holder' | 'poll_holder';
  until: 'post_until' | 'poll_until';
}

/**
 * A holder (host:pid:random/claim) on this host whose process has exited, as the file store treats its lock files: its
 * leases are free at once instead of after their expiry, so a worker killed in a cycle does not stop the next one.
 */
export function holderIsGone(holder: string | null | undefined): boolean {
  const [host, pid] = (holder ?? '').split('/')[0]!.split(':');
  return host === hostname() && Number(pid) > 0 && Number(pid) !== process.pid && pidIsDead(Number(pid));
}

/** Takes the lease when it is free, ran out or its holder is gone; undefined while another live holder has it. */
export async function takeRowLease(scope: Scope, columns: LeaseColumns, id: string, leaseMs: number): Promise<AccountLock | undefined> {
  const { pool, namespace, now } = scope;
  const { table, key, holder: holderColumn, until: untilColumn } = columns;
  const holder = `${scope.worker}/${randomUUID()}`;
  const until = () => new Date(now().getTime() + leaseMs);
  const where = `namespace = $1 AND ${key} = $2 AND ${holderColumn} = $3`;
  const current = await pool.query<{ holder: string | null }>(`SELECT ${holderColumn} AS holder FROM ${table} WHERE namespace = $1 AND ${key} = $2`, [namespace, id]);
  const gone = current.rows[0]?.holder && holderIsGone(current.rows[0].holder) ? current.rows[0].holder : null;
  const { rowCount } = await pool.query(
    `INSERT INTO ${table} (namespace, ${key}, ${holderColumn}, ${untilColumn}) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, ${key}) DO UPDATE SET ${holderColumn} = EXCLUDED.${holderColumn}, ${untilColumn} = EXCLUDED.${untilColumn}
     WHERE ${table}.${holderColumn} IS NULL OR ${table}.${untilColumn} <= $5 OR ${table}.${holderColumn} = $6`,
    [namespace, id, holder, until(), now(), gone],
  );
  if (rowCount !== 1) return undefined;
  return {
    async renew() {
      return (await pool.query(`UPDATE ${table} SET ${untilColumn} = $4 WHERE ${where}`, [namespace, id, holder, until()])).rowCount === 1;
    },
    async isHeld() {
      return (await pool.query(`SELECT 1 FROM ${table} WHERE ${where} AND ${untilColumn} > $4`, [namespace, id, holder, now()])).rowCount === 1;
    },
    async release() {
      await pool.query(`UPDATE ${table} SET ${holderColumn} = NULL, ${untilColumn} = NULL WHERE ${where}`, [namespace, id, holder]);
    },
  };
}
