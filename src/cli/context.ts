import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { createLogger, type Logger } from '../log.js';
import { createRuntime, type Runtime } from '../service/runtime.js';
import type { GlobalOptions } from './main.js';

const sourceNames: Record<LoadedConfig['source'], string> = {
  option: '--config',
  env: 'HERAUT_CONFIG',
  default: 'config/heraut.yaml',
  example: 'the bundled example (copy config/heraut.example.yaml to config/heraut.yaml to make your own)',
};

export function cliLogger(global: GlobalOptions): Logger {
  return createLogger({ level: global.logLevel, pretty: Boolean(process.stdout.isTTY && process.stderr.isTTY) });
}

export function loadCliConfig(global: GlobalOptions, log: Logger, options: { dryRun?: boolean; text?: string; quiet?: boolean } = {}): LoadedConfig {
  const loaded = loadConfig({ file: global.config, dryRun: options.dryRun, text: options.text });
  log[options.quiet ? 'debug' : 'info']({ config: loaded.file, from: sourceNames[loaded.source], dryRun: loaded.config.dryRun, queue: loaded.queueUrl ?? loaded.queueDir }, 'configuration loaded');
  return loaded;
}

export async function openRuntime(global: GlobalOptions, options: { dryRun?: boolean; retryAttention?: boolean } = {}): Promise<Runtime> {
  const log = cliLogger(global);
  const loaded = loadCliConfig(global, log, options);
  return createRuntime(loaded, { log, retryAttention: options.retryAttention });
}

export function splitList(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}
