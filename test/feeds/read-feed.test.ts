import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HerautError } from '../../src/errors.js';
import { readFeed, type ReadFeedResult } from '../../src/feeds/read-feed.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../support/feed-server.js';

function rss(items: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Local</title><link>https://example.org/</link>${extra}${items}</channel></rss>`;
}
const twoItems = rss(
  '<item><title>Second</title><link>https://example.org/2</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>' +
    '<item><title>First</title><link>https://example.org/1</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>',
);

function ok(result: ReadFeedResult): Extract<ReadFeedResult, { status: 'ok' }> {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${result.status}`);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<HerautError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HerautError) return error;
    throw error;
  }
  throw new Error('expected a HerautError');
}

let server: FeedServer;
let dir: string;
const secret = `TOP-SECRET-${process.pid}-${Date.now()}`;
let secretFile: string;
let oversizeSent = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'heraut-feeds-'));
  secretFile = path.join(dir, 'secret.txt');
  writeFileSync(secretFile, secret);
  server = await startFeedServer({
    '/feed': serveFeed({ body: twoItems, etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 12:00:00 GMT' }),
    '/dated': serveFeed({ body: twoItems, lastModified: 'Mon, 01 Jan 2024 12:00:00 GMT' }),
    '/gzip': serveFeed({ body: twoItems, encoding: 'gzip' }),
    '/br': serveFeed({ body: twoItems, encoding: 'br' }),
    '/old': redirectTo('/middle', 301),
    '/middle': redirectTo('/feed', 308),
    '/temporary': redirectTo('/feed', 302),
    '/loop': redirectTo('/loop', 302),
    '/missing-location': (_req, res) => void res.writeHead(301).end(),
    '/gone': (_req, res) => void res.writeHead(404).end('gone'),
    '/slow': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      // never ends: the client's timeout must fire
    },
    '/huge': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const limit = 200 * 1024 * 1024;
      const pump = () => {
        while (sent < limit) {
          sent += chunk.length;
          oversizeSent = sent;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      req.socket.on('close', () => {
        sent = limit;
      });
      pump();
    },
    '/gzip-bomb': serveFeed({ body: Buffer.alloc(50 * 1024 * 1024, ' '), encoding: 'gzip' }),
    '/rate-limited': (_req, res) => void res.writeHead(429, { 'retry-after': '120' }).end(),
    '/unavailable': (_req, res) => void res.writeHead(503, { 'retry-after': 'Wed, 21 Oct 2037 07:28:00 GMT' }).end(),
    '/year-3000': (_req, res) => void res.writeHead(429, { 'retry-after': 'Wed, 01 Jan 3000 00:00:00 GMT' }).end(),
    '/unavailable-plain': (_req, res) => void res.writeHead(503).end(),
    '/html': serveFeed({ body: '<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hello</p></body></html>', contentType: 'text/html' }),
    '/truncated': serveFeed({ body: twoItems.slice(0, twoItems.length - 60) }),
    '/not-xml': serveFeed({ body: '{"items": []}', contentType: 'application/json' }),
    '/billion-laughs': serveFeed({
      body:
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">' +
        Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
        ']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://example.org/x</link></item></channel></rss>',
    }),
    '/xxe': serveFeed({
      body: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${secretFile}">]><rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title><link>https://example.org/x</link><description>&xxe;</description></item></channel></rss>`,
    }),
    '/latin1': serveFeed({
      body: iconv.encode(rss('<item><title>Élections : où en est-on ? Ça dépend</title><link>https://example.org/fr</link><description>Déjà vu à Noël</description></item>').replace('UTF-8', 'ISO-8859-1'), 'latin1'),
      contentType: 'application/rss+xml',
    }),
    '/cp1252-header-only': serveFeed({
      body: iconv.encode('<rss version="2.0"><channel><title>T</title><item><title>L’été “chaud” € 5</title><link>https://example.org/w</link></item></channel></rss>', 'windows-1252'),
      contentType: 'application/rss+xml; charset=windows-1252',
    }),
    '/empty': serveFeed({ body: rss('') }),
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const feed = (url: string, extra: { timeout?: string; maxBytes?: number } = {}) => ({ id: 'local', url, ...extra });

