import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HerautError } from '../errors.js';
import { capRetryAt, maxRetryAfterMs } from '../net/backoff.js';
import { AddressGuard, AddressRefusedError, guardedGet, type Resolve } from '../net/guarded-fetch.js';
import { announcedLength, BodyTooLargeError, readBodyLimited } from '../net/fetch-limited.js';

/** What the last successful fetch left behind, sent back as a conditional GET. */
export interface FeedFetchState {
  etag?: string;
  lastModified?: string;
  /** Where the feed said it moved permanently (301/308); the config's URL should be updated to it. */
  movedTo?: string;
}

/** A fetch-compatible function (Node's own fetch by default). */
export type FetchFunction = (url: string, init: FetchInit) => Promise<FetchResponse>;

export interface FetchInit {
  method: 'GET';
  headers: Record<string, string>;
  redirect: 'manual';
  signal: AbortSignal;
}

export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}

export interface FetchFeedOptions {
  feedId: string;
  /** Folder that relative file paths are resolved against (the config file's folder). */
  baseDir: string;
  timeoutMs: number;
  maxBytes: number;
  state?: FeedFetchState;
  signal?: AbortSignal;
  fetch?: FetchFunction;
  /** Host name to addresses (the system resolver by default). */
  resolve?: Resolve;
}

export type FetchFeedResult =
  | { status: 'not-modified'; state: FeedFetchState }
  | { status: 'ok'; body: Buffer; contentType?: string; url: string; state: FeedFetchState; movedTo?: string };

const maxRedirects = 5;

function readPackage(): { version: string; homepage?: string } {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; homepage?: string };
  } catch {
    return { version: '0.0.0' };
  }
}

const pkg = readPackage();
export const userAgent = `heraut/${pkg.version}${pkg.homepage ? ` (+${pkg.homepage})` : ''}`;

function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

function describeDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Retry-After is either delta-seconds or an HTTP date; returns ms since epoch. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return now + Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : date;
}

function tooLarge(feedId: string, location: string, maxBytes: number): HerautError {
  return new HerautError('feed-too-large', `Feed "${feedId}" (${location}) is larger than maxBytes ${maxBytes} bytes; raise the feed's maxBytes if the feed is really that big.`, {
    details: { feedId, url: location, maxBytes },
  });
}

async function fetchFile(location: string, options: FetchFeedOptions): Promise<FetchFeedResult> {
  const filePath = location.startsWith('file:') ? fileURLToPath(location) : path.resolve(options.baseDir, location);
  const unreadable = (cause: unknown) =>
    new HerautError('feed-unreachable', `Feed "${options.feedId}": cannot read the file ${filePath} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); check the path, which is relative to the config file.`, {
      cause,
      retryable: true,
      details: { feedId: options.feedId, url: location },
    });
  let info;
  try {
    info = await stat(filePath);
  } catch (cause) {
    throw unreadable(cause);
  }
  const lastModified = info.mtime.toUTCString();
  if (options.state?.lastModified === lastModified && !options.state.etag) return { status: 'not-modified', state: { ...options.state } };
  if (info.size > options.maxBytes) throw tooLarge(options.feedId, filePath, options.maxBytes);
  let handle;
  try {
    handle = await open(filePath, 'r');
  } catch (cause) {
    throw unreadable(cause);
  }
  try {
    const body = await readBodyLimited(handle.readableWebStream() as ReadableStream<Uint8Array>, options.maxBytes, info.size).catch((cause: unknown) => {
      throw cause instanceof BodyTooLargeError ? tooLarge(options.feedId, filePath, options.maxBytes) : cause;
    });
    return { status: 'ok', body, url: location, state: { lastModified } };
  } finally {
    await handle.close();
  }
}

/**
 * Fetches a feed document over HTTP(S), or reads it from a file path / file: URL.
 * Conditional GET from `state`, at most 5 redirects (permanent ones reported as movedTo), a size limit enforced while
 * streaming, and one time limit for connecting and reading the whole body.
 */
