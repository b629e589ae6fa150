import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../errors.js';
import { createPublisher } from '../../platforms/registry.js';
import { openStores } from '../../queue/open-stores.js';
import { cliLogger, loadCliConfig } from '../context.js';
import type { CheckOptions, GlobalOptions } from '../options.js';

/** Reports every problem at once: config errors (exit 2 from loading), missing feed files, accounts that need attention or fail to log in. */
export async function checkCommand(global: GlobalOptions, options: CheckOptions): Promise<void> {
  const log = cliLogger({ ...global, logLevel: global.logLevel === 'info' ? 'warn' : global.logLevel });
  const loaded = await loadCliConfig(global, log);
  const { config } = loaded;
  const problems: string[] = [];
  const notes: string[] = [];
  for (const feed of config.feeds) {
    if (/^https?:/i.test(feed.url)) continue;
    const file = feed.url.startsWith('file:') ? fileURLToPath(feed.url) : path.resolve(loaded.baseDir, feed.url);
    if (!existsSync(file)) problems.push(`feed ${feed.id}: ${file} does not exist; fix its url`);
  }
  const stores = await openStores({ location: loaded.queueUrl ?? loaded.queueDir, namespace: config.dryRun ? 'dry-run' : 'live', log });
  for (const name of Object.keys(config.accounts)) {
    const { attention } = await stores.accounts.get(name);
    if (attention) problems.push(`account ${name}: needs attention since ${attention.at}: ${attention.message}`);
  }
  if (options.online) {
    if (config.dryRun) notes.push('dryRun is on: --online checks credentials anyway');
    await Promise.all(
      Object.entries(config.accounts).map(async ([name, account]) => {
        try {
          const publisher = await createPublisher(name, account, { log, sessions: stores.sessions });
          const { handle } = await publisher.verify();
          await publisher.close?.();
          notes.push(`account ${name} (${account.platform}): credentials work, posting as ${handle}`);
        } catch (error) {
          problems.push(`account ${name} (${account.platform}): ${errorMessage(error).replace(`account ${name}: `, '')}`);
        }
      }),
    );
  }
  const out = [`${loaded.file}: configuration is valid (${config.feeds.length} feeds, ${Object.keys(config.accounts).length} accounts, ${config.dryRun ? 'dry run' : 'live'})`, ...notes.sort()];
  process.stdout.write(`${out.join('\n')}\n`);
  if (problems.length > 0) {
    process.stderr.write(`${problems.map((problem) => `heraut: ${problem}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
