import path from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import type { AlertDestination } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { scrubSecrets } from '../log.js';
import { backoffDelay } from '../net/backoff.js';
import type { Alert } from './alert.js';
import { type AlertOutbox, fileOutbox, maxAttempts } from './alert-outbox.js';
import { postgresOutbox } from './postgres-outbox.js';
import { sendAlert } from './send-alert.js';

export interface Alerts {
  /** Records the alert for every destination that wants its kind; never throws, never waits for the network. */
  raise(alert: Omit<Alert, 'at'>): Promise<void>;
  /** The condition behind `key` is over (the account posted, the feed answered): a new occurrence alerts again. */
  resolve(key: string): Promise<void>;
  /** Sends what is due, each destination at most once per call; bounded by the destinations' timeout. */
  flush(): Promise<{ sent: number; failed: number }>;
  close(): Promise<void>;
}

export interface AlertsOptions {
  destinations: AlertDestination[];
  outbox: AlertOutbox;
  log: Logger;
  now?: () => number;
  timeoutMs?: number;
}

const retryBaseMs = 60_000;
const retryMaxMs = 6 * 3_600_000;
const keepMs = 30 * 86_400_000;

/** The alerts of a configuration, kept beside its queue (its folder, or its database for every worker); a dry run alerts no one. */
export function alertsFor(loaded: LoadedConfig, log: Logger, now?: () => number): Alerts {
  const outbox = loaded.queueUrl ? postgresOutbox(loaded.queueUrl, log) : fileOutbox(path.join(loaded.queueDir, 'alerts'));
  return createAlerts({ destinations: loaded.config.dryRun ? [] : loaded.config.alerts, outbox, log, now });
}

export function createAlerts(options: AlertsOptions): Alerts {
  const { destinations, outbox, log } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async raise(alert) {
      const pending = destinations.flatMap((destination, index) => (!destination.events || destination.events.includes(alert.kind) ? [index] : []));
      if (pending.length === 0) return;
      const entry = { alert: { ...alert, message: scrubSecrets(alert.message), at: now() }, pending, attempts: 0, nextAttemptAt: now() };
      try {
        if (await outbox.add(entry)) log.info({ alert: alert.kind, subject: alert.subject }, 'alert raised');
      } catch (error) {
        log.warn({ alert: alert.kind, subject: alert.subject, reason: scrubSecrets(errorMessage(error)) }, 'alert could not be recorded');
      }
    },
    async resolve(key) {
      if (destinations.length > 0) await outbox.resolve(key).catch(() => undefined);
    },
    async flush() {
      if (destinations.length === 0) return { sent: 0, failed: 0 };
      let sent = 0;
      let failed = 0;
      const entries = await outbox.due(now()).catch(() => []);
      for (const entry of entries) {
        const still: number[] = [];
        for (const index of entry.pending) {
          const destination = destinations[index];
          if (!destination) continue;
          try {
            await sendAlert(entry.alert, destination, timeoutMs);
            sent += 1;
          } catch (error) {
            failed += 1;
            still.push(index);
            entry.lastError = scrubSecrets(errorMessage(error));
          }
        }
        entry.pending = still;
        if (still.length > 0) {
          entry.attempts += 1;
          entry.nextAttemptAt = now() + backoffDelay(entry.attempts, retryBaseMs, retryMaxMs);
          if (entry.attempts >= maxAttempts) {
            log.error({ alert: entry.alert.kind, subject: entry.alert.subject, reason: entry.lastError }, 'alert given up after repeated failures');
            entry.pending = [];
          } else log.warn({ alert: entry.alert.kind, subject: entry.alert.subject, reason: entry.lastError }, 'alert not sent; will retry');
        }
        await outbox.update(entry).catch(() => undefined);
      }
      await outbox.prune(now() - keepMs).catch(() => undefined);
      return { sent, failed };
    },
    async close() {
      await outbox.close?.().catch((error: unknown) => log.warn({ reason: scrubSecrets(errorMessage(error)) }, 'alert outbox could not be closed'));
    },
  };
}
