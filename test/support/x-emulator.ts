import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twitterText from 'twitter-text';

/**
 * A local stand-in for the part of the X API v2 heraut uses, answering the way the real one does:
 * OAuth 1.0a signatures checked, RFC 7807 error bodies, rate-limit headers, duplicate detection, chunked media upload.
 * Plain module (no test-runner imports) so a test can also run it for a separate heraut process.
 */

/**
 * '429': a rate-limit answer resetting in a minute; 'forbidden': a 403 that concerns this request only;
 * 'echo-authorization': a 400 whose detail quotes the request's Authorization header, as some proxies and APIs do.
 */
export type XFailMode = '500' | 'hang' | 'drop' | 'lose-response' | '429' | 'forbidden' | 'echo-authorization';

/** 'read-only': the app lacks write permission; 'suspended': the account may not post. Both answer writes with 403. */
export type XAccountState = 'active' | 'read-only' | 'suspended';

export interface XEmulatorOptions {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
  username?: string;
  userId?: string;
  /** Posts per window of POST /2/tweets (x-rate-limit-*). Default 100 per 900 s. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** Posts per 24 hours (x-user-limit-24hour-*). Default 10000. */
  dailyLimit?: number;
  /**
   * Origin the client signs for. twitter-api-v2 signs https://api.x.com/... before heraut redirects the request,
   * exactly what the real API behind a proxy verifies; a signature over the emulator's own URL is accepted too.
   */
  signatureOrigin?: string;
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  port?: number;
}

export interface XEmulatorPost {
  id: string;
  text: string;
  mediaIds: string[];
  createdAt: Date;
}

export interface XEmulatorMedia {
  id: string;
  mediaKey: string;
  mediaType: string;
  mediaCategory?: string;
  totalBytes: number;
  bytes: Buffer;
  finalized: boolean;
  altText?: string;
}

export interface XEmulator {
  url: string;
  posts: XEmulatorPost[];
  media: Map<string, XEmulatorMedia>;
  /** Requests received, counted per path (e.g. "/2/tweets"), failed ones included. */
  requests: Record<string, number>;
  /** Change at any time; writes get X's 403 unless 'active'. */
  accountState: XAccountState;
  /** Makes the next `count` requests fail the given way. */
  failNext(mode: XFailMode, count?: number): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY = 12 * 1024 * 1024;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/bmp', 'image/pjpeg', 'image/tiff']);

export async function startXEmulator(options: XEmulatorOptions): Promise<XEmulator> {
  const username = options.username ?? 'heraut_bot';
  const userId = options.userId ?? '1849273610000000001';
  const rateLimit = options.rateLimit ?? { limit: 100, windowSeconds: 900 };
  const dailyLimit = options.dailyLimit ?? 10_000;
  const signatureOrigin = options.signatureOrigin ?? 'https://api.x.com';

  const posts: XEmulatorPost[] = [];
  const media = new Map<string, XEmulatorMedia>();
  const requests: Record<string, number> = {};
  const failures: XFailMode[] = [];
  const seenNonces = new Set<string>();
  let nextId = 1_900_000_000_000_000_000n;
  let window = { start: 0, used: 0 };
  let day = { start: 0, used: 0 };
  let ownOrigin = '';

  function newId(): string {
    nextId += 1n + BigInt(Math.floor(Math.random() * 1000));
    return nextId.toString();
  }

  function nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }

  function problem(status: number, title: string, detail: string, type = 'about:blank', extra: Record<string, unknown> = {}): Reply {
    return { status, body: { ...extra, title, detail, type, status } };
  }

