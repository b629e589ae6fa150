import type { XRPCError } from '@atproto/api';
import { HerautError } from '../../errors.js';
import { scrubSecrets } from '../../log.js';
import type { ErrorContext } from '../platform.js';

const AUTH_ERRORS = new Set(['AuthenticationRequired', 'InvalidToken', 'ExpiredToken', 'AccountTakedown', 'AccountDeactivated', 'AuthFactorTokenRequired', 'InvalidDID']);
const GONE_ERRORS = new Set(['AccountTakedown', 'AccountDeactivated']);
const RATE_LIMIT_FALLBACK_MS = 5 * 60_000;

/**
 * Turns what @atproto/api throws into a HerautError whose code decides what happens next: bad credentials stop the
 * account, rate limits wait for `ratelimit-reset`, 5xx and network failures retry, other 4xx fail the post.
 * Anything else is not Bluesky's (the library reports network failures as XRPCErrors too): undefined, a bug.
 */
export function mapBlueskyError(error: unknown, context: ErrorContext): HerautError | undefined {
  if (error instanceof HerautError) return error;
  const { account, action } = context;
  if (isXrpcError(error)) {
    const status = Number(error.status);
    const name = error.error ?? '';
    const detail = failureReason(error);
    const details = { status, error: name };
    if (status === 429 || name === 'RateLimitExceeded') {
      const reset = Number(error.headers?.['ratelimit-reset'] ?? error.headers?.['RateLimit-Reset']);
      const retryAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : Date.now() + RATE_LIMIT_FALLBACK_MS;
      return new HerautError('platform-rate-limited', `Bluesky rate limit reached for account "${account}" while ${action}: heraut will try again after ${new Date(retryAt).toISOString()}`, { cause: error, retryable: true, retryAt, details });
    }
    if (GONE_ERRORS.has(name)) {
      return new HerautError('platform-auth', `Bluesky account "${account}" is suspended or deactivated (${detail}): sign in at bsky.app to see why, then restart heraut`, { cause: error, details });
    }
    if (status === 401 || AUTH_ERRORS.has(name)) {
      return new HerautError('platform-auth', `Bluesky refused the credentials of account "${account}" while ${action} (${detail}): check its identifier and app password (BLUESKY_IDENTIFIER, BLUESKY_APP_PASSWORD; create one at bsky.app Settings > App passwords)`, { cause: error, details });
    }
    // 1 is the library's code for "no response" (network failure, timeout); 2 a response it could not read.
    if (status < 100) {
      return new HerautError('platform-unavailable', `Bluesky could not be reached while ${action} for account "${account}" (${detail}): heraut will retry; check the network and the account's service URL`, { cause: error, retryable: true, details });
    }
    if (status >= 500 || status === 408) {
      return new HerautError('platform-unavailable', `Bluesky failed while ${action} for account "${account}" (HTTP ${status}: ${detail}): heraut will retry later`, { cause: error, retryable: true, details });
    }
    return new HerautError('platform-rejected', `Bluesky rejected ${action} for account "${account}": ${detail}`, { cause: error, details });
  }
  return undefined;
}

// Told apart by shape, so that mapping an error does not load @atproto/api.
function isXrpcError(error: unknown): error is XRPCError {
  return error instanceof Error && (error as { success?: unknown }).success === false && typeof (error as { status?: unknown }).status === 'number';
}

/** mapBlueskyError, or the error itself when it is not Bluesky's. */
export function toBlueskyError(error: unknown, context: ErrorContext): unknown {
  return mapBlueskyError(error, context) ?? error;
}

/** One line for logs and messages: the error's words plus the network code underneath ("fetch failed (ECONNREFUSED)", "fetch failed (timed out)"), secrets removed. */
export function failureReason(error: unknown): string {
  let text = error instanceof Error ? error.message || error.name : String(error);
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause instanceof Error && depth < 4; depth++, cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    const words = cause.name === 'TimeoutError' ? 'timed out' : typeof code === 'string' ? code : cause.message;
    if (words && !text.includes(words)) {
      text += ` (${words})`;
      break;
    }
  }
  return scrubSecrets(text).replace(/\s+/g, ' ').trim();
}
