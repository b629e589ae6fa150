import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closest } from 'fastest-levenshtein';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { errorMessage, HerautError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { cronProblem } from './cron.js';
import { displayPath, findConfigFile, locateQueue, type LoadConfigOptions, type LoadedConfig } from './find-config-file.js';
import { interpolate, isSecretKey } from './interpolate.js';
import { Config } from './schema.js';
import { platformIds, platformSpec } from '../platforms/registry.js';

export { defaultQueueDir, exampleConfigPath, findConfigFile, packageRoot, userDirs, type LoadConfigOptions, type LoadedConfig } from './find-config-file.js';

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  return readConfig(options).loaded;
}

/** loadConfig, with the values as the YAML wrote them (before ${VAR} interpolation), for the configuration cache. */
export function readConfig(options: LoadConfigOptions = {}): { loaded: LoadedConfig; raw: unknown } {
  const { file, source } = findConfigFile(options);
  let text: string;
  try {
    text = options.text ?? readFileSync(file, 'utf8');
  } catch (error) {
    const how = source === 'option' ? 'check the --config path' : source === 'env' ? 'check the HERAUT_CONFIG variable' : 'run heraut init to write one';
    throw new HerautError('config-not-found', `${displayPath(file)}: cannot read the configuration (${(error as NodeJS.ErrnoException).code ?? 'error'}); ${how}`, { cause: error });
  }
  // The bundled example is a demonstration: it never posts for real, whatever its text says.
  const { config, raw } = parseConfig(text, file, source === 'example' ? { ...options, dryRun: true } : options);
  return { loaded: { config, file, source, baseDir: path.dirname(file), ...locateQueue(config, file, source), text }, raw };
}

/** Parses, interpolates ${VAR} and validates; every problem becomes one line "file:line:col: key: what is wrong; how to fix". */
export function parseConfigText(text: string, file: string, options: LoadConfigOptions = {}): Config {
  return parseConfig(text, file, options).config;
}

function parseConfig(text: string, file: string, options: LoadConfigOptions): { config: Config; raw: unknown } {
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
  return { config, raw };
}

function configError(problems: string[]): HerautError {
  return new HerautError('config-invalid', problems.join('\n'), { details: { problems } });
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
