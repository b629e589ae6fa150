#!/usr/bin/env node
// No V8 flags here: --max-semi-space-size=4 made every start about a fifth slower (npm run bench). The service gives it to its
// cycles, where a small young generation keeps the peak of a large feed ~30 MB lower; the deploy recipes give it to the service.
import { Argument, Command, CommanderError, Option } from 'commander';
import { writeSync } from 'node:fs';
import type { CheckOptions, GlobalOptions, InitOptions, PostOptions, PreviewOptions, ReviewOptions, RunOptions, StatusOptions } from './options.js';

declare const HERAUT_VERSION: string | undefined;
/** The build writes the version in. */
const version = typeof HERAUT_VERSION === 'string' ? HERAUT_VERSION : 'development';

/** Help and usage go straight to the file descriptors: starting Node's stdout stream costs more than printing the help. */
function write(fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

/** Every command lives in its own module, imported only when it runs, so `heraut --help` starts fast. */
function buildProgram(): Command {
  const program = new Command('heraut')
    .description('Posts teasers for new RSS/Atom explainers to X and Bluesky, exactly once.')
    .version(version)
    .option('-c, --config <file>', 'configuration file (default: $HERAUT_CONFIG, ./heraut.yaml, ./config/heraut.yaml, $XDG_CONFIG_HOME/heraut/heraut.yaml)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(process.env.HERAUT_LOG_LEVEL ?? 'info'))
    .showHelpAfterError('(run heraut --help for usage)')
    .configureOutput({ writeOut: (text) => write(1, text), writeErr: (text) => write(2, text) })
    .exitOverride()
    .hook('preAction', watchStdout);

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
    .action(async (feed: string | undefined, options: PreviewOptions) => (await import('./commands/preview.js')).previewCommand(program.opts<GlobalOptions>(), feed, options));

  program
    .command('post')
    .description('publish one article now: find it in the configured feeds by URL or guid, write its teaser, post it')
    .argument('<article>', 'the article\'s URL or guid')
    .option('--to <accounts>', 'comma-separated account names (default: the feed\'s targets)')
    .option('--dry-run', 'print what would be posted instead of posting')
    .option('--force', 'post even if it was already posted, and past the budget')
    .action(async (article: string, options: PostOptions) => (await import('./commands/post.js')).postCommand(program.opts<GlobalOptions>(), article, options));

  program
    .command('status')
    .description('what is in the queue and what was posted, per feed and account')
    .option('--json', 'machine-readable output')
    .option('--dry-run', 'show the dry-run records instead of the live ones')
    .action(async (options: StatusOptions) => (await import('./commands/status.js')).statusCommand(program.opts<GlobalOptions>(), options));

  program
    .command('check')
    .description('validate the configuration and report every problem at once')
    .option('--online', 'also verify each account\'s credentials with its platform')
    .action(async (options: CheckOptions) => (await import('./commands/check.js')).checkCommand(program.opts<GlobalOptions>(), options));

  program
    .command('init')
    .description('write a starter configuration (dry run, with its $schema line) to get going')
    .argument('[file]', 'where to write it', 'heraut.yaml')
    .option('--force', 'replace a file that is already there')
    .action(async (file: string, options: InitOptions) => (await import('./commands/init.js')).initCommand(file, options));

  program
    .command('web')
    .description('serve the review page: approve, skip, retry and edit queued jobs in a browser (Ctrl-C stops it)')
    .option('--port <n>', 'port to listen on', (value) => parsePort(value), 8787)
    .option('--host <host>', 'address to listen on; anything but loopback needs web.token', '127.0.0.1')
    .option('--dry-run', 'review the dry-run records')
    .action(async (options: { host: string; port: number; dryRun?: boolean }) => (await import('./commands/web.js')).webCommand(program.opts<GlobalOptions>(), options));

  program.command('migrate').description('copy the queue (history, jobs, feed and account state, spending) to a postgres:// URL, or from one to a folder').requiredOption('--to <url-or-folder>', 'where to copy it; must be empty').action(async (options: { to: string }) => (await import('./commands/migrate.js')).migrateCommand(program.opts<GlobalOptions>(), options));

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
      .action(async (job: string, options: ReviewOptions) => (await import('./commands/review.js')).reviewCommand(program.opts<GlobalOptions>(), name, job, options));
  }
  return program;
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CommanderError(2, 'heraut.usage', `${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderError(2, 'heraut.usage', `--port must be a whole number from 0 to 65535, not "${value}"`);
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
      if (error.code === 'heraut.usage') write(2, `heraut: ${error.message}\n`);
      return 2;
    }
    return (await import('./report-error.js')).reportError(error);
  }
}

/** `heraut preview | head` closes stdout early: that is the reader's choice, not an error. */
function watchStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
