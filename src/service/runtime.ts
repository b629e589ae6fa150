import { alertsFor, type Alerts } from '../alerts/alerts.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Account } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Publisher } from '../platforms/platform.js';
import { createPublisher } from '../platforms/registry.js';
import { openStores } from '../queue/open-stores.js';
import type { Stores } from '../queue/stores.js';

/** What every command works with: the loaded config, the stores of its mode, and publishers made on first use. */
export interface Runtime {
  loaded: LoadedConfig;
  log: Logger;
  stores: Stores;
  /** Live runs only: a dry run alerts no one. */
  alerts: Alerts;
  now: () => Date;
  /** Where dry-run posts and command output go. */
  write: (text: string) => void;
  publisher(account: string): Promise<Publisher>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log: Logger;
  now?: () => Date;
  write?: (text: string) => void;
  /** Commands that publish (run, post) give accounts that needed attention another try; status and check only look. */
  retryAttention?: boolean;
}

export async function createRuntime(loaded: LoadedConfig, options: RuntimeOptions): Promise<Runtime> {
  const now = options.now ?? (() => new Date());
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const { config } = loaded;
  const stores = await openStores({ location: loaded.queueUrl ?? loaded.queueDir, namespace: config.dryRun ? 'dry-run' : 'live', now, log: options.log });
  if (options.retryAttention) await retryAccountsNeedingAttention(stores, Object.keys(config.accounts), options.log);
  const publishers = new Map<string, Promise<Publisher>>();
  const alerts = alertsFor(loaded, options.log, () => now().getTime());
  return {
    loaded,
    log: options.log,
    stores,
    alerts,
    now,
    write,
    publisher(name: string) {
      let publisher = publishers.get(name);
      if (!publisher) {
        const account = config.accounts[name] as Account;
        publisher = config.dryRun
          ? import('../platforms/dry-run/dry-run-publisher.js').then(({ createDryRunPublisher }) => createDryRunPublisher({ name, platform: account.platform, write }))
          : createPublisher(name, account, { log: options.log, sessions: stores.sessions });
        publishers.set(name, publisher);
        publisher.catch(() => publishers.delete(name));
      }
      return publisher;
    },
    async close() {
      const all = await Promise.allSettled(publishers.values());
      await Promise.allSettled(all.map((result) => (result.status === 'fulfilled' ? result.value.close?.() : undefined)));
      await alerts.close();
      await stores.close();
    },
  };
}

/**
 * An account marked as needing attention (bad credentials, suspended) holds its posts without a retry loop. A new
 * process or a reloaded configuration is when a person may have fixed it, so each start tries such an account again once.
 */
async function retryAccountsNeedingAttention(stores: Stores, accounts: string[], log: Logger): Promise<void> {
  for (const account of accounts) {
    const state = await stores.accounts.get(account);
    if (!state.attention) continue;
    log.warn({ account, since: state.attention.at, reason: state.attention.message }, 'account needed attention; trying it again');
    await stores.accounts.put(account, { ...state, attention: undefined });
  }
}
