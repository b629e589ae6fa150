import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twitterText from 'twitter-text';

/**
 * A local stand-in for the part of the Mastodon REST API heraut uses, written from docs.joinmastodon.org
 * (methods/statuses, methods/media, methods/instance, api/rate-limits): bearer tokens, the instance's own length rule,
 * Idempotency-Key, 202 media processing, Mastodon's error bodies and rate-limit headers.
 * Plain module (no test-runner imports) so a test can also run it for a separate heraut process.
 */

/**
 * 'drop': no answer at all; 'lose-response': the request is carried out, then the connection is cut;
 * 'echo-authorization': a 422 whose error quotes the request's Authorization header, as some proxies do.
 */
export type MastodonFailMode = '500' | '503-html' | '429' | '401' | 'drop' | 'lose-response' | 'hang' | 'echo-authorization';

export interface MastodonEmulatorOptions {
  accessToken: string;
  username?: string;
  /** configuration.statuses.max_characters; 500 on stock instances. */
  maxCharacters?: number;
  /** configuration.statuses.characters_reserved_per_url; 23 on stock instances. */
  charactersReservedPerUrl?: number;
  /** Requests per window per account (X-RateLimit-*). Default 300 per 300 s. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** How many GET /api/v1/media/:id answer 206 (still processing) before the media is ready; 0 answers POST with 200. */
  mediaProcessingPolls?: number;
  /** How long an Idempotency-Key is remembered; Mastodon keeps it one hour. */
  idempotencyTtlMs?: number;
  /** The emulator's clock (ms since epoch), so tests can jump past the idempotency window. */
  now?: () => number;
  port?: number;
}

export interface MastodonEmulatorStatus {
  id: string;
  text: string;
  visibility: string;
  language: string | null;
  mediaIds: string[];
  idempotencyKey?: string;
  createdAt: number;
}

export interface MastodonEmulatorMedia {
  id: string;
  bytes: number;
  description: string | null;
  pollsLeft: number;
}

export interface MastodonEmulator {
  url: string;
  statuses: MastodonEmulatorStatus[];
  media: Map<string, MastodonEmulatorMedia>;
  /** Requests received per "METHOD /path" (ids kept), failed ones included. */
  requests: Record<string, number>;
  /** Idempotency-Key headers received, in order. */
  idempotencyKeys: string[];
  /** Makes the next `count` requests fail the given way; with `on` ("POST /api/v1/statuses"), only requests to that route. */
  failNext(mode: MastodonFailMode, count?: number, on?: string): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY = 20 * 1024 * 1024;
const IMAGE_LIMIT = 16 * 1024 * 1024;
const MAX_DESCRIPTION = 1500;
const VISIBILITIES = new Set(['public', 'unlisted', 'private', 'direct']);
const ACCOUNT_ID = '109876543210123456';

/** Mastodon's StatusLengthValidator: grapheme clusters, every http(s) URL counted as the reserved length. */
export function mastodonLength(text: string, perUrl = 23): number {
  let counted = text;
  for (const { indices } of twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false }).reverse()) {
    counted = counted.slice(0, indices[0]) + 'x'.repeat(perUrl) + counted.slice(indices[1]);
  }
  let count = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(counted)) count++;
  return count;
}

