import { AddressGuard, guardedGet, type GuardedResponse, type Resolve } from './guarded-fetch.js';

/** Raised when a body is larger than the caller allows; it was never read whole. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number, readonly declaredBytes?: number) {
    super(declaredBytes !== undefined ? `too large (${declaredBytes} bytes, limit ${maxBytes})` : `too large (over ${maxBytes} bytes)`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a body up to maxBytes and stops reading (cancels) past it. When the size is known in advance (a file, or an
 * uncompressed answer with Content-Length) it is read straight into one buffer, so a large body is never held twice.
 */
export async function readBodyLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number, expectedBytes?: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  const whole = expectedBytes !== undefined && expectedBytes <= maxBytes ? Buffer.allocUnsafe(expectedBytes) : undefined;
  let total = 0;
  for (;;) {
    const { done, value: read } = await reader.read();
    if (done) break;
    // A file handle's web stream yields ArrayBuffers on Node 20.
    const value: Uint8Array = read instanceof Uint8Array ? read : new Uint8Array(read as ArrayBuffer);
    if (total + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    if (whole && chunks.length === 0 && total + value.byteLength <= whole.length) whole.set(value, total);
    else {
      // More than announced: collect chunks instead, starting with what was already read.
      if (whole && chunks.length === 0 && total > 0) chunks.push(whole.subarray(0, total));
      chunks.push(value);
    }
    total += value.byteLength;
  }
  if (whole && chunks.length === 0) return total === whole.length ? whole : whole.subarray(0, total);
  return Buffer.concat(chunks, total);
}

/** The body's size when the answer announces it uncompressed; undefined otherwise. */
export function announcedLength(headers: { get(name: string): string | null }): number | undefined {
  const encoding = headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return undefined;
  const length = Number(headers.get('content-length') ?? Number.NaN);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

export interface FetchLimitedOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** Content types accepted (prefixes such as "image/"); an answer of another declared type is refused. */
  accept?: string[];
  userAgent?: string;
  fetch?: typeof globalThis.fetch;
  /** Host name to addresses for the guarded transport (the system resolver by default). */
  resolve?: Resolve;
}

const maxRedirects = 5;

/** GET through the guarded transport, following at most 5 redirects, none of them from the link's own kind of address to a private one. */
async function guardedFollow(url: URL, headers: Record<string, string>, signal: AbortSignal, resolve: Resolve | undefined): Promise<GuardedResponse & { url: string }> {
  const guard = new AddressGuard();
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await guardedGet(current.href, { headers, signal, guard, resolve });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return { ...response, url: current.href };
    await response.body?.cancel().catch(() => undefined);
    if (hop >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects`);
    current = new URL(location, current);
    if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new Error(`redirected to a non-HTTP address (${current.protocol})`);
  }
}

/** A GET of an http(s) URL bounded in time and size, redirects followed: for images and pages linked from posts. */
export async function fetchLimited(url: string, options: FetchLimitedOptions): Promise<{ body: Buffer; url: string; contentType?: string }> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) URL: ${parsed.protocol}`);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = {};
  if (options.accept) headers.accept = `${options.accept.join(', ')};q=1, */*;q=0.5`;
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  const response = options.fetch
    ? await options.fetch(parsed, { signal, redirect: 'follow', headers }).then((answer) => Object.assign(answer, { url: answer.url || parsed.href }))
    : await guardedFollow(parsed, { ...headers, 'accept-encoding': 'gzip, deflate, br' }, signal, options.resolve);
  let read = false;
  try {
    if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    if (type && options.accept && !options.accept.some((wanted) => type.startsWith(wanted))) throw new Error(`unexpected content type ${type}`);
    const declared = Number(announcedLength(response.headers));
    if (declared > options.maxBytes) throw new BodyTooLargeError(options.maxBytes, declared);
    read = true;
    const body = await readBodyLimited(response.body, options.maxBytes, announcedLength(response.headers));
    return { body, url: response.url, ...(type ? { contentType: type } : {}) };
  } finally {
    if (!read) await response.body?.cancel().catch(() => undefined);
  }
}
