import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AtpAgent } from '@atproto/api';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlueskyAccount } from '../../../src/platforms/bluesky/bluesky-account.js';
import { HerautError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { openSessionFiles } from '../../../src/queue/file/session-files.js';
import { createBlueskyPublisher, createdAtFromPostKey, newBlueskyPostKey } from '../../../src/platforms/bluesky/bluesky-publisher.js';
import type { Facet, PostRequest, Publisher } from '../../../src/platforms/platform.js';
import { startPds, type Pds, type PdsAccount } from '../../support/pds.js';
import { noisePng, startArticleSite, type ArticleSite } from './article-site.js';

const POSTS = 'app.bsky.feed.post';

let pds: Pds;
let site: ArticleSite;
let account: PdsAccount;
let reader: AtpAgent;
let publisher: Publisher;
let dir: string;
let bigPng: Buffer;
const logLines: string[] = [];

function facet(text: string, part: string, feature: Facet['features'][number]): Facet {
  const at = text.indexOf(part);
  if (at < 0) throw new Error(`"${part}" is not in the text`);
  const byteStart = Buffer.byteLength(text.slice(0, at), 'utf8');
  return { index: { byteStart, byteEnd: byteStart + Buffer.byteLength(part, 'utf8') }, features: [feature] };
}

function sliceBytes(text: string, index: Facet['index']): string {
  return Buffer.from(text, 'utf8').subarray(index.byteStart, index.byteEnd).toString('utf8');
}

interface BlobJson {
  mimeType: string;
  size: number;
  ref: { toString(): string; $link?: string };
}

function blobCid(blob: BlobJson): string {
  return blob.ref.$link ?? blob.ref.toString();
}

async function readPost(rkey: string) {
  const res = await reader.com.atproto.repo.getRecord({ repo: account.did, collection: POSTS, rkey });
  return res.data.value as {
    text: string;
    createdAt: string;
    facets?: Facet[];
    langs?: string[];
    embed: { $type: string; external: { uri: string; title: string; description: string; thumb?: BlobJson } };
  };
}

async function countPosts(): Promise<number> {
  const res = await reader.com.atproto.repo.listRecords({ repo: account.did, collection: POSTS, limit: 100 });
  return res.data.records.length;
}

async function thumbImage(blob: BlobJson) {
  const res = await reader.com.atproto.sync.getBlob({ did: account.did, cid: blobCid(blob) });
  const data = Buffer.from(res.data);
  return { bytes: data.length, meta: await sharp(data).metadata() };
}

function request(overrides: Partial<PostRequest> = {}): PostRequest {
  return {
    jobId: `job-${Math.random().toString(36).slice(2, 8)}`,
    text: 'Un article à lire',
    langs: ['fr'],
    link: { url: `${site.url}/article.html`, title: 'Un article', description: 'Une description' },
    postKey: newBlueskyPostKey(),
    media: 'image',
    ...overrides,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'heraut-bsky-pub-'));
  bigPng = await noisePng(1600, 1000);
  const ogPng = await noisePng(640, 320);
  pds = await startPds();
  site = await startArticleSite({
    '/big.png': ['image/png', bigPng],
    '/images/og.png': ['image/png', ogPng],
    '/article.html': ['text/html; charset=utf-8', '<!doctype html><html><head><title>Cafés</title><meta property="og:title" content="Cafés"><meta property="og:image" content="/images/og.png?a=1&amp;b=2"><meta name="twitter:image" content="/big.png"></head><body><p>Texte</p></body></html>'],
    '/plain.html': ['text/html', '<html><head><title>Rien</title></head><body>no image here</body></html>'],
  });
  account = await pds.createAccount('heraut-pub');
  reader = await pds.reader(account);
  const log = createLogger({ level: 'trace', pretty: false, destination: { write: (line: string) => void logLines.push(line) } });
  publisher = createBlueskyPublisher({
    name: 'main',
    account: BlueskyAccount.parse({ platform: 'bluesky', service: pds.url, identifier: account.handle, password: account.password, timeout: '10s' }),
    sessions: openSessionFiles(path.join(dir, 'state')),
    log,
    fetchTimeoutMs: 5_000,
  });
});

