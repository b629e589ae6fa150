import { randomUUID } from 'node:crypto';
import type { AccountLock } from '../stores.js';
import type { Scope } from './scope.js';

/** The row and columns a lease lives in: an account's posting, a feed's polling. */
export interface LeaseColumns {
  table: 'heraut_accounts' | 'heraut_feeds';
  key: 'account' | 'feed_id';
  holder: 'post_holder' | 'poll_holder';
  until: 'post_until' | 'poll_until';
}

/** Takes the lease when it is free or ran out, in one statement; undefined while another live holder has it. */
export async function takeRowLease(scope: Scope, columns: LeaseColumns, id: string, leaseMs: number): Promise<AccountLock | undefined> {
  const { pool, namespace, now } = scope;
  const { table, key, holder: holderColumn, until: untilColumn } = columns;
  const holder = `${scope.worker}/${randomUUID()}`;
  const until = () => new Date(now().getTime() + leaseMs);
  const where = `namespace = $1 AND ${key} = $2 AND ${holderColumn} = $3`;
  const { rowCount } = await pool.query(
    `INSERT INTO ${table} (namespace, ${key}, ${holderColumn}, ${untilColumn}) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, ${key}) DO UPDATE SET ${holderColumn} = EXCLUDED.${holderColumn}, ${untilColumn} = EXCLUDED.${untilColumn}
     WHERE ${table}.${holderColumn} IS NULL OR ${table}.${untilColumn} <= $5`,
    [namespace, id, holder, until(), now()],
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
