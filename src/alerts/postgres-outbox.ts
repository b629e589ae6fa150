import type pg from 'pg';
import type { Logger } from '../log.js';
import { openOnce } from '../queue/open-once.js';
import { type AlertOutbox, maxAttempts, type OutboxEntry } from './alert-outbox.js';

/** How long a worker that took due alerts has to send them before another worker may take them again. */
const sendingMs = 10 * 60_000;

/**
 * The alert outbox in the queue's database: the alert's key is the row's key, so an event raised by any number of
 * workers is recorded once, and a due alert is taken by one worker at a time (SKIP LOCKED, then a sending lease).
 * The connection is opened on first use: a setup without alerts never opens it.
 */
export function postgresOutbox(url: string, log?: Logger): AlertOutbox & { close(): Promise<void> } {
  const opened = openOnce(() => import('../queue/postgres/open-database.js').then(({ openDatabase }) => openDatabase(url, { log, max: 1 })).then((database) => database.pool));
  const pool = () => opened.get();
  return {
    async add(entry) {
      const { rowCount } = await (await pool()).query('INSERT INTO heraut_alert_outbox (key, entry) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [entry.alert.key, entry]);
      return rowCount === 1;
    },
    async due(now) {
      const { rows } = await (await pool()).query<{ entry: OutboxEntry }>(
        `WITH due AS (
           SELECT key, entry FROM heraut_alert_outbox WHERE pending AND next_attempt_at <= $1 FOR UPDATE SKIP LOCKED
         ), taken AS (
           UPDATE heraut_alert_outbox o SET entry = jsonb_set(o.entry, '{nextAttemptAt}', to_jsonb($2::double precision)) FROM due WHERE o.key = due.key RETURNING due.entry
         )
         SELECT entry FROM taken`,
        [now, now + sendingMs],
      );
      return rows.map((row) => row.entry).sort((a, b) => a.alert.at - b.alert.at);
    },
    async update(entry) {
      await (await pool()).query('UPDATE heraut_alert_outbox SET entry = $2 WHERE key = $1', [entry.alert.key, entry]);
    },
    async resolve(key) {
      await (await pool()).query('DELETE FROM heraut_alert_outbox WHERE key = $1 AND NOT pending', [key]);
    },
    async prune(before) {
      await (await pool()).query('DELETE FROM heraut_alert_outbox WHERE raised_at < $1 AND (NOT pending OR attempts >= $2)', [before, maxAttempts]);
    },
    async close() {
      await (await opened.take())?.end();
    },
  };
}
