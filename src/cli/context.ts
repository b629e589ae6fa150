import { isatty } from 'node:tty';
import { loadConfigCached } from '../config/config-cache.js';
import type { LoadedConfig } from '../config/find-config-file.js';
import { createLogger, type Logger } from '../log.js';
import { createRuntime, type Runtime } from '../service/runtime.js';
import type { GlobalOptions } from './options.js';

const sourceNames: Record<LoadedConfig['source'], string> = {
  option: '--config',
  env: 'HERAUT_CONFIG',
  cwd: 'the current folder',
  user: 'your config folder',
  example: 'the bundled example',
};

/** Logs go to stderr: pretty when a person reads it there, JSON lines when it goes to a file or a collector. */
export function cliLogger(global: GlobalOptions): Logger {
  // isatty, not process.stderr.isTTY: the stream is made only when something is written.
  return createLogger({ level: global.logLevel, pretty: isatty(2) });
}

/** `cached`: take the configuration from the cache when the file, its variables and heraut are the same (run does, check never). */
export async function loadCliConfig(global: GlobalOptions, log: Logger, options: { dryRun?: boolean; text?: string; quiet?: boolean; cached?: boolean; announce?: 'info' | 'debug' } = {}): Promise<LoadedConfig> {
  const request = { file: global.config, dryRun: options.dryRun, text: options.text };
  const loaded = options.cached ? await loadConfigCached(request) : (await import('../config/load-config.js')).loadConfig(request);
  if (loaded.source === 'example' && !options.quiet) {
    log.warn({ config: loaded.file, queue: loaded.queueDir }, 'NO CONFIGURATION FOUND: using the bundled example, in a dry run that posts nothing; run heraut init to write your own heraut.yaml');
  }
  log[options.quiet ? 'debug' : (options.announce ?? 'info')]({ config: loaded.file, from: sourceNames[loaded.source], dryRun: loaded.config.dryRun, queue: loaded.queueUrl ?? loaded.queueDir }, 'configuration loaded');
  return loaded;
}

export async function openRuntime(global: GlobalOptions, options: { dryRun?: boolean; retryAttention?: boolean } = {}): Promise<Runtime> {
  const log = cliLogger(global);
  const loaded = await loadCliConfig(global, log, options);
  return createRuntime(loaded, { log, retryAttention: options.retryAttention });
}

export function splitList(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}
