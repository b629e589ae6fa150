export type ErrorCode =
  | 'config-invalid'
  | 'config-not-found'
  | 'usage'
  | 'feed-unreachable'
  | 'feed-invalid'
  | 'feed-too-large'
  | 'feed-rate-limited'
  | 'article-not-found'
  | 'already-posted'
  | 'teaser-invalid'
  | 'platform-auth'
  | 'platform-rejected'
  | 'platform-rate-limited'
  | 'platform-unavailable'
  | 'queue-busy'
  | 'queue-corrupt'
  | 'queue-unreachable'
  | 'queue-denied'
  | 'llm-failed'
  | 'alert-failed';

export interface HerautErrorOptions {
  cause?: unknown;
  /** Whether trying the same thing again later can help. */
  retryable?: boolean;
  /** When a retry may happen (rate limits), in ms since epoch. */
  retryAt?: number;
  details?: Record<string, unknown>;
}

/** Every error heraut raises on purpose: a stable code, a one-line message that says how to fix it, and whether to retry. */
export class HerautError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAt?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: HerautErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HerautError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAt = options.retryAt;
    this.details = options.details;
  }
}

/**
 * What happens to a post after an error, decided by the error alone:
 * attention: the account waits for a person (credentials, permissions), no retry loop;
 * fail: this post fails for good with the platform's words;
 * hold-until: the whole account waits until a known time (rate limit);
 * backoff: a transient fault, retried with backoff up to retry.maxAttempts.
 * An error heraut does not know (a TypeError in our own code) is a bug: it fails the post and is reported, never retried as an outage.
 */
export type RetryPolicy =
  | { action: 'attention' }
  | { action: 'fail'; bug?: true }
  | { action: 'hold-until'; until?: number }
  | { action: 'backoff' };

const policyByCode: Partial<Record<ErrorCode, RetryPolicy['action']>> = {
  'config-invalid': 'attention',
  'platform-auth': 'attention',
  'platform-rejected': 'fail',
  'teaser-invalid': 'fail',
  'already-posted': 'fail',
  'platform-rate-limited': 'hold-until',
  'platform-unavailable': 'backoff',
  'queue-busy': 'backoff',
  'queue-unreachable': 'backoff',
  'llm-failed': 'backoff',
};

export function policyFor(error: unknown): RetryPolicy {
  if (!isHerautError(error)) return { action: 'fail', bug: true };
  const action = policyByCode[error.code] ?? (error.retryable ? 'backoff' : 'fail');
  if (action === 'hold-until') return { action, until: error.retryAt };
  return { action } as RetryPolicy;
}

export function isHerautError(error: unknown, code?: ErrorCode): error is HerautError {
  return error instanceof HerautError && (code === undefined || error.code === code);
}

/** Exit codes of the CLI: 2 for anything the user must change in the command or config, 1 for runtime failures. */
export function exitCodeFor(error: unknown): 1 | 2 {
  if (isHerautError(error) && (error.code === 'config-invalid' || error.code === 'config-not-found' || error.code === 'usage')) return 2;
  return 1;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