export async function startMastodonEmulator(options: MastodonEmulatorOptions): Promise<MastodonEmulator> {
  const username = options.username ?? 'heraut';
  const maxCharacters = options.maxCharacters ?? 500;
  const perUrl = options.charactersReservedPerUrl ?? 23;
  const rateLimit = options.rateLimit ?? { limit: 300, windowSeconds: 300 };
  const processingPolls = options.mediaProcessingPolls ?? 1;
  const idempotencyTtl = options.idempotencyTtlMs ?? 3_600_000;
  const now = options.now ?? Date.now;

  const statuses: MastodonEmulatorStatus[] = [];
  const media = new Map<string, MastodonEmulatorMedia>();
  const requests: Record<string, number> = {};
  const idempotencyKeys: string[] = [];
  const remembered = new Map<string, { statusId: string; at: number }>();
  const failures: Array<{ mode: MastodonFailMode; on?: string }> = [];
  let nextId = 110_000_000_000_000_000n;
  let window = { start: 0, used: 0 };
  let origin = '';

  const newId = (): string => (nextId += 1n).toString();
  const error = (status: number, message: string, headers?: Record<string, string>): Reply => ({ status, body: { error: message }, headers });

  function account(): Record<string, unknown> {
    return { id: ACCOUNT_ID, username, acct: username, display_name: 'Heraut', url: `${origin}/@${username}`, bot: true, locked: false };
  }

  function rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(rateLimit.limit),
      'x-ratelimit-remaining': String(Math.max(0, rateLimit.limit - window.used)),
      'x-ratelimit-reset': new Date(window.start + rateLimit.windowSeconds * 1000).toISOString(),
    };
  }

  function countRequest(): Reply | undefined {
    if (now() >= window.start + rateLimit.windowSeconds * 1000) window = { start: now(), used: 0 };
    if (window.used >= rateLimit.limit) return error(429, 'Too many requests', rateHeaders());
    window.used += 1;
    return undefined;
  }

  function statusEntity(status: MastodonEmulatorStatus): Record<string, unknown> {
    const html = escapeHtml(status.text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}" rel="nofollow noopener" target="_blank">${url}</a>`);
    return {
      id: status.id,
      created_at: new Date(status.createdAt).toISOString(),
      visibility: status.visibility,
      language: status.language,
      uri: `${origin}/users/${username}/statuses/${status.id}`,
      url: `${origin}/@${username}/${status.id}`,
      content: `<p>${html.replace(/\n\n/g, '</p><p>').replace(/\n/g, '<br />')}</p>`,
      account: account(),
      media_attachments: status.mediaIds.map((id) => mediaEntity(media.get(id)!)),
      card: null,
    };
  }

  function mediaEntity(item: MastodonEmulatorMedia): Record<string, unknown> {
    const ready = item.pollsLeft <= 0;
    return {
      id: item.id,
      type: 'image',
      url: ready ? `${origin}/system/media/${item.id}.png` : null,
      preview_url: `${origin}/system/media/${item.id}-small.png`,
      description: item.description,
      blurhash: 'UFBWY:8_0Jxv4nWBt7og~qoz9Fs:%MRjWBt7',
    };
  }

  function createStatus(req: http.IncomingMessage, body: Record<string, unknown>): Reply {
    const key = header(req, 'idempotency-key');
    if (key) {
      idempotencyKeys.push(key);
      const seen = remembered.get(key);
      if (seen && now() - seen.at < idempotencyTtl) {
        return { status: 200, body: statusEntity(statuses.find((s) => s.id === seen.statusId)!) };
      }
    }
    const text = typeof body.status === 'string' ? body.status : '';
    const mediaIds = toList(body.media_ids ?? body['media_ids[]']);
    const visibility = typeof body.visibility === 'string' ? body.visibility : 'public';
    if (!VISIBILITIES.has(visibility)) return error(422, "Validation failed: Visibility is not included in the list");
    if (!text.trim() && mediaIds.length === 0) return error(422, "Validation failed: Text can't be blank");
    if (mastodonLength(text, perUrl) > maxCharacters) return error(422, `Validation failed: Text character limit of ${maxCharacters} exceeded`);
    for (const id of mediaIds) {
      const item = media.get(id);
      if (!item) return error(422, 'Validation failed: Media attachments is invalid');
      if (item.pollsLeft > 0) return error(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    }
    const language = typeof body.language === 'string' && /^[a-z]{2,3}$/.test(body.language) ? body.language : null;
    const status: MastodonEmulatorStatus = { id: newId(), text, visibility, language, mediaIds, idempotencyKey: key, createdAt: now() };
    statuses.push(status);
    if (key) remembered.set(key, { statusId: status.id, at: now() });
    return { status: 200, body: statusEntity(status) };
  }

  async function createMedia(req: http.IncomingMessage, rawBody: Buffer): Promise<Reply> {
    let form: FormData;
    try {
      form = await new Response(rawBody, { headers: { 'content-type': header(req, 'content-type') ?? '' } }).formData();
    } catch {
      return error(422, 'Validation failed: File content type is invalid');
    }
    const file = form.get('file');
    if (!(file instanceof Blob)) return error(422, "Validation failed: File can't be blank");
    const bytes = Buffer.from(await file.arrayBuffer());
    if (!isImage(bytes)) return error(422, 'Validation failed: File content type is invalid');
    if (bytes.length > IMAGE_LIMIT) return error(422, `Validation failed: File file size must be less than ${IMAGE_LIMIT / 1024 / 1024} MB`);
    const description = form.get('description');
    if (typeof description === 'string' && [...description].length > MAX_DESCRIPTION) {
      return error(422, `Validation failed: Description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
    }
    const item: MastodonEmulatorMedia = { id: newId(), bytes: bytes.length, description: typeof description === 'string' ? description : null, pollsLeft: processingPolls };
    media.set(item.id, item);
    return { status: item.pollsLeft > 0 ? 202 : 200, body: mediaEntity(item) };
  }

  function listStatuses(url: URL): Reply {
    const limit = Math.min(40, Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20));
    const maxId = url.searchParams.get('max_id');
    const page = [...statuses]
      .reverse()
      .filter((s) => !maxId || BigInt(s.id) < BigInt(maxId))
      .slice(0, limit);
    const headers: Record<string, string> = {};
    if (page.length === limit) headers.link = `<${origin}/api/v1/accounts/${ACCOUNT_ID}/statuses?limit=${limit}&max_id=${page.at(-1)!.id}>; rel="next"`;
    return { status: 200, body: page.map(statusEntity), headers };
  }

  function instance(): Record<string, unknown> {
    return {
      domain: new URL(origin).host,
      title: 'Heraut test instance',
      version: '4.3.2',
      source_url: 'https://github.com/mastodon/mastodon',
      configuration: {
        urls: { streaming: origin.replace(/^http/, 'ws') },
        accounts: { max_featured_tags: 10 },
        statuses: { max_characters: maxCharacters, max_media_attachments: 4, characters_reserved_per_url: perUrl },
        media_attachments: {
          supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
          image_size_limit: IMAGE_LIMIT,
          image_matrix_limit: 33_177_600,
        },
        polls: { max_options: 4, max_characters_per_option: 50 },
        translation: { enabled: false },
      },
      registrations: { enabled: false, approval_required: false, message: null },
      contact: { email: '', account: null },
      rules: [],
    };
  }

  async function route(req: http.IncomingMessage, url: URL, rawBody: Buffer, forced?: MastodonFailMode): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'GET' && path === '/api/v2/instance') return { status: 200, body: instance() };

    const authorization = header(req, 'authorization');
    if (forced === '401' || authorization !== `Bearer ${options.accessToken}`) {
      return error(401, 'The access token is invalid', { 'www-authenticate': 'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"' });
    }
    if (forced === '429') return error(429, 'Too many requests', { ...rateHeaders(), 'x-ratelimit-remaining': '0' });
    if (forced === 'echo-authorization') return error(422, `Validation failed: the request's Authorization (${authorization}) is not allowed here`);
    const limited = countRequest();
    if (limited) return limited;
    const withRate = (reply: Reply): Reply => ({ ...reply, headers: { ...rateHeaders(), ...reply.headers } });

    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials') return withRate({ status: 200, body: { ...account(), source: { privacy: 'public', language: null } } });
    if (method === 'POST' && path === '/api/v1/statuses') return withRate(createStatus(req, parseBody(req, rawBody)));
    if (method === 'POST' && path === '/api/v2/media') return withRate(await createMedia(req, rawBody));
    const mediaPath = /^\/api\/v1\/media\/(\d+)$/.exec(path);
    if (method === 'GET' && mediaPath) {
      const item = media.get(mediaPath[1]!);
      if (!item) return withRate(error(404, 'Record not found'));
      item.pollsLeft -= 1;
      return withRate({ status: item.pollsLeft > 0 ? 206 : 200, body: mediaEntity(item) });
    }
    const listPath = /^\/api\/v1\/accounts\/(\d+)\/statuses$/.exec(path);
    if (method === 'GET' && listPath) {
      if (listPath[1] !== ACCOUNT_ID) return withRate(error(404, 'Record not found'));
      return withRate(listStatuses(url));
    }
    return error(404, 'Record not found');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    const name = `${req.method} ${url.pathname}`;
    requests[name] = (requests[name] ?? 0) + 1;
    const index = failures.findIndex(({ on }) => on === undefined || on === name);
    const failure = index === -1 ? undefined : failures.splice(index, 1)[0]!.mode;
    if (failure === 'drop') return void req.socket.destroy();
    if (failure === 'hang') return void req.resume();
    const body = await readBody(req);
    if (!body) return;
    if (failure === '500') return send(res, error(500, "We're sorry, but something went wrong on our end."));
    if (failure === '503-html') {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return;
    }
    const reply = await route(req, url, body, failure).catch(() => error(400, 'Bad request'));
    if (failure === 'lose-response') return void req.socket.destroy();
    send(res, reply);
  }

  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    statuses,
    media,
    requests,
    idempotencyKeys,
    failNext: (mode, count = 1, on) => void failures.push(...Array.from({ length: count }, () => ({ mode, on }))),
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

function send(res: http.ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...reply.headers });
  res.end(payload);
}

/** The whole body, or undefined when it is too large (the connection is then cut) or the client went away. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.socket.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Mastodon takes statuses as JSON or as a form (`media_ids[]=1&media_ids[]=2`). */
function parseBody(req: http.IncomingMessage, rawBody: Buffer): Record<string, unknown> {
  const type = header(req, 'content-type') ?? '';
  if (type.includes('json')) return JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (key.endsWith('[]')) body[key.slice(0, -2)] = [...toList(body[key.slice(0, -2)]), value];
    else body[key] = value;
  }
  return body;
}

function toList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function isImage(bytes: Buffer): boolean {
  const hex = bytes.subarray(0, 12).toString('hex');
  return hex.startsWith('89504e47') || hex.startsWith('ffd8ff') || hex.startsWith('47494638') || (hex.startsWith('52494646') && bytes.subarray(8, 12).toString() === 'WEBP');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
