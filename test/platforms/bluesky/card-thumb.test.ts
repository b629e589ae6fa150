import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLUESKY_MAX_THUMB_BYTES, fetchCardThumb, findPageImage, shrinkImage } from '../../../src/platforms/bluesky/card-thumb.js';
import { noisePng, startArticleSite, type ArticleSite } from './article-site.js';

let site: ArticleSite;
let hanging: http.Server;
let hangingUrl: string;

beforeAll(async () => {
  site = await startArticleSite({
    '/og.html': ['text/html', '<html><head><meta property="og:image" content="img/a.png?x=1&amp;y=2"><meta name="twitter:image" content="/b.png"></head></html>'],
    '/twitter.html': ['text/html; charset=utf-8', '<html><head><meta name="twitter:image" content="https://cdn.example/b.png"></head></html>'],
    '/none.html': ['text/html', '<html><head><title>x</title></head><body><img src="/c.png"></body></html>'],
    '/bad-scheme.html': ['text/html', '<html><head><meta property="og:image" content="javascript:alert(1)"></head></html>'],
    '/huge.html': ['text/html', `<html><head></head><body>${'x'.repeat(2_100_000)}</body></html>`],
    '/json': ['application/json', '{}'],
    '/transparent.png': ['image/png', await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer()],
  });
  // Accepts connections and never answers.
  hanging = http.createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await site?.close();
  hanging?.closeAllConnections();
  await new Promise<void>((resolve) => hanging?.close(() => resolve()));
});

describe('findPageImage', () => {
  it('prefers og:image, resolves it against the page and decodes entities', async () => {
    expect(await findPageImage(`${site.url}/og.html`, { timeoutMs: 2_000 })).toBe(`${site.url}/img/a.png?x=1&y=2`);
  });

  it('falls back to twitter:image, and finds nothing in a page without share tags or with a non-http one', async () => {
    expect(await findPageImage(`${site.url}/twitter.html`, { timeoutMs: 2_000 })).toBe('https://cdn.example/b.png');
    expect(await findPageImage(`${site.url}/none.html`, { timeoutMs: 2_000 })).toBeUndefined();
    expect(await findPageImage(`${site.url}/bad-scheme.html`, { timeoutMs: 2_000 })).toBeUndefined();
  });

  it('refuses pages that are too large, not HTML, missing or too slow', async () => {
    await expect(findPageImage(`${site.url}/huge.html`, { timeoutMs: 2_000 })).rejects.toThrow(/too large/);
    await expect(findPageImage(`${site.url}/json`, { timeoutMs: 2_000 })).rejects.toThrow(/content type/);
    await expect(findPageImage(`${site.url}/missing.html`, { timeoutMs: 2_000 })).rejects.toThrow(/404/);
    const started = Date.now();
    await expect(findPageImage(`${hangingUrl}/slow.html`, { timeoutMs: 300 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('shrinkImage', () => {
  it('steps quality and width down until a photo-like worst case fits under 1,000,000 bytes', async () => {
    const input = await noisePng(1200, 2400);
    const firstTry = await sharp(input).jpeg({ quality: 85 }).toBuffer();
    expect(firstTry.length).toBeGreaterThan(BLUESKY_MAX_THUMB_BYTES);
    const out = await shrinkImage(input);
    expect(out.length).toBeLessThanOrEqual(BLUESKY_MAX_THUMB_BYTES);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThanOrEqual(1200);
  });

  it('turns a transparent PNG into a JPEG without enlarging it', async () => {
    const { data } = (await fetchCardThumb({ url: `${site.url}/none.html`, image: `${site.url}/transparent.png` }, { timeoutMs: 2_000 }))!;
    const meta = await sharp(data).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 300, height: 200, hasAlpha: false });
  });

  it('throws on bytes that are not an image', async () => {
    await expect(shrinkImage(Buffer.from('<html>not an image</html>'))).rejects.toThrow();
  });
});
