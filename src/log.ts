import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
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

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HERAUT_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (Boolean(process.stderr.isTTY) && !options.destination);
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
  return pino({ level: 'silent' });
}
