import type { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { HerautError } from '../../errors.js';
import type { ErrorContext } from '../platform.js';

const FIFTEEN_MINUTES = 15 * 60_000;

export interface XErrorContext extends ErrorContext {
  timeoutMs?: number;
  /** The latest call hit our time limit. */
  timedOut: boolean;
  /** The caller aborted (shutdown). */
  aborted: boolean;
}

// twitter-api-v2's errors are told apart by their `type`, so that mapping them does not load the library.
function isResponseError(error: unknown): error is ApiResponseError {
  return error instanceof Error && (error as { type?: unknown }).type === 'response' && typeof (error as { code?: unknown }).code === 'number';
}

function isRequestError(error: unknown): error is ApiRequestError | ApiPartialResponseError {
  const type = error instanceof Error ? (error as { type?: unknown }).type : undefined;
  return type === 'request' || type === 'partial-response';
}

/** X's 403 for a text it already has. */
export function isXDuplicate(error: unknown): boolean {
  return isResponseError(error) && error.code === 403 && apiDetail(error).includes('duplicate content');
}

// 403s that no edit of the post can fix: the app lacks write access, the account is suspended or locked, the app is not in a project.
const ACCOUNT_403 = /oauth1-permissions|client-forbidden|suspended|locked|appropriate .*permissions|attached to a project/i;

/** Turns what twitter-api-v2 throws into the HerautError whose code tells policyFor what happens next; undefined when it is not X's. */
export function mapXError(error: unknown, context: XErrorContext): HerautError | undefined {
  if (error instanceof HerautError) return error;
  const { account, action } = context;

  if (isResponseError(error)) {
    const status = error.code;
    const detail = apiDetail(error);
    const said = detail ? `: ${detail}` : '';
    const details = { account, status, detail };
    if (status === 401) {
      return new HerautError(
        'platform-auth',
        `account ${account}: X rejected the credentials (401${said}); check that X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET come from the same app and were regenerated after any permission change`,
        { details },
      );
    }
    if (status === 403 && isXDuplicate(error)) {
      return new HerautError('platform-rejected', `account ${account}: X refused it as a duplicate (403${said}); the account already has a post with this exact text, edit the text to post it again`, { details });
    }
    if (status === 403 && ACCOUNT_403.test(`${problemType(error)} ${detail}`)) {
      return new HerautError(
        'platform-auth',
        `account ${account}: X refused to ${action} (403${said}); check in the developer portal that the app has Read and Write access (then regenerate the access token) and that the account is not suspended or locked`,
        { details },
      );
    }
    if (status === 403) {
      return new HerautError('platform-rejected', `account ${account}: X refused this post (403${said}); this one will not be retried, the account's other posts go on`, { details });
    }
    if (status === 402) {
      return new HerautError('platform-auth', `account ${account}: X requires payment to ${action} (402${said}); add credits to the app in the developer portal`, { details });
    }
    if (status === 429) return rateLimited(error, account, action);
    if (status >= 500) {
      return new HerautError('platform-unavailable', `account ${account}: X failed to ${action} (${status}${said}); heraut will retry later`, { retryable: true, details });
    }
    return new HerautError('platform-rejected', `account ${account}: X rejected the request to ${action} (${status}${said}); edit the post so X accepts it, this one will not be retried`, { details });
  }

  if (isRequestError(error)) {
    const seconds = Math.round((context.timeoutMs ?? 0) / 100) / 10;
    const message = context.aborted
      ? `account ${account}: interrupted while trying to ${action}; heraut will retry and check for a duplicate`
      : context.timedOut
        ? `account ${account}: X did not answer within ${seconds}s when trying to ${action}; heraut will retry (raise accounts.${account}.timeout if this keeps happening)`
        : `account ${account}: could not reach X to ${action} (${networkReason(error)}); heraut will retry, check the network if this keeps happening`;
    return new HerautError('platform-unavailable', message, { retryable: true, details: { account, timedOut: context.timedOut } });
  }

  return undefined;
}

function rateLimited(error: ApiResponseError, account: string, action: string): HerautError {
  const header = (name: string): number | undefined => {
    const raw = error.headers?.[name];
    const value = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(value) ? undefined : value;
  };
  let which: string;
  let resetSeconds: number | undefined;
  let hint: string;
  if (header('x-user-limit-24hour-remaining') === 0) {
    which = "the account's 24-hour post limit";
    resetSeconds = header('x-user-limit-24hour-reset');
    hint = `lower accounts.${account}.pace.maxPerDay if this happens every day`;
  } else if (header('x-app-limit-24hour-remaining') === 0) {
    which = "the app's 24-hour post limit";
    resetSeconds = header('x-app-limit-24hour-reset');
    hint = 'other accounts or tools using the same app count too';
  } else {
    which = 'the 15-minute rate limit';
    resetSeconds = header('x-rate-limit-reset');
    hint = `raise accounts.${account}.pace.minGap if this keeps happening`;
  }
  const retryAt = resetSeconds !== undefined && resetSeconds * 1000 > Date.now() ? resetSeconds * 1000 : Date.now() + FIFTEEN_MINUTES;
  return new HerautError(
    'platform-rate-limited',
    `account ${account}: X refused to ${action}, ${which} is used up; heraut will retry after ${new Date(retryAt).toISOString()} (${hint})`,
    { retryable: true, retryAt, details: { account, status: 429, limit: which } },
  );
}

/** twitter-api-v2 keeps the socket error in `_options.error` (its `requestError` getter reads the wrong key). */
function networkReason(error: ApiRequestError | ApiPartialResponseError): string {
  const options = (error as unknown as { _options?: { error?: unknown; responseError?: unknown } })._options;
  const cause = (error.type === 'request' ? options?.error : options?.responseError) as { code?: unknown; message?: unknown } | undefined;
  const reason = [typeof cause?.code === 'string' ? cause.code : undefined, typeof cause?.message === 'string' ? cause.message : undefined].filter(Boolean).join(' ');
  return reason || error.message;
}

function problemType(error: ApiResponseError): string {
  const type = (error.data as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : '';
}

function apiDetail(error: ApiResponseError): string {
  const data = error.data as { detail?: unknown; title?: unknown; errors?: Array<{ message?: unknown }> } | undefined;
  const parts: string[] = [];
  if (typeof data?.detail === 'string') parts.push(data.detail);
  else if (typeof data?.title === 'string') parts.push(data.title);
  for (const item of data?.errors ?? []) if (typeof item?.message === 'string' && !parts.includes(item.message)) parts.push(item.message);
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}
