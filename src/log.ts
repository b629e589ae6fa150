import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import type { ChildLoggerOptions, DestinationStream, Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { shortenUrls } from './error-text.js';
import { scrubSecrets } from './secrets.js';

export type { Logger } from 'pino';
export { registerSecret, scrubSecrets } from './secrets.js';

export interface LoggerOptions {
  level?: string;
  /** Pretty output for a person; JSON lines otherwise. Defaults to whether stderr is a terminal. */
  pretty?: boolean;
  destination?: DestinationStream;
  /** Read for NO_COLOR. */
  env?: NodeJS.ProcessEnv;
}

/** https://no-color.org: present and not empty turns colours off. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

/**
 * A warning says what went wrong in one line, without a stack trace (HERAUT_DEBUG=1 shows those for errors heraut did
 * not expect) and with only the start of a long URL. An error in a log line's err field becomes its message (and code).
 */
function errorFields(error: unknown): unknown {
  if (typeof error === 'string') return shortenUrls(error);
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const message = shortenUrls(error.message);
  return code === undefined ? message : { message, code };
}

/**
 * pino, evaluated on first use. The bundler turns this require() into a call of the bundled pino's own module code;
 * run from the sources (tests), it is Node's require.
 */
function loadPino(): typeof import('pino') {
  return (typeof require === 'function' ? require('pino') : createRequire(import.meta.url)('pino')) as typeof import('pino');
}

const levelValues: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY };
const ignore = () => undefined;

/**
 * A logger whose pino logger is made when a line at an enabled level is first written: a run that writes no line
 * (a quiet cycle that finds nothing new) never evaluates pino. Once made, everything is pino's.
 */
function deferred(level: string, make: () => Logger): Logger {
  let made: Logger | undefined;
  const real = () => (made ??= make());
  // An unknown level is refused by pino at once, as before.
  if (levelValues[level] === undefined) real();
  return new Proxy({} as Logger, {
    get(_, property) {
      if (!made && typeof property === 'string') {
        if (levelValues[property] !== undefined && levelValues[property]! < levelValues[level]!) return ignore;
        if (property === 'level') return level;
        if (property === 'isLevelEnabled') return (asked: string) => (levelValues[asked] ?? 0) >= levelValues[level]!;
        if (property === 'child') return (bindings: Record<string, unknown>, options?: ChildLoggerOptions) => deferred(options?.level ?? level, () => real().child(bindings, options));
      }
      const value: unknown = Reflect.get(real(), property);
      return typeof value === 'function' ? value.bind(made) : value;
    },
    set(_, property, value) {
      return Reflect.set(real(), property, value);
    },
  });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HERAUT_LOG_LEVEL ?? 'info';
  return deferred(level, () => makeLogger(level, options));
}

function makeLogger(level: string, options: LoggerOptions): Logger {
  const { pino } = loadPino();
  const pretty = options.pretty ?? (isatty(2) && !options.destination);
  const base = {
    level,
    base: undefined,
    redact: {
      paths: ['password', 'appKey', 'appSecret', 'accessToken', 'accessSecret', 'accessJwt', 'refreshJwt', 'apiKey', '*.password', '*.appSecret', '*.accessSecret', '*.accessToken', '*.accessJwt', '*.refreshJwt', '*.apiKey', 'headers.authorization'],
      censor: '[redacted]',
    },
    serializers: { err: errorFields, error: errorFields, cause: errorFields },
    hooks: { streamWrite: scrubSecrets },
  };
  if (pretty) {
    // In this thread, not a transport's worker: a CLI's lines then come out in order and before it exits.
    const prettyStream = createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => DestinationStream;
    return pino(base, prettyStream({ destination: options.destination ?? 2, colorize: colorWanted(options.env), ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss', sync: true }));
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything: for library callers and tests that do not look at logs. */
export function silentLogger(): Logger {
  return deferred('silent', () => loadPino().pino({ level: 'silent' }));
}
