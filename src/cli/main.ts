#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation keeps a bot that is mostly idle small: reading a 13 MB feed peaks ~30 MB lower, no slower.
import { Argument, Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { errorMessage, exitCodeFor, isHerautError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import type { RunOptions } from './commands/run.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export interface GlobalOptions {
  config?: string;
  logLevel: string;
}

/** Every command lives in its own module, imported only when it runs, so `heraut --help` starts fast. */
function buildProgram(): Command {
  const program = new Command('heraut')
    .description('Posts teasers for new RSS/Atom explainers to X and Bluesky, exactly once.')
    .version(version)
    .option('-c, --config <file>', 'configuration file (default: $HERAUT_CONFIG, config/heraut.yaml, then the bundled example)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(process.env.HERAUT_LOG_LEVEL ?? 'info'))
    .showHelpAfterError('(run heraut --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run the service: poll feeds on their schedules and publish what is due (Ctrl-C stops it)')
    .option('--once', 'do one cycle (poll every feed, publish what is due) and exit')
    .option('--dry-run', 'print and record what would be posted; no platform calls')
    .option('--feed <ids>', 'with --once: poll only these feeds (comma-separated ids)')
    .option('--no-poll', 'with --once: publish what is due without polling feeds')
    .addOption(new Option('--keep-attention', 'used by the service for its cycles').hideHelp())
    .action(async (options: RunOptions) => (await import('./commands/run.js')).runCommand(program.opts<GlobalOptions>(), options));

  program
    .command('preview')
    .description('show the teasers heraut would write for a feed (URL or file), or for the configured feeds; posts and records nothing')
    .argument('[feed]', 'feed URL or file path')
    .option('--json', 'one JSON object per item and line')
    .option('--limit <n>', 'at most this many items per feed', (value) => parsePositive(value, '--limit'))
    .action(async (feed: string | undefined, options: { json?: boolean; limit?: number }) => (await import('./commands/preview.js')).previewCommand(program.opts<GlobalOptions>(), feed, options));

  program
    .command('post')
    .description('publish one article now: find it in the configured feeds by URL or guid, write its teaser, post it')
    .argument('<article>', 'the article\'s URL or guid')
    .option('--to <accounts>', 'comma-separated account names (default: the feed\'s targets)')
    .option('--dry-run', 'print what would be posted instead of posting')
    .option('--force', 'post even if it was already posted, and past the budget')
    .action(async (article: string, options: { to?: string; dryRun?: boolean; force?: boolean }) => (await import('./commands/post.js')).postCommand(program.opts<GlobalOptions>(), article, options));

  program
    .command('status')
    .description('what is in the queue and what was posted, per feed and account')
    .option('--json', 'machine-readable output')
    .option('--dry-run', 'show the dry-run records instead of the live ones')
    .action(async (options: { json?: boolean; dryRun?: boolean }) => (await import('./commands/status.js')).statusCommand(program.opts<GlobalOptions>(), options));

  program
    .command('check')
    .description('validate the configuration and report every problem at once')
    .option('--online', 'also verify each account\'s credentials with its platform')
    .action(async (options: { online?: boolean }) => (await import('./commands/check.js')).checkCommand(program.opts<GlobalOptions>(), options));

  program
    .command('schema')
    .description('print the JSON Schema of the configuration file')
    .action(async () => (await import('./commands/schema.js')).schemaCommand());

  program
    .command('import')
    .description('record the articles another bot already posted as posted for a feed, so the first run posts only what is new')
    .addArgument(new Argument('<source>', 'feed2toot (its cachefile: one entry id per line) or urls (one URL per line)').choices(['feed2toot', 'urls']))
    .argument('<file>', 'the file to read')
    .requiredOption('--feed <id>', 'the feed, as configured, these articles came from')
    .option('--dry-run', 'show what would be recorded; record nothing')
    .action(async (source: 'feed2toot' | 'urls', file: string, options: { feed: string; dryRun?: boolean }) =>
      (await import('./commands/import.js')).importCommand(program.opts<GlobalOptions>(), source, file, options),
    );

  for (const [name, description] of [
    ['approve', 'let a job that waits for review be published'],
    ['skip', 'never publish this job'],
    ['retry', 'try a failed job again'],
    ['edit', 'edit a job\'s teaser in $EDITOR (checked against each platform\'s limits)'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<job>', 'job id, article URL or guid (see heraut status)')
      .option('--to <accounts>', 'only these accounts (comma-separated)')
      .option('--dry-run', 'act on the dry-run records')
      .action(async (job: string, options: { to?: string; dryRun?: boolean }) => (await import('./commands/review.js')).reviewCommand(program.opts<GlobalOptions>(), name, job, options));
  }
  return program;
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CommanderError(2, 'heraut.usage', `${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.code === 'heraut.usage') process.stderr.write(`heraut: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`heraut: ${scrubSecrets(errorMessage(error))}\n`);
    if (!isHerautError(error) && process.env.HERAUT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return exitCodeFor(error);
  }
}

// `heraut preview | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
