import type { MastodonAccount } from './mastodon-account.js';
import { HerautError } from '../../errors.js';

/** The fields heraut reads of Mastodon's entities (docs.joinmastodon.org/entities), as the API spells them. */
export interface MastodonStatus {
  id: string;
  created_at: string;
  uri: string;
  url: string | null;
  content: string;
  card: { url: string } | null;
}

export interface MastodonMedia {
  id: string;
  url: string | null;
}

export interface MastodonCredentials {
  id: string;
  acct: string;
}

export interface MastodonInstance {
  configuration: { statuses: { max_characters: number; characters_reserved_per_url: number } };
}

/** An answer that is not 2xx: the status, Mastodon's own words (`error`, `error_description`) and the headers (rate limits). */
export class MastodonHttpError extends Error {
  constructor(
    readonly status: number,
    readonly serverWords: string,
    readonly headers: Headers,
  ) {
    super(`Mastodon answered ${status}${serverWords ? `: ${serverWords}` : ''}`);
    this.name = 'MastodonHttpError';
  }
}

/** A call that got no usable answer: the network, our time limit, or the caller's abort. */
export class MastodonRequestError extends Error {
  constructor(
    readonly reason: 'timeout' | 'aborted' | 'network',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MastodonRequestError';
  }
}

export interface MastodonCall {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body, or a form (multipart) for media. */
  body?: Record<string, unknown> | FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface MastodonClient {
  get<T>(path: string, call?: MastodonCall): Promise<{ data: T; status: number }>;
  post<T>(path: string, call?: MastodonCall): Promise<{ data: T; status: number }>;
}

/** The account's access token, or a platform-auth error saying how to make one. */
export function mastodonToken(name: string, account: MastodonAccount): string {
  if (account.accessToken) return account.accessToken;
  throw new HerautError(
    'platform-auth',
    `account ${name}: accessToken is not set; on ${account.instance} open Preferences > Development > New application with scopes write:statuses, write:media and read:accounts, export its token as MASTODON_ACCESS_TOKEN and set accessToken: \${MASTODON_ACCESS_TOKEN} under accounts.${name} in the config`,
    { details: { account: name, missing: ['accessToken'] } },
  );
}

/**
 * A few REST calls over fetch. masto 7.12 can set Idempotency-Key per call, but it throws a bare TypeError on a 5xx
 * whose body is an HTML page (what a proxy in front of a restarting instance sends) and keeps the rate-limit headers
 * out of its errors; heraut needs both to decide between retry, wait and fail.
 */
export function createMastodonClient(name: string, account: MastodonAccount, timeoutMs: number): MastodonClient {
  const token = mastodonToken(name, account);

  async function call<T>(method: 'GET' | 'POST', path: string, options: MastodonCall = {}): Promise<{ data: T; status: number }> {
    const url = new URL(path, account.instance);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { ...options.headers, authorization: `Bearer ${token}`, accept: 'application/json' };
    let body: string | FormData | undefined;
    if (options.body instanceof FormData) body = options.body;
    else if (options.body) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body, redirect: 'error', signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw new MastodonRequestError('aborted', 'interrupted', { cause: error });
      if (timeout.aborted) throw new MastodonRequestError('timeout', `no answer within ${timeoutMs} ms`, { cause: error });
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason = [cause?.code, cause?.message].filter((part) => typeof part === 'string').join(' ') || String(error);
      throw new MastodonRequestError('network', reason, { cause: error });
    }
    const data = parseJson(text);
    if (!response.ok) throw new MastodonHttpError(response.status, serverWords(data), response.headers);
    if (data === undefined) throw new MastodonHttpError(502, 'the answer is not JSON', response.headers);
    return { data: data as T, status: response.status };
  }

  return { get: (path, options) => call('GET', path, options), post: (path, options) => call('POST', path, options) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function serverWords(data: unknown): string {
  const body = (data ?? {}) as { error?: unknown; error_description?: unknown };
  return [body.error, body.error_description]
    .filter((part) => typeof part === 'string')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
