// Which configuration file to read and where its state goes: what every command needs before (or without) parsing it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { HerautError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { Config } from './schema.js';

/** The installed package's root: home of the bundled example and schema, never of state. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const exampleConfigPath = path.join(packageRoot, 'config', 'heraut.example.yaml');

export interface LoadedConfig {
  config: Config;
  file: string;
  /** Why this file was chosen: --config, HERAUT_CONFIG, heraut.yaml or config/heraut.yaml in the current folder, the user's config folder, or the bundled example. */
  source: 'option' | 'env' | 'cwd' | 'user' | 'example';
  /** The folder relative paths in the config are resolved against. */
  baseDir: string;
  queueDir: string;
  /** Set when `queue:` is a postgres:// or postgresql:// URL: the queue lives in that database. */
  queueUrl?: string;
  /** The text that was validated, so that a child process works from exactly this configuration. */
  text: string;
}

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** --dry-run on the command line: credentials may then be absent even if the file says dryRun: false. */
  dryRun?: boolean;
  /** The file's text as already read (the service hands the configuration it validated to its cycles). */
  text?: string;
}

/** The user's folders for heraut (XDG on Linux, the platform's own elsewhere). */
export function userDirs(): { config: string; state: string; cache: string } {
  const paths = envPaths('heraut', { suffix: '' });
  return { config: paths.config, state: process.platform === 'linux' ? paths.log : paths.data, cache: paths.cache };
}

export function findConfigFile(options: LoadConfigOptions = {}): { file: string; source: LoadedConfig['source'] } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.file) return { file: path.resolve(cwd, options.file), source: 'option' };
  if (env.HERAUT_CONFIG) return { file: path.resolve(cwd, env.HERAUT_CONFIG), source: 'env' };
  for (const candidate of [path.join(cwd, 'heraut.yaml'), path.join(cwd, 'config', 'heraut.yaml')]) {
    if (existsSync(candidate)) return { file: candidate, source: 'cwd' };
  }
  const user = path.join(userDirs().config, 'heraut.yaml');
  if (existsSync(user)) return { file: user, source: 'user' };
  return { file: exampleConfigPath, source: 'example' };
}

/**
 * Where state goes when the configuration does not say (`queue:`): beside the configuration, in a folder named after
 * it so that two configurations in one folder never share a queue; for a configuration in the user's config folder,
 * or the bundled example, in the user's state folder. Never inside the installed package, which an update replaces.
 */
export function defaultQueueDir(file: string, source: LoadedConfig['source']): string {
  const stem = path.basename(file).replace(/\.ya?ml$/i, '');
  const name = stem === 'heraut' ? 'queue' : `queue-${stem}`;
  const dirs = userDirs();
  if (source === 'example') return path.join(dirs.state, 'example-queue');
  if (path.dirname(file) === dirs.config) return path.join(dirs.state, name);
  return path.join(path.dirname(file), name);
}

function insidePackage(dir: string): boolean {
  const relative = path.relative(packageRoot, dir);
  return !relative.startsWith('..') && !path.isAbsolute(relative) && packageRoot.split(path.sep).includes('node_modules');
}

/** The queue a validated configuration names: a folder, or a postgres:// URL whose password is then kept out of every log. */
export function locateQueue(config: Config, file: string, source: LoadedConfig['source']): { queueDir: string; queueUrl?: string } {
  const queueUrl = config.queue && /^postgres(ql)?:\/\//i.test(config.queue) ? config.queue : undefined;
  if (queueUrl) registerSecret(decodeURIComponent(URL.parse(queueUrl)?.password ?? ''));
  let queueDir = config.queue && !queueUrl ? path.resolve(path.dirname(file), config.queue) : defaultQueueDir(file, source);
  if (source === 'example' && insidePackage(queueDir)) queueDir = defaultQueueDir(file, source);
  else if (insidePackage(queueDir)) throw new HerautError('config-invalid', `${displayPath(file)}: queue: ${queueDir} is inside the installed heraut package, which an update deletes; set queue: to a folder of your own`);
  return { queueDir, queueUrl };
}

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