  function verifySignature(req: http.IncomingMessage, url: URL, rawBody: Buffer): boolean {
    const oauth = parseOAuthHeader(req.headers.authorization);
    if (!oauth) return false;
    if (oauth.oauth_consumer_key !== options.appKey || oauth.oauth_token !== options.accessToken) return false;
    if (oauth.oauth_signature_method !== 'HMAC-SHA1' || !oauth.oauth_signature || !oauth.oauth_nonce) return false;
    const timestamp = Number(oauth.oauth_timestamp);
    if (!Number.isFinite(timestamp) || Math.abs(timestamp - nowSeconds()) > 300) return false;

    const params: Array<[string, string]> = [];
    for (const [key, value] of Object.entries(oauth)) if (key !== 'oauth_signature' && key !== 'realm') params.push([key, value]);
    for (const [key, value] of url.searchParams) params.push([key, value]);
    // RFC 5849 3.4.1.3.1: only form-encoded bodies are signed; JSON and multipart bodies are not.
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) params.push([key, value]);
    }
    const key = `${percentEncode(options.appSecret)}&${percentEncode(options.accessSecret)}`;
    const given = Buffer.from(oauth.oauth_signature);
    const valid = [signatureOrigin, ownOrigin].some((origin) => {
      const base = signatureBaseString(req.method ?? 'GET', origin + url.pathname, params);
      const expected = Buffer.from(crypto.createHmac('sha1', key).update(base).digest('base64'));
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    });
    if (!valid) return false;
    const nonceKey = `${oauth.oauth_timestamp}:${oauth.oauth_nonce}`;
    if (seenNonces.has(nonceKey)) return false;
    seenNonces.add(nonceKey);
    return true;
  }

  function rateHeaders(): Record<string, string> {
    return {
      'x-rate-limit-limit': String(rateLimit.limit),
      'x-rate-limit-remaining': String(Math.max(0, rateLimit.limit - window.used)),
      'x-rate-limit-reset': String(window.start + rateLimit.windowSeconds),
      'x-user-limit-24hour-limit': String(dailyLimit),
      'x-user-limit-24hour-remaining': String(Math.max(0, dailyLimit - day.used)),
      'x-user-limit-24hour-reset': String(day.start + 86_400),
    };
  }

  function forbiddenWrite(): Reply | undefined {
    if (emulator.accountState === 'read-only') {
      return problem(403, 'Forbidden', 'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.', 'https://api.x.com/2/problems/oauth1-permissions');
    }
    if (emulator.accountState === 'suspended') {
      return problem(403, 'Forbidden', 'You are not permitted to perform this action. Your account is suspended.', 'about:blank');
    }
    return undefined;
  }

  function createPost(body: unknown): Reply {
    const now = nowSeconds();
    if (now >= window.start + rateLimit.windowSeconds) window = { start: now, used: 0 };
    if (now >= day.start + 86_400) day = { start: now, used: 0 };
    if (window.used >= rateLimit.limit) return { ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers: rateHeaders() };
    window.used += 1;
    if (day.used >= dailyLimit) return { ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers: rateHeaders() };

    const payload = (body ?? {}) as { text?: unknown; media?: { media_ids?: unknown } };
    const text = typeof payload.text === 'string' ? payload.text : '';
    const mediaIds = Array.isArray(payload.media?.media_ids) ? payload.media.media_ids.map(String) : [];
    if (!text && mediaIds.length === 0) {
      return { ...invalidRequest('text', 'The `text` field is required when no media is attached.'), headers: rateHeaders() };
    }
    if (text && twitterText.parseTweet(text).weightedLength > 280) {
      return {
        ...problem(400, 'Bad Request', 'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.'),
        headers: rateHeaders(),
      };
    }
    for (const id of mediaIds) {
      if (!media.get(id)?.finalized) return { ...invalidRequest('media.media_ids', `Your media IDs are invalid.`), headers: rateHeaders() };
    }
    if (text && posts.some((post) => post.text === text)) {
      return { ...problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'), headers: rateHeaders() };
    }
    const post: XEmulatorPost = { id: newId(), text, mediaIds, createdAt: new Date() };
    posts.push(post);
    day.used += 1;
    return { status: 201, body: { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } }, headers: rateHeaders() };
  }

  async function route(req: http.IncomingMessage, url: URL, rawBody: Buffer): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const json = (): unknown => {
      if (!(req.headers['content-type'] ?? '').includes('json') || rawBody.length === 0) return undefined;
      return JSON.parse(rawBody.toString('utf8'));
    };

    if (method === 'GET' && path === '/2/users/me') {
      return { status: 200, body: { data: { id: userId, name: 'Heraut Bot', username } } };
    }
    if (method === 'POST') {
      const forbidden = forbiddenWrite();
      if (forbidden) return forbidden;
    }
    if (method === 'POST' && path === '/2/tweets') return createPost(json());

    if (method === 'POST' && path === '/2/media/upload/initialize') {
      const body = (json() ?? {}) as { media_type?: string; total_bytes?: number; media_category?: string };
      if (!body.media_type || !IMAGE_TYPES.has(body.media_type)) return invalidRequest('media_type', `media_type must be one of ${[...IMAGE_TYPES].join(', ')}`);
      if (typeof body.total_bytes !== 'number' || body.total_bytes <= 0) return invalidRequest('total_bytes', 'total_bytes must be a positive number');
      if (body.total_bytes > MAX_IMAGE_BYTES) return problem(400, 'Bad Request', `File size exceeds ${MAX_IMAGE_BYTES} bytes.`);
      const id = newId();
      media.set(id, { id, mediaKey: `3_${id}`, mediaType: body.media_type, mediaCategory: body.media_category, totalBytes: body.total_bytes, bytes: Buffer.alloc(0), finalized: false });
      return { status: 200, body: { data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } } };
    }

    const chunk = /^\/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(path);
    if (method === 'POST' && chunk) {
      const item = media.get(chunk[1]!);
      if (!item) return problem(400, 'Bad Request', 'Invalid media id.', 'https://api.x.com/2/problems/invalid-request');
      if (chunk[2] === 'append') {
        const form = parseMultipart(req.headers['content-type'], rawBody);
        const bytes = form.get('media');
        if (!bytes || !form.has('segment_index')) return invalidRequest('media', 'append needs multipart fields media and segment_index');
        item.bytes = Buffer.concat([item.bytes, bytes]);
        return { status: 200, body: { data: { expires_at: nowSeconds() + 86_400 } } };
      }
      if (item.bytes.length !== item.totalBytes) return problem(400, 'Bad Request', `Segments do not add up to the provided total file size (${item.bytes.length} of ${item.totalBytes}).`);
      item.finalized = true;
      return { status: 200, body: { data: { id: item.id, media_key: item.mediaKey, size: item.totalBytes, expires_after_secs: 86_400 } } };
    }

    if (method === 'POST' && path === '/2/media/metadata') {
      const body = (json() ?? {}) as { id?: string; metadata?: { alt_text?: { text?: string } } };
      const item = body.id ? media.get(body.id) : undefined;
      if (!item) return invalidRequest('id', 'The media id is invalid.');
      const alt = body.metadata?.alt_text?.text;
      if (typeof alt !== 'string' || [...alt].length > 1000) return invalidRequest('metadata.alt_text.text', 'alt_text.text must be at most 1000 characters');
      item.altText = alt;
      return { status: 200, body: { data: { id: item.id, associated_metadata: { alt_text: { text: alt } } } } };
    }

    return problem(404, 'Not Found Error', `Could not find ${method} ${path}.`, 'https://api.x.com/2/problems/resource-not-found');
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', ownOrigin || 'http://127.0.0.1');
    requests[url.pathname] = (requests[url.pathname] ?? 0) + 1;
    const failure = failures.shift();
    if (failure === 'drop') {
      req.socket.destroy();
      return;
    }
    if (failure === 'hang') {
      req.resume();
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.socket.destroy();
      else chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      void (async () => {
        let reply: Reply;
        const rawBody = Buffer.concat(chunks);
        if (failure === '500') reply = problem(500, 'Internal Server Error', 'Internal Server Error');
        else if (failure === '429') reply = { ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers: { ...rateHeaders(), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(nowSeconds() + 60) } };
        else if (failure === 'forbidden') reply = problem(403, 'Forbidden', 'You are not permitted to perform this action.');
        else if (failure === 'echo-authorization') reply = problem(400, 'Bad Request', `Could not authenticate the request with Authorization: ${req.headers.authorization ?? ''}`);
        else if (!verifySignature(req, url, rawBody)) reply = problem(401, 'Unauthorized', 'Unauthorized');
        else {
          try {
            reply = await route(req, url, rawBody);
          } catch {
            reply = problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.', 'https://api.x.com/2/problems/invalid-request');
          }
        }
        if (failure === 'lose-response') {
          req.socket.destroy();
          return;
        }
        const payload = JSON.stringify(reply.body ?? {});
        const contentType = reply.status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8';
        res.writeHead(reply.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload), ...reply.headers });
        res.end(payload);
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  ownOrigin = `http://127.0.0.1:${address.port}`;

  const emulator: XEmulator = {
    url: ownOrigin,
    posts,
    media,
    requests,
    accountState: 'active',
    failNext(mode, count = 1) {
      for (let i = 0; i < count; i += 1) failures.push(mode);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}

function invalidRequest(parameter: string, message: string): Reply {
  return {
    status: 400,
    body: {
      errors: [{ parameters: { [parameter]: [] }, message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.x.com/2/problems/invalid-request',
      status: 400,
    },
  };
}

/** Parts by field name, raw bytes kept: fields without a filename may still carry binary data (twitter-api-v2 sends media so). */
function parseMultipart(contentType: string | undefined, body: Buffer): Map<string, Buffer> {
  const parts = new Map<string, Buffer>();
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!contentType?.startsWith('multipart/form-data') || !boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const name = /name="([^"]*)"/i.exec(part.subarray(0, headerEnd).toString('utf8'))?.[1];
      if (name !== undefined) parts.set(name, Buffer.from(part.subarray(headerEnd + 4)));
    }
    start = next;
  }
  return parts;
}

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseOAuthHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"/g)) {
    params[decodeURIComponent(match[1]!)] = decodeURIComponent(match[2]!);
  }
  return params;
}

/** RFC 5849 3.4.1: METHOD & encoded base URL & encoded, sorted, encoded parameters. */
export function signatureBaseString(method: string, baseUrl: string, params: Array<[string, string]>): string {
  const encoded = params.map(([key, value]) => [percentEncode(key), percentEncode(value)] as const);
  encoded.sort((a, b) => (a[0] === b[0] ? compare(a[1], b[1]) : compare(a[0], b[0])));
  const parameterString = encoded.map(([key, value]) => `${key}=${value}`).join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUrl)}&${percentEncode(parameterString)}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
