// A run --once that finds nothing new is mostly the cost of starting: reading the configuration with the YAML parser
// and the schema is half of it. The configuration as validated is kept here, and a start whose file, variables and
// heraut build are the same takes it back without loading either. Secrets are never written: the cache holds their
// ${VAR} placeholders and takes the values from the environment when it is read.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { containsSecret, registerSecret } from '../secrets.js';
import { findConfigFile, locateQueue, userDirs, type LoadConfigOptions, type LoadedConfig } from './find-config-file.js';
import { interpolate, isSecretKey, variablesIn } from './interpolate.js';
import type { Config } from './schema.js';
import { secretValueFits } from './secret-value-fits.js';

declare const HERAUT_BUILD_ID: string | undefined;

const formatVersion = 1;

export interface ConfigCacheOptions extends LoadConfigOptions {
  /** Folder of the cache files; the user's cache folder by default. */
  cacheDir?: string;
  /** What identifies the code that validated (schema, platforms): the build writes it in. Without one, nothing is cached. */
  buildId?: string;
}

type KeyPath = Array<string | number>;

interface CacheEntry {
  format: number;
  key: string;
  /** The ${VAR}s outside secrets, with the value each had (null: not set); another value is another configuration. */
  variables: Record<string, string | null>;
  /** The ${VAR}s inside secrets: whether each was set. */
  secrets: Record<string, boolean>;
  /** Where a secret goes back in, as its template ("${X_APP_KEY}"). */
  secretSites: Array<{ path: KeyPath; template: string }>;
  config: Config;
}

/** Set, as the parser reads the environment: an empty variable counts as unset. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function cacheFile(dir: string, file: string): string {
  return path.join(dir, `config-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.json`);
}

function entryKey(buildId: string, file: string, source: LoadedConfig['source'], dryRun: boolean, text: string): string {
  return createHash('sha256').update(JSON.stringify([formatVersion, buildId, process.version, file, source, dryRun, text])).digest('hex');
}

/** The configuration, from the cache when it holds this one, else read and validated (then cached). Behaves as loadConfig. */
export async function loadConfigCached(options: ConfigCacheOptions = {}): Promise<LoadedConfig> {
  const buildId = options.buildId ?? (typeof HERAUT_BUILD_ID === 'string' ? HERAUT_BUILD_ID : undefined);
  const env = options.env ?? process.env;
  const { file, source } = findConfigFile(options);
  let text = options.text;
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // loadConfig says what is wrong.
    }
  }
  const dir = options.cacheDir ?? userDirs().cache;
  const key = buildId && text !== undefined ? entryKey(buildId, file, source, options.dryRun === true, text) : undefined;
  if (key) {
    const config = readEntry(cacheFile(dir, file), key, env);
    if (config) return { config, file, source, baseDir: path.dirname(file), ...locateQueue(config, file, source), text: text! };
  }
  const { readConfig } = await import('./load-config.js');
  const { loaded, raw } = readConfig({ ...options, text });
  if (key) writeEntry(cacheFile(dir, file), key, loaded.config, raw, env);
  return loaded;
}

function readEntry(file: string, key: string, env: NodeJS.ProcessEnv): Config | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    if (entry.format !== formatVersion || entry.key !== key) return undefined;
    for (const [name, value] of Object.entries(entry.variables)) if ((envValue(env, name) ?? null) !== value) return undefined;
    for (const [name, set] of Object.entries(entry.secrets)) if ((envValue(env, name) !== undefined) !== set) return undefined;
    const { config } = entry;
    for (const site of entry.secretSites) {
      const value = interpolate(site.template, site.path, (name) => envValue(env, name));
      if (typeof value !== 'string' || !secretValueFits(site.path, value)) return undefined;
      setAt(config, site.path, value);
    }
    // As the parser does: what a ${VAR} gives a secret is kept out of every log.
    for (const site of entry.secretSites) if (isSecretKey(site.path)) for (const name of variablesIn(site.template)) registerSecret(envValue(env, name));
    return config;
  } catch {
    // Missing, unreadable or not what this code writes: the file is validated as without a cache.
    return undefined;
  }
}

/** Writes the entry when the configuration can be kept without a secret in it; any failure only means no cache. */
function writeEntry(file: string, key: string, config: Config, raw: unknown, env: NodeJS.ProcessEnv): void {
  const stored = structuredClone(config);
  const variables: CacheEntry['variables'] = {};
  const secrets: CacheEntry['secrets'] = {};
  const secretSites: CacheEntry['secretSites'] = [];
  for (const site of templateSites(raw, [])) {
    const value = interpolate(site.template, site.path, (name) => envValue(env, name));
    const names = variablesIn(site.template);
    // A postgres:// queue's password is a secret wherever its URL came from.
    const secret = isSecretKey(site.path) || (site.path.length === 1 && site.path[0] === 'queue' && typeof value === 'string' && containsSecret(value));
    if (secret) {
      for (const name of names) secrets[name] = envValue(env, name) !== undefined;
      // A secret whose variable is unset was left out (a dry run); a value set later makes another entry.
      if (value !== undefined) {
        secretSites.push({ path: site.path, template: site.template });
        setAt(stored, site.path, site.template);
      }
    } else {
      for (const name of names) variables[name] = envValue(env, name) ?? null;
    }
  }
  // The same variable in a secret and elsewhere, or a secret written in the file itself: then nothing is cached.
  if (Object.keys(variables).some((name) => name in secrets)) return;
  const entry: CacheEntry = { format: formatVersion, key, variables, secrets, secretSites, config: stored };
  const json = JSON.stringify(entry);
  if (containsSecret(json) || hasLiteralSecret(stored, [], secretSites)) return;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, json, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // A read-only or missing cache folder: every start validates the file, as without a cache.
  }
}

/** The strings holding a ${VAR} in the configuration as written. */
function templateSites(value: unknown, keyPath: KeyPath): Array<{ path: KeyPath; template: string }> {
  if (typeof value === 'string') return variablesIn(value).length > 0 ? [{ path: keyPath, template: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => templateSites(item, [...keyPath, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => templateSites(item, [...keyPath, key]));
  return [];
}

/** A value at a secret's key that is not a placeholder: a secret written in the file. */
function hasLiteralSecret(value: unknown, keyPath: KeyPath, sites: CacheEntry['secretSites']): boolean {
  if (typeof value === 'string') return isSecretKey(keyPath) && !sites.some((site) => samePath(site.path, keyPath));
  if (Array.isArray(value)) return value.some((item, index) => hasLiteralSecret(item, [...keyPath, index], sites));
  if (value && typeof value === 'object') return Object.entries(value).some(([key, item]) => hasLiteralSecret(item, [...keyPath, key], sites));
  return false;
}

function samePath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

function setAt(target: unknown, keyPath: KeyPath, value: string): void {
  let current = target as Record<string | number, unknown>;
  for (const part of keyPath.slice(0, -1)) current = current[part] as Record<string | number, unknown>;
  current[keyPath[keyPath.length - 1]!] = value;
}
