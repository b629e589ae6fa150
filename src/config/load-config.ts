import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { closest } from 'fastest-levenshtein';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { errorMessage, HerautError } from '../errors.js';
import { registerSecret } from '../log.js';
import { cronProblem } from './cron.js';
import { Config } from './schema.js';
import { platformIds, platformSpec } from '../platforms/registry.js';

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
export function userDirs(): { config: string; state: string } {
  const paths = envPaths('heraut', { suffix: '' });
  return { config: paths.config, state: process.platform === 'linux' ? paths.log : paths.data };
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

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const { file, source } = findConfigFile(options);
  let text: string;
  try {
    text = options.text ?? readFileSync(file, 'utf8');
  } catch (error) {
    const how = source === 'option' ? 'check the --config path' : source === 'env' ? 'check the HERAUT_CONFIG variable' : 'run heraut init to write one';
    throw new HerautError('config-not-found', `${displayPath(file)}: cannot read the configuration (${(error as NodeJS.ErrnoException).code ?? 'error'}); ${how}`, { cause: error });
  }
  // The bundled example is a demonstration: it never posts for real, whatever its text says.
  const config = parseConfigText(text, file, source === 'example' ? { ...options, dryRun: true } : options);
  const baseDir = path.dirname(file);
  const queueUrl = config.queue && /^postgres(ql)?:\/\//i.test(config.queue) ? config.queue : undefined;
  if (queueUrl) registerSecret(decodeURIComponent(URL.parse(queueUrl)?.password ?? ''));
  let queueDir = config.queue && !queueUrl ? path.resolve(baseDir, config.queue) : defaultQueueDir(file, source);
  if (source === 'example' && insidePackage(queueDir)) queueDir = defaultQueueDir(file, source);
  else if (insidePackage(queueDir)) throw new HerautError('config-invalid', `${displayPath(file)}: queue: ${queueDir} is inside the installed heraut package, which an update deletes; set queue: to a folder of your own`);
  return { config, file, source, baseDir, queueDir, queueUrl, text };
}

