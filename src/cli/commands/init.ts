import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../config/load-config.js';
import { HerautError } from '../../errors.js';
import type { InitOptions } from '../options.js';

/** A dry-run configuration that loads as it is: a person edits the feed and the accounts, then sets dryRun: false. */
function starter(schemaUrl: string): string {
  return `# yaml-language-server: $schema=${schemaUrl}
# heraut's configuration. \`heraut check\` validates it, \`heraut preview\` shows the teasers, \`heraut run\` starts.
# State (what was posted) is kept beside this file, in queue/ (or set queue: to a folder of your own).
dryRun: true                  # print and record what would be posted; set to false to post for real
timezone: UTC

accounts:                     # each a name you choose, with its platform
  x:
    platform: x
    appKey: \${X_APP_KEY}      # \${VAR} is read from the environment; secrets live only there
    appSecret: \${X_APP_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  bluesky:
    platform: bluesky
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}   # an app password

feeds:
  - id: news
    url: https://example.org/feed.xml   # your RSS or Atom feed
    schedule: "*/15 * * * *"            # when to poll (cron, in timezone)
    targets: [x, bluesky]
`;
}

export async function initCommand(file: string, options: InitOptions): Promise<void> {
  const target = path.resolve(file);
  const schemaUrl = pathToFileURL(path.join(packageRoot, 'config', 'heraut.schema.json')).href;
  try {
    writeFileSync(target, starter(schemaUrl), { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new HerautError('usage', `${file}: already exists; edit it, or run heraut init --force to replace it`);
    throw error;
  }
  process.stdout.write(`wrote ${target}\nnext: edit its feeds and accounts, then heraut check and heraut preview\n`);
}
