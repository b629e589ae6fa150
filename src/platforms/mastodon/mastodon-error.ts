import { HerautError } from '../../errors.js';
import type { ErrorContext } from '../platform.js';
import { MastodonHttpError, MastodonRequestError } from './mastodon-client.js';

const FIVE_MINUTES = 5 * 60_000;

export interface MastodonErrorContext extends ErrorContext {
  timeoutMs?: number;
  now?: number;
}

/** Turns what the client throws into the HerautError whose code tells policyFor what happens next; undefined when it is not Mastodon's. */
export function mapMastodonError(error: unknown, context: MastodonErrorContext): HerautError | undefined {
  if (error instanceof HerautError) return error;
  const { account, action } = context;
  const now = context.now ?? Date.now();
  if (error instanceof MastodonHttpError) {
    const { status } = error;
    const said = `${status}${error.serverWords ? `: ${error.serverWords}` : ''}`;
    const details = { account, status, detail: error.serverWords };
    if (status === 401 || status === 403) {
      return new HerautError(
        'platform-auth',
        `account ${account}: Mastodon refused to ${action} (${said}); make a new access token with scopes write:statuses, write:media and read:accounts (Preferences > Development) and export it as MASTODON_ACCESS_TOKEN`,
        { cause: error, details },
      );
    }
    if (status === 429) {
      const reset = Date.parse(error.headers.get('x-ratelimit-reset') ?? '');
      const retryAt = Number.isFinite(reset) && reset > now ? reset : now + FIVE_MINUTES;
      return new HerautError(
        'platform-rate-limited',
        `account ${account}: Mastodon refused to ${action}, the rate limit is used up; heraut will retry after ${new Date(retryAt).toISOString()} (raise accounts.${account}.pace.minGap if this keeps happening)`,
        { cause: error, retryable: true, retryAt, details },
      );
    }
    if (status >= 500 || status === 408) {
      return new HerautError('platform-unavailable', `account ${account}: Mastodon failed to ${action} (${said}); heraut will retry later`, { cause: error, retryable: true, details });
    }
    return new HerautError('platform-rejected', `account ${account}: Mastodon rejected the request to ${action} (${said}); edit the post so the instance accepts it, this one will not be retried`, {
      cause: error,
      details,
    });
  }
  if (error instanceof MastodonRequestError) {
    const seconds = Math.round((context.timeoutMs ?? 30_000) / 100) / 10;
    const message = {
      aborted: `account ${account}: interrupted while trying to ${action}; heraut will retry with the same Idempotency-Key`,
      timeout: `account ${account}: Mastodon did not answer within ${seconds}s when trying to ${action}; heraut will retry (raise accounts.${account}.timeout if this keeps happening)`,
      network: `account ${account}: could not reach Mastodon to ${action} (${error.message}); heraut will retry, check the network and accounts.${account}.instance if this keeps happening`,
    }[error.reason];
    return new HerautError('platform-unavailable', message, { cause: error, retryable: true, details: { account, reason: error.reason } });
  }
  return undefined;
}