afterAll(async () => {
  await site?.close();
  await pds?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Bluesky publisher against a real PDS', () => {
  it('publishes accented text, emoji, hashtags and facets with a link card whose large image is shrunk under 1 MB', async () => {
    expect(bigPng.length).toBeGreaterThan(1_000_000);
    const link = `${site.url}/article.html`;
    const text = `Pourquoi les cafés ferment-ils l'été ? ☕️🇫🇷 Notre enquête → ${link} #Économie #café`;
    const facets = [
      facet(text, link, { $type: 'app.bsky.richtext.facet#link', uri: link }),
      facet(text, '#Économie', { $type: 'app.bsky.richtext.facet#tag', tag: 'Économie' }),
      facet(text, '#café', { $type: 'app.bsky.richtext.facet#tag', tag: 'café' }),
    ];
    // Accents and emoji before each facet push byte offsets past the string indices.
    expect(facets[1]!.index.byteStart).toBeGreaterThan(text.indexOf('#Économie'));
    const req = request({ text, facets, langs: ['fr', 'en', 'de', 'es'], link: { url: link, title: 'Les cafés en été', description: 'Une enquête « sur le terrain »', image: `${site.url}/big.png` } });

    const result = await publisher.publish(req);

    expect(result.id).toBe(`at://${account.did}/${POSTS}/${req.postKey}`);
    expect(result.url).toBe(`https://bsky.app/profile/${account.handle}/post/${req.postKey}`);
    expect(result.alreadyPosted).toBeUndefined();
    const post = await readPost(req.postKey);
    expect(post.text).toBe(text);
    expect(post.createdAt).toBe(createdAtFromPostKey(req.postKey));
    expect(post.langs).toEqual(['fr', 'en', 'de']);
    expect(post.facets).toEqual(facets);
    const [linkFacet, tagFacet, tagFacet2] = post.facets!;
    expect(sliceBytes(post.text, linkFacet!.index)).toBe(link);
    expect(sliceBytes(post.text, tagFacet!.index)).toBe('#Économie');
    expect(sliceBytes(post.text, tagFacet2!.index)).toBe('#café');
    expect(post.embed.$type).toBe('app.bsky.embed.external');
    expect(post.embed.external).toMatchObject({ uri: link, title: 'Les cafés en été', description: 'Une enquête « sur le terrain »' });
    const thumb = post.embed.external.thumb!;
    expect(thumb).toBeDefined();
    expect(thumb.mimeType).toMatch(/^image\//);
    expect(thumb.size).toBeLessThan(1_000_000);
    const image = await thumbImage(thumb);
    expect(image.bytes).toBe(thumb.size);
    expect(image.meta.format).toBe('jpeg');
    expect(image.meta.width).toBe(1200);
    expect(site.hits.get('/big.png')).toBe(1);
  });

  it('falls back to the page\'s og:image (relative URL, entities decoded) when the article has no image', async () => {
    const req = request({ text: 'Carte sans image fournie', link: { url: `${site.url}/article.html`, title: 'Cafés', description: 'Très long. '.repeat(300) } });
    await publisher.publish(req);
    const post = await readPost(req.postKey);
    // A whole article as description is clipped for the card.
    expect(post.embed.external.description.length).toBeLessThanOrEqual(1000);
    expect(post.embed.external.description).toMatch(/^Très long\. Très long\. .*…$/);
    const thumb = post.embed.external.thumb!;
    expect(thumb).toBeDefined();
    const image = await thumbImage(thumb);
    expect(image.meta.width).toBe(640);
    expect(image.meta.height).toBe(320);
  });

  it('posts the card without a thumb, and warns, when the image cannot be fetched or the page has none', async () => {
    const before = logLines.length;
    const broken = request({ text: 'Image cassée', link: { url: `${site.url}/article.html`, title: 'Cassé', description: 'd', image: `${site.url}/missing.png` } });
    const noImage = request({ text: 'Pas d’image', link: { url: `${site.url}/plain.html`, title: 'Rien', description: 'd' } });
    await publisher.publish(broken);
    await publisher.publish(noImage);
    for (const key of [broken.postKey, noImage.postKey]) {
      const post = await readPost(key);
      expect(post.embed.external.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(post.embed.external.thumb).toBeUndefined();
    }
    const warnings = logLines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string; jobId?: string; reason?: string });
    const brokenWarning = warnings.find((entry) => entry.level === 40 && entry.jobId === broken.jobId);
    expect(brokenWarning?.msg).toMatch(/without a thumbnail/);
    expect(brokenWarning?.reason).toMatch(/404/);
    expect(warnings.some((entry) => entry.level === 40 && entry.jobId === noImage.jobId && /no image/.test(entry.msg))).toBe(true);
  });

  it('never makes a second record when a job is retried with the same postKey', async () => {
    const req = request({ text: 'Publié une seule fois 🙂' });
    const first = await publisher.publish(req);
    const countAfterFirst = await countPosts();
    const second = await publisher.publish({ ...req, jobId: 'retry' });
    const third = await publisher.publish({ ...req, jobId: 'retry-2' });
    expect(await countPosts()).toBe(countAfterFirst);
    expect(second).toEqual({ ...first, alreadyPosted: true });
    expect(third.id).toBe(first.id);
    expect((await readPost(req.postKey)).text).toBe('Publié une seule fois 🙂');
  });

  it('rewrites an identical record when the earlier attempt is not seen (createdAt and thumb are deterministic)', async () => {
    const req = request({ text: 'Deux écritures, un seul post' });
    await publisher.publish(req);
    const before = await reader.com.atproto.repo.getRecord({ repo: account.did, collection: POSTS, rkey: req.postKey });
    const count = await countPosts();
    // Hide the first attempt from the pre-check, as if it landed after the check: the write itself must still be harmless.
    pds.failNext('com.atproto.repo.getRecord', { status: 400, body: { error: 'RecordNotFound', message: 'Could not locate record' } });
    const again = await publisher.publish(req);
    expect(again.alreadyPosted).toBeUndefined();
    expect(pds.calls('com.atproto.repo.getRecord')).toBeGreaterThan(0);
    const after = await reader.com.atproto.repo.getRecord({ repo: account.did, collection: POSTS, rkey: req.postKey });
    expect(after.data.cid).toBe(before.data.cid);
    expect(await countPosts()).toBe(count);
  });

  it('maps rate limits, server failures and rejections to error codes, then posts once when the server recovers', async () => {
    const req = request({ text: 'Après les erreurs' });
    const reset = Math.floor(Date.now() / 1000) + 120;
    pds.failNext('com.atproto.repo.putRecord', { status: 429, headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } });
    const limited = await publisher.publish(req).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(HerautError);
    expect(limited).toMatchObject({ code: 'platform-rate-limited', retryable: true, retryAt: reset * 1000 });

    pds.failNext('com.atproto.repo.putRecord', { status: 502, body: { error: 'UpstreamFailure', message: 'upstream went away' } });
    const down = await publisher.publish(req).catch((error: unknown) => error);
    expect(down).toMatchObject({ code: 'platform-unavailable', retryable: true });

    pds.failNext('com.atproto.repo.putRecord', { status: 400, body: { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: something specific' } });
    const rejected = (await publisher.publish(req).catch((error: unknown) => error)) as HerautError;
    expect(rejected).toMatchObject({ code: 'platform-rejected', retryable: false });
    expect(rejected.message).toContain('something specific');

    const before = await countPosts();
    const ok = await publisher.publish(req);
    expect(ok.alreadyPosted).toBeUndefined();
    expect(await countPosts()).toBe(before + 1);
  });

  it('passes the server\'s reason on when it rejects a post', async () => {
    const tooManyFacetBytes = request({ text: 'court', facets: [{ index: { byteStart: 0, byteEnd: 5 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'not a uri' }] }] });
    const error = (await publisher.publish(tooManyFacetBytes).catch((e: unknown) => e)) as HerautError;
    expect(error).toBeInstanceOf(HerautError);
    expect(error.code).toBe('platform-rejected');
    expect(error.message).toMatch(/uri/i);
  });

  it('refuses a postKey that is not a TID and a text over 300 graphemes before calling the server', async () => {
    await expect(publisher.publish(request({ postKey: 'job-42' }))).rejects.toMatchObject({ code: 'platform-rejected' });
    await expect(publisher.publish(request({ text: 'é'.repeat(301) }))).rejects.toMatchObject({ code: 'platform-rejected', message: expect.stringContaining('301 graphemes') });
  });

  it('verify() returns the handle', async () => {
    expect(await publisher.verify()).toEqual({ handle: account.handle });
  });
});

describe('newBlueskyPostKey', () => {
  it('gives distinct TIDs whose time is now', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newBlueskyPostKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) {
      expect(key).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
      expect(Math.abs(Date.parse(createdAtFromPostKey(key)) - Date.now())).toBeLessThan(5_000);
    }
  });
});
