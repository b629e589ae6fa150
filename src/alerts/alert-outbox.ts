import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createFileAtomic, listIfExists, readIfExists, writeFileAtomic } from '../queue/atomic-file.js';
import type { Alert } from './alert.js';

/** One raised alert and, per destination, whether it went out; kept after sending so the same key is never raised twice. */
export interface OutboxEntry {
  alert: Alert;
  /** Destination indexes (in the config's `alerts:` list) still to send to. */
  pending: number[];
  attempts: number;
  nextAttemptAt: number;
  /** Why the last attempt failed, already scrubbed. */
  lastError?: string;
}

/** Alerts waiting to go out, kept in files (or the queue's database) so that a cycle that exits, crashes or runs on another process loses none. */
export interface AlertOutbox {
  /** Records the alert unless its key was raised before; true when it is new. */
  add(entry: OutboxEntry): Promise<boolean>;
  due(now: number): Promise<OutboxEntry[]>;
  update(entry: OutboxEntry): Promise<void>;
  /** Forgets a sent alert, so that the same key can be raised again (the condition ended). */
  resolve(key: string): Promise<void>;
  /** Forgets sent or abandoned entries older than `before`, so the folder stays small. */
  prune(before: number): Promise<void>;
  /** Frees what the outbox holds open (a database connection). */
  close?(): Promise<void>;
}

export function fileOutbox(dir: string): AlertOutbox {
  const fileFor = (key: string) => path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);
  const readAll = async (): Promise<OutboxEntry[]> => {
    const names = await listIfExists(dir);
    const entries: OutboxEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const text = await readIfExists(path.join(dir, name));
      if (text) entries.push(JSON.parse(text) as OutboxEntry);
    }
    return entries;
  };
  return {
    async add(entry) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      return createFileAtomic(fileFor(entry.alert.key), JSON.stringify(entry));
    },
    async due(now) {
      return (await readAll()).filter((entry) => entry.pending.length > 0 && entry.nextAttemptAt <= now).sort((a, b) => a.alert.at - b.alert.at);
    },
    async update(entry) {
      await writeFileAtomic(fileFor(entry.alert.key), JSON.stringify(entry));
    },
    async resolve(key) {
      const text = await readIfExists(fileFor(key)).catch(() => undefined);
      if (text && (JSON.parse(text) as OutboxEntry).pending.length === 0) await fs.rm(fileFor(key), { force: true });
    },
    async prune(before) {
      for (const entry of await readAll()) {
        if (entry.alert.at < before && (entry.pending.length === 0 || entry.attempts >= maxAttempts)) await fs.rm(fileFor(entry.alert.key), { force: true });
      }
    },
  };
}

/** After this many failed attempts (about a day with the backoff below) an alert is given up and logged. */
export const maxAttempts = 12;