describe('readFeed over HTTP', () => {
  it('reads a feed oldest first and keeps ETag and Last-Modified', async () => {
    const result = ok(await readFeed(feed(`${server.url}/feed`), { baseDir: dir }));
    expect(result.articles.map((a) => a.title)).toEqual(['First', 'Second']);
    expect(result.state).toEqual({ etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 12:00:00 GMT' });
    expect(result.bytes).toBe(Buffer.byteLength(twoItems));
    const request = server.requests.find((r) => r.path === '/feed')!;
    expect(request.headers['user-agent']).toMatch(/^heraut\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/heraut\/heraut\)$/);
  });

  it('answers not-modified on 304 without parsing, and sends the validators', async () => {
    const before = server.count('/feed');
    const state = { etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 12:00:00 GMT' };
    const result = await readFeed(feed(`${server.url}/feed`), { baseDir: dir, state });
    expect(result).toEqual({ status: 'not-modified', state, bytes: 0 });
    expect(server.count('/feed')).toBe(before + 1);
    const last = server.requests.filter((r) => r.path === '/feed').at(-1)!;
    expect(last.headers['if-none-match']).toBe('"v1"');
    expect(last.headers['if-modified-since']).toBe('Mon, 01 Jan 2024 12:00:00 GMT');

    const dated = await readFeed(feed(`${server.url}/dated`), { baseDir: dir, state: { lastModified: 'Mon, 01 Jan 2024 12:00:00 GMT' } });
    expect(dated.status).toBe('not-modified');
    const changed = ok(await readFeed(feed(`${server.url}/feed`), { baseDir: dir, state: { etag: '"v0"' } }));
    expect(changed.articles).toHaveLength(2);
  });

  it('decompresses gzip and brotli bodies', async () => {
    for (const route of ['/gzip', '/br']) {
      const result = ok(await readFeed(feed(`${server.url}${route}`), { baseDir: dir }));
      expect(result.articles.map((a) => a.link)).toEqual(['https://example.org/1', 'https://example.org/2']);
    }
    expect(server.requests.find((r) => r.path === '/gzip')!.headers['accept-encoding']).toContain('br');
  });

  it('follows permanent redirects and reports where the feed moved', async () => {
    const result = ok(await readFeed(feed(`${server.url}/old`), { baseDir: dir }));
    expect(result.movedTo).toBe(`${server.url}/feed`);
    expect(result.state.movedTo).toBe(`${server.url}/feed`);
    expect(result.articles).toHaveLength(2);
    const temporary = ok(await readFeed(feed(`${server.url}/temporary`), { baseDir: dir }));
    expect(temporary.movedTo).toBeUndefined();
  });

  it('gives up after 5 redirects', async () => {
    const before = server.count('/loop');
    const error = await failure(readFeed(feed(`${server.url}/loop`), { baseDir: dir }));
    expect(error.code).toBe('feed-unreachable');
    expect(error.message).toContain('more than 5 redirects');
    expect(server.count('/loop') - before).toBe(6);
    expect((await failure(readFeed(feed(`${server.url}/missing-location`), { baseDir: dir }))).code).toBe('feed-unreachable');
  });

  it('reports HTTP errors as feed-unreachable, retryable', async () => {
    const error = await failure(readFeed(feed(`${server.url}/gone`), { baseDir: dir }));
    expect(error.code).toBe('feed-unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^Feed "local" \(http:\/\/127\.0\.0\.1:\d+\/gone\) could not be fetched: HTTP 404; check the feed URL\.$/);
  });

  it('times out a body that never ends', async () => {
    const started = Date.now();
    const error = await failure(readFeed(feed(`${server.url}/slow`, { timeout: '300ms' }), { baseDir: dir }));
    expect(error.code).toBe('feed-unreachable');
    expect(error.message).toContain('within 300ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused connection as feed-unreachable', async () => {
    const error = await failure(readFeed(feed('http://127.0.0.1:9/feed', { timeout: '300ms' }), { baseDir: dir }));
    expect(error.code).toBe('feed-unreachable');
    expect(error.retryable).toBe(true);
  });

  it('stops reading an oversize body instead of buffering it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const error = await failure(readFeed(feed(`${server.url}/huge`, { maxBytes: 1024 * 1024 }), { baseDir: dir }));
    expect(error.code).toBe('feed-too-large');
    expect(error.message).toContain('maxBytes 1048576');
    // The server stops once the client hangs up: far less than its 200 MB was ever sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(oversizeSent).toBeLessThan(32 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('counts decompressed bytes against the limit (gzip bomb)', async () => {
    const error = await failure(readFeed(feed(`${server.url}/gzip-bomb`, { maxBytes: 1024 * 1024 }), { baseDir: dir }));
    expect(error.code).toBe('feed-too-large');
  });

  it('turns 429 and 503 with Retry-After into feed-rate-limited with retryAt', async () => {
    const now = Date.now();
    const limited = await failure(readFeed(feed(`${server.url}/rate-limited`), { baseDir: dir }));
    expect(limited.code).toBe('feed-rate-limited');
    expect(limited.retryAt).toBeGreaterThanOrEqual(now + 119_000);
    expect(limited.retryAt).toBeLessThanOrEqual(Date.now() + 121_000);
    const unavailable = await failure(readFeed(feed(`${server.url}/unavailable`), { baseDir: dir }));
    expect(unavailable.code).toBe('feed-rate-limited');
    expect(unavailable.retryAt).toBeGreaterThanOrEqual(now + 6 * 3_600_000 - 1000);
    expect(unavailable.retryAt).toBeLessThanOrEqual(Date.now() + 6 * 3_600_000);
    const plain = await failure(readFeed(feed(`${server.url}/unavailable-plain`), { baseDir: dir }));
    expect(plain.code).toBe('feed-unreachable');
  });

  it('waits at most 6 hours whatever Retry-After says, and says so', async () => {
    const now = Date.now();
    const error = await failure(readFeed(feed(`${server.url}/year-3000`), { baseDir: dir }));
    expect(error.code).toBe('feed-rate-limited');
    expect(error.retryAt).toBeLessThanOrEqual(Date.now() + 6 * 3_600_000);
    expect(error.retryAt).toBeGreaterThanOrEqual(now + 6 * 3_600_000 - 1000);
    expect(error.message).toContain('it asked for Retry-After: Wed, 01 Jan 3000 00:00:00 GMT; heraut waits at most 6h');
    expect(error.details).toMatchObject({ retryAfterCapped: true });
  });

  it('rejects malformed documents with one line naming the feed', async () => {
    for (const route of ['/html', '/truncated', '/not-xml', '/billion-laughs', '/xxe']) {
      const started = Date.now();
      const error = await failure(readFeed(feed(`${server.url}${route}`), { baseDir: dir }));
      expect(error.code, route).toBe('feed-invalid');
      expect(error.message).not.toContain('\n');
      expect(error.message).toContain(`Feed "local" (${server.url}${route})`);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.details)).not.toContain(secret);
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect((await failure(readFeed(feed(`${server.url}/html`), { baseDir: dir }))).message).toContain('HTML page');
  });

  it('decodes ISO-8859-1 and windows-1252 feeds', async () => {
    const latin = ok(await readFeed(feed(`${server.url}/latin1`), { baseDir: dir }));
    expect(latin.articles[0]!.title).toBe('Élections : où en est-on ? Ça dépend');
    expect(latin.articles[0]!.summary).toBe('Déjà vu à Noël');
    const windows = ok(await readFeed(feed(`${server.url}/cp1252-header-only`), { baseDir: dir }));
    expect(windows.articles[0]!.title).toBe('L’été “chaud” € 5');
  });

  it('reads a feed with no items as zero articles', async () => {
    const result = ok(await readFeed(feed(`${server.url}/empty`), { baseDir: dir }));
    expect(result.articles).toEqual([]);
    expect(result.title).toBe('Local');
  });
});

describe('readFeed from files', () => {
  it('reads a relative path and a file: URL, and answers not-modified while the file is unchanged', async () => {
    writeFileSync(path.join(dir, 'local.xml'), twoItems);
    const relative = ok(await readFeed(feed('local.xml'), { baseDir: dir }));
    expect(relative.articles.map((a) => a.title)).toEqual(['First', 'Second']);
    const url = ok(await readFeed(feed(`file://${path.join(dir, 'local.xml')}`), { baseDir: '/' }));
    expect(url.articles).toHaveLength(2);
    const again = await readFeed(feed('local.xml'), { baseDir: dir, state: relative.state });
    expect(again.status).toBe('not-modified');
  });

  it('says which file is missing', async () => {
    const error = await failure(readFeed(feed('nope.xml'), { baseDir: dir }));
    expect(error.code).toBe('feed-unreachable');
    expect(error.message).toContain(path.join(dir, 'nope.xml'));
  });

  it('refuses a file larger than maxBytes', async () => {
    writeFileSync(path.join(dir, 'big.xml'), twoItems);
    const error = await failure(readFeed(feed('big.xml', { maxBytes: 100 }), { baseDir: dir }));
    expect(error.code).toBe('feed-too-large');
  });
});
