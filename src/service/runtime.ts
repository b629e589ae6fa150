import type { LoadedConfig } from '../config/load-config.js';
import type { Account } from '../config/schema.js';
import type { Logger } from '../log.js';
import { createDryRunPublisher } from '../platforms/dry-run/dry-run-publisher.js';
import type { Publisher } from '../platforms/platform.js';
import { createPublisher } from '../platforms/registry.js';
import { openQueue, type Queue } from '../queue/queue.js';

/** What every command works with: the loaded config, the queue of its mode, and publishers made on first use. */
export interface Runtime {
  loaded: LoadedConfig;
  log: Logger;
  queue: Queue;
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
}

export async function createRuntime(loaded: LoadedConfig, options: RuntimeOptions): Promise<Runtime> {
  const now = options.now ?? (() => new Date());
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const { config } = loaded;
  const queue = await openQueue({ dir: loaded.queueDir, namespace: config.dryRun ? 'dry-run' : 'live', now, log: options.log });
  const publishers = new Map<string, Promise<Publisher>>();
  return {
    loaded,
    log: options.log,
    queue,
    now,
    write,
    publisher(name: string) {
      let publisher = publishers.get(name);
      if (!publisher) {
        const account = config.accounts[name] as Account;
        publisher = config.dryRun
          ? Promise.resolve(createDryRunPublisher({ name, platform: account.platform, write }))
          : createPublisher(name, account, { log: options.log, queueDir: loaded.queueDir });
        publishers.set(name, publisher);
        publisher.catch(() => publishers.delete(name));
      }
      return publisher;
    },
    async close() {
      const all = await Promise.allSettled(publishers.values());
      await Promise.allSettled(all.map((result) => (result.status === 'fulfilled' ? result.value.close?.() : undefined)));
    },
  };
}
