import path from 'node:path';
import { HerautError } from '../../errors.js';
import { registerSecret } from '../../log.js';
import { copyFolderToPostgres, copyPostgresToFolder, type CopyReport } from '../../queue/postgres/copy-queue.js';
import { cliLogger, loadCliConfig } from '../context.js';
import type { GlobalOptions } from '../options.js';

const postgresUrl = /^postgres(ql)?:\/\//i;

function describe(report: CopyReport): string {
  const sessions = report.sessions === 1 ? '1 session' : `${report.sessions} sessions`;
  return `${report.namespace}: ${report.history} history lines, ${report.jobs} jobs (${report.archived} archived), ${report.feeds} feeds, ${report.accounts} accounts, ${sessions}`;
}

/** Copies the configured queue to a PostgreSQL database or back to a folder; the source is left as it was. */
export async function migrateCommand(global: GlobalOptions, options: { to: string }): Promise<void> {
  const log = cliLogger({ ...global, logLevel: global.logLevel === 'info' ? 'warn' : global.logLevel });
  const loaded = await loadCliConfig(global, log);
  const toDatabase = postgresUrl.test(options.to);
  if (toDatabase) registerSecret(decodeURIComponent(URL.parse(options.to)?.password ?? ''));
  const from = loaded.queueUrl ?? loaded.queueDir;
  if (Boolean(loaded.queueUrl) === toDatabase) {
    throw new HerautError('usage', `--to must be ${loaded.queueUrl ? 'a folder' : 'a postgres:// URL'}: the queue is ${loaded.queueUrl ? 'already in a database' : 'a folder'} (${loaded.queueUrl ? 'queue: in the config' : from})`);
  }
  const to = toDatabase ? options.to : path.resolve(options.to);
  const reports = loaded.queueUrl ? await copyPostgresToFolder(loaded.queueUrl, to) : await copyFolderToPostgres(loaded.queueDir, to);
  const where = toDatabase ? 'the database' : to;
  const lines = reports.length > 0 ? reports.map(describe) : ['nothing to copy: the queue is empty'];
  process.stdout.write(`${lines.join('\n')}\ncopied to ${where}; stop every heraut worker, then set queue: to it in ${loaded.file} (the copy knows everything already posted)\n`);
}