/** Parses, interpolates ${VAR} and validates; every problem becomes one line "file:line:col: key: what is wrong; how to fix". */
export function parseConfigText(text: string, file: string, options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return displayPath(file);
    const { line, col } = lineCounter.linePos(offset);
    return `${displayPath(file)}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => `${where(error.pos[0])}: invalid YAML: ${error.message.split('\n')[0]}; fix the syntax at this spot`);
    throw configError(problems);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    throw configError([`${where(0)}: cannot expand the YAML (${errorMessage(error)}); write the values out instead of nesting aliases`]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw configError([`${where(0)}: the configuration must be a mapping of keys (dryRun, accounts, feeds, ...); see config/heraut.example.yaml`]);
  if (Object.keys(raw as object).length === 0) throw configError([`${where(0)}: the configuration is empty: it has no feeds; add a feeds: list (heraut init writes a starter)`]);

  const dryRun = options.dryRun === true || (raw as { dryRun?: unknown }).dryRun === true;
  const problems: string[] = [];
  const interpolated = interpolate(raw, [], (varName, keyPath) => {
    const value = env[varName];
    if (value !== undefined && value !== '') {
      if (isSecretKey(keyPath)) registerSecret(value);
      return value;
    }
    if (dryRun && keyPath[0] === 'accounts') return undefined;
    problems.push(`${where(nodeAt(doc, keyPath)?.range?.[0])}: ${formatPath(keyPath)}: environment variable ${varName} is not set; export ${varName}=... (or set dryRun: true to run without credentials)`);
    return undefined;
  });
  if (problems.length > 0) throw configError(problems);

  const result = Config.safeParse(interpolated);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(describeIssue(issue, doc, interpolated, where));
  } else {
    problems.push(...checkCron(result.data, doc, where));
  }
  if (problems.length > 0) throw configError(problems);
  const config = (result as { data: Config }).data;
  if (options.dryRun) config.dryRun = true;
  if (!config.dryRun) problems.push(...missingCredentials(config, doc, where));
  if (problems.length > 0) throw configError(problems);
  return config;
}

function configError(problems: string[]): HerautError {
  return new HerautError('config-invalid', problems.join('\n'), { details: { problems } });
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

const secretKeys = new Set(['appKey', 'appSecret', 'accessToken', 'accessSecret', 'password', 'webhook', 'ntfy', 'token']);
function isSecretKey(keyPath: PropertyKey[]): boolean {
  return secretKeys.has(String(keyPath[keyPath.length - 1]));
}

function interpolate(value: unknown, keyPath: PropertyKey[], lookup: (name: string, keyPath: PropertyKey[]) => string | undefined): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (whole) return lookup(whole[1]!, keyPath);
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => lookup(name, keyPath) ?? '');
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, [...keyPath, index], lookup));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = interpolate(item, [...keyPath, key], lookup);
      if (next !== undefined) out[key] = next;
    }
    return out;
  }
  return value;
}

function nodeAt(doc: Document, keyPath: PropertyKey[]): YamlNode | undefined {
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keyPath.slice(0, depth) as (string | number)[], true);
    if (node && typeof node === 'object' && 'range' in node) return node as YamlNode;
  }
  return undefined;
}

function keyNodeAt(doc: Document, keyPath: PropertyKey[], key: string): YamlNode | undefined {
  const parent = keyPath.length === 0 ? doc.contents : doc.getIn(keyPath as (string | number)[], true);
  if (isMap(parent)) {
    for (const pair of parent.items) if (isScalar(pair.key) && pair.key.value === key) return pair.key;
  }
  return undefined;
}

export function formatPath(keyPath: PropertyKey[]): string {
  let out = '';
  for (const part of keyPath) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, data: unknown, where: (offset: number | undefined) => string): string {
  const keyPath = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(keyPath, data);
    return issue.keys
      .map((key) => {
        const at = where(keyNodeAt(doc, keyPath, key)?.range?.[0] ?? nodeAt(doc, keyPath)?.range?.[0]);
        const suggestion = known.length > 0 ? `did you mean "${closest(key, known)}"? Known keys: ${known.join(', ')}` : 'remove it';
        return `${at}: ${formatPath([...keyPath, key])}: unknown key; ${suggestion}`;
      })
      .join('\n');
  }
  const node = nodeAt(doc, keyPath);
  const present = valueAt(data, keyPath) !== undefined;
  let message = issue.message;
  if (issue.code === 'invalid_type' && !present) message = `is required (${issue.expected}); add it`;
  else if (issue.code === 'invalid_type') message = `must be ${issue.expected}, not ${describeValue(valueAt(data, keyPath))}`;
  else if (issue.code === 'invalid_value') message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  else if (issue.code === 'invalid_union' && keyPath[0] === 'accounts') message = `must be ${alternatives(platformIds.map((id) => `"${id}"`))}; set ${alternatives(platformIds.map((id) => `platform: ${id}`))}`;
  return `${where(node?.range?.[0])}: ${formatPath(keyPath)}: ${message}`;
}

function alternatives(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : items.join('');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, keyPath: PropertyKey[]): unknown {
  let current: unknown = data;
  for (const part of keyPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** The keys the schema allows at a path, for "did you mean" suggestions. */
function knownKeysAt(keyPath: PropertyKey[], data: unknown): string[] {
  let schema: z.ZodType | undefined = Config as unknown as z.ZodType;
  const walked: PropertyKey[] = [];
  for (const part of keyPath) {
    schema = unwrap(schema, valueAt(data, walked));
    walked.push(part);
    if (!schema) return [];
    if (schema instanceof z.ZodObject) schema = schema.shape[String(part)] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return [];
  }
  schema = unwrap(schema, valueAt(data, walked));
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).filter((key) => key !== '$schema') : [];
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let current = schema;
  for (let i = 0; i < 10 && current; i++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDiscriminatedUnion) {
      const platform = (value as { platform?: unknown } | undefined)?.platform;
      const options = current.options as z.ZodType[];
      current = options.find((option) => option instanceof z.ZodObject && (option.shape as Record<string, z.ZodType>).platform instanceof z.ZodLiteral && ((option.shape as Record<string, z.ZodLiteral>).platform!.value === platform));
      if (!current) return undefined;
    } else if (current instanceof z.ZodUnion) {
      current = (current.options as z.ZodType[]).find((option) => option instanceof z.ZodObject);
    } else break;
  }
  return current;
}

function checkCron(config: Config, doc: Document, where: (offset: number | undefined) => string): string[] {
  const problems: string[] = [];
  const check = (expression: string, keyPath: (string | number)[]) => {
    const problem = cronProblem(expression);
    if (problem) problems.push(`${where(nodeAt(doc, keyPath)?.range?.[0])}: ${formatPath(keyPath)}: "${expression}" is not a valid cron expression (${problem}); use five fields, minute hour day-of-month month day-of-week (or six with seconds first), e.g. "*/15 * * * *"`);
  };
  config.feeds.forEach((feed, index) => check(feed.schedule, ['feeds', index, 'schedule']));
  for (const [name, account] of Object.entries(config.accounts)) account.pace?.slots?.forEach((slot, index) => check(slot, ['accounts', name, 'pace', 'slots', index]));
  return problems;
}

function missingCredentials(config: Config, doc: Document, where: (offset: number | undefined) => string): string[] {
  const problems: string[] = [];
  for (const [name, account] of Object.entries(config.accounts)) {
    for (const [key, env] of Object.entries(platformSpec(account.platform).credentialEnv)) {
      if (!(account as Record<string, unknown>)[key]) {
        const keyPath = ['accounts', name];
        problems.push(`${where(nodeAt(doc, keyPath)?.range?.[0])}: ${formatPath([...keyPath, key])}: is required to post for real; add ${key}: \${${env}} and export ${env} (or set dryRun: true)`);
      }
    }
  }
  return problems;
}