export async function fetchFeed(location: string, options: FetchFeedOptions): Promise<FetchFeedResult> {
  if (!isHttpUrl(location)) return fetchFile(location, options);

  const { feedId, timeoutMs, maxBytes, state } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // `timeoutMs` bounds the whole exchange, connecting included; every hop's addresses pass one guard.
  const guard = new AddressGuard();
  const doFetch: FetchFunction = options.fetch ?? ((url, init) => guardedGet(url, { headers: init.headers, signal: init.signal, guard, resolve: options.resolve }));
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: 'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8',
    'accept-encoding': 'gzip, deflate, br',
  };
  if (state?.etag) headers['if-none-match'] = state.etag;
  if (state?.lastModified) headers['if-modified-since'] = state.lastModified;

  const unreachable = (reason: string, cause?: unknown, retryAt?: number) =>
    new HerautError('feed-unreachable', `Feed "${feedId}" (${location}) could not be fetched: ${reason}.`, {
      cause,
      retryable: true,
      retryAt,
      details: { feedId, url: location },
    });

  let url = location;
  let allPermanent = true;
  for (let hop = 0; ; hop++) {
    let response: FetchResponse;
    try {
      response = await doFetch(url, { method: 'GET', headers, redirect: 'manual', signal });
    } catch (cause) {
      if (timeout.aborted) throw unreachable(`no complete answer within ${describeDuration(timeoutMs)}; raise the feed's timeout or check the server`, cause);
      if (options.signal?.aborted) throw unreachable('the fetch was cancelled', cause);
      if (cause instanceof AddressRefusedError) {
        throw new HerautError('feed-unreachable', `Feed "${feedId}" (${location}) redirected to ${url.slice(0, 200)}, and ${cause.message}; heraut follows a redirect away from the feed's own network only to public addresses. If the feed really lives there, set its url to that address.`, {
          cause,
          details: { feedId, url: location, refused: cause.address },
        });
      }
      throw unreachable(`${(cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message ?? 'network error'}; check the URL and your network`, cause);
    }
    const { status } = response;
    if (status >= 300 && status < 400 && status !== 304) {
      await response.body?.cancel().catch(() => undefined);
      const target = response.headers.get('location');
      if (!target) throw unreachable(`HTTP ${status} without a Location header`);
      if (hop >= maxRedirects) throw unreachable(`more than ${maxRedirects} redirects (last to ${target}); set the feed's url to its final address`);
      if (status !== 301 && status !== 308) allPermanent = false;
      url = new URL(target, url).toString();
      if (!isHttpUrl(url)) throw unreachable(`redirected to a non-HTTP address ${url}`);
      continue;
    }
    const movedTo = allPermanent && url !== location ? url : undefined;
    if (status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { status: 'not-modified', state: { ...state, ...(movedTo ? { movedTo } : {}) } };
    }
    if (status === 429 || status === 503) {
      await response.body?.cancel().catch(() => undefined);
      const retryAfter = response.headers.get('retry-after');
      const now = Date.now();
      const asked = parseRetryAfter(retryAfter, now);
      if (status === 429 || asked !== undefined) {
        const retryAt = asked === undefined ? undefined : capRetryAt(asked, now);
        const capped = asked !== undefined && retryAt! < asked;
        const when = retryAt === undefined ? '' : capped ? ` until ${new Date(retryAt).toISOString()} (it asked for Retry-After: ${retryAfter!.trim().slice(0, 40)}; heraut waits at most ${maxRetryAfterMs / 3_600_000}h)` : ` until ${new Date(retryAt).toISOString()}`;
        throw new HerautError('feed-rate-limited', `Feed "${feedId}" (${location}) asks heraut to wait${when} (HTTP ${status}); poll it less often.`, {
          retryable: true,
          retryAt,
          details: { feedId, url: location, status, ...(capped ? { retryAfterCapped: true } : {}) },
        });
      }
    }
    if (status < 200 || status >= 300) {
      await response.body?.cancel().catch(() => undefined);
      const hint = status === 404 || status === 410 ? 'check the feed URL' : status === 401 || status === 403 ? 'the server refuses heraut; check the URL or ask the site' : 'the server failed; heraut will try again';
      throw unreachable(`HTTP ${status}; ${hint}`);
    }
    const body = await readBodyLimited(response.body, maxBytes, announcedLength(response.headers)).catch((cause: unknown) => {
      if (cause instanceof BodyTooLargeError) throw tooLarge(feedId, location, maxBytes);
      if (timeout.aborted) throw unreachable(`no complete answer within ${describeDuration(timeoutMs)}; raise the feed's timeout or check the server`, cause);
      throw unreachable(`the body could not be read (${(cause as Error).message})`, cause);
    });
    const next: FeedFetchState = {};
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) next.etag = etag;
    if (lastModified) next.lastModified = lastModified;
    if (movedTo) next.movedTo = movedTo;
    return { status: 'ok', body, contentType: response.headers.get('content-type') ?? undefined, url, state: next, ...(movedTo ? { movedTo } : {}) };
  }
}
