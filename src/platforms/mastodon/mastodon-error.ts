import { MastoHttpError, MastoTimeoutError, MastoUnexpectedError } from 'masto';
import { HerautError } from '../../errors.js';

const FIVE_MINUTES = 5 * 60_000;

export interface MastodonErrorContext {
  account: string;
  /** What we were doing, for the message: "post", "verify the token", "upload the image". */
  action: string;
  timeoutMs: number;
  /** The caller aborted (shutdown). */
  aborted: boolean;
}

/** Turns what masto or fetch throws into the HerautError whose code decides what happens next; anything else is a bug and passes through. */
export function toMastodonError(error: unknown, context: MastodonErrorContext): unknown {
  if (error instanceof HerautError) return error;
  const { account, action } = context;

  if (error instanceof MastoHttpError) {
    const status = error.statusCode;
    const said = serverWords(error);
    const details = { account, status, detail: said };
    if (status === 401 || status === 403) {
      return new HerautError(
        'platform-auth',
        `account ${account}: Mastodon refused to ${action} (${status}${said ? `: ${said}` : ''}); make a new access token with scopes write:statuses, write:media and read:accounts (Preferences > Development) and export it as MASTODON_ACCESS_TOKEN`,
        { cause: error, details },
      );
    }
    if (status === 429) {
      const reset = Date.parse(responseOf(error)?.headers.get('x-ratelimit-reset') ?? '');
      const retryAt = Number.isFinite(reset) && reset > Date.now() ? reset : Date.now() + FIVE_MINUTES;
      return new HerautError(
        'platform-rate-limited',
        `account ${account}: Mastodon refused to ${action}, the rate limit is used up; heraut will retry after ${new Date(retryAt).toISOString()} (raise accounts.${account}.pace.minGap if this keeps happening)`,
        { cause: error, retryable: true, retryAt, details },
      );
    }
    if (status >= 500 || status === 408) {
      return new HerautError('platform-unavailable', `account ${account}: Mastodon failed to ${action} (${status}${said ? `: ${said}` : ''}); heraut will retry later`, { cause: error, retryable: true, details });
    }
    return new HerautError('platform-rejected', `account ${account}: Mastodon rejected the request to ${action} (${status}${said ? `: ${said}` : ''}); edit the post so the instance accepts it, this one will not be retried`, {
      cause: error,
      details,
    });
  }

  const seconds = Math.round(context.timeoutMs / 100) / 10;
  let message: string | undefined;
  if (context.aborted) message = `account ${account}: interrupted while trying to ${action}; heraut will retry with the same Idempotency-Key`;
  else if (error instanceof MastoTimeoutError || isTimeout(error)) {
    message = `account ${account}: Mastodon did not answer within ${seconds}s when trying to ${action}; heraut will retry (raise accounts.${account}.timeout if this keeps happening)`;
  } else if (error instanceof MastoUnexpectedError) message = `account ${account}: Mastodon gave an answer heraut cannot read when trying to ${action}; the instance may be down, heraut will retry`;
  else if (isNetworkError(error)) message = `account ${account}: could not reach Mastodon to ${action} (${networkReason(error)}); heraut will retry, check the network if this keeps happening`;
  if (message) return new HerautError('platform-unavailable', message, { cause: error, retryable: true, details: { account } });
  return error;
}

/** Mastodon's own words: `error`, then the field details of a validation failure; HTML error pages say nothing useful. */
function serverWords(error: MastoHttpError): string {
  const parts = typeof error.message === 'string' && error.message ? [error.message] : [];
  if (error.description) parts.push(error.description);
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

function responseOf(error: MastoHttpError): Response | undefined {
  return error.cause instanceof Response ? error.cause : undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

/** undici's fetch throws TypeError("fetch failed") with the socket error as cause. */
function isNetworkError(error: unknown): error is TypeError {
  return error instanceof TypeError && error.message === 'fetch failed';
}

function networkReason(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return [cause?.code, cause?.message].filter((part) => typeof part === 'string').join(' ') || error.message;
}
