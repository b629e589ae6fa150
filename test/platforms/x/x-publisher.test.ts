import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HerautError, isHerautError, policyFor } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import type { Publisher } from '../../../src/platforms/platform.js';
import { createXPublisher } from '../../../src/platforms/x/x-publisher.js';
import { startXEmulator, type XEmulator, type XEmulatorOptions } from '../../support/x-emulator.js';
import { captureLogger, catchError, makeSecrets, postRequest, startStaticServer, xAccount, type TestSecrets } from './x-test-kit.js';

let secrets: TestSecrets;
let emulator: XEmulator;
let publishers: Publisher[];

async function startEmulator(extra: Partial<XEmulatorOptions> = {}): Promise<XEmulator> {
  await emulator?.close();
  emulator = await startXEmulator({ ...secrets, username: 'heraut_bot', ...extra });
  return emulator;
}

function publisher(overrides: Partial<TestSecrets> & Record<string, unknown> = {}, log = silentLogger()): Publisher {
  const created = createXPublisher({ name: 'x', account: xAccount(emulator.url, { ...secrets, ...overrides }), log });
  publishers.push(created);
  return created;
}

function expectHeraut(error: unknown, code: HerautError['code']): HerautError {
  expect(isHerautError(error), `expected a HerautError ${code}, got ${String(error)}`).toBe(true);
  const heraut = error as HerautError;
  expect(heraut.code).toBe(code);
  expect(heraut.message).not.toContain('\n');
  return heraut;
}

beforeEach(async () => {
  secrets = makeSecrets();
  publishers = [];
  emulator = await startXEmulator({ ...secrets, username: 'heraut_bot' });
});

afterEach(async () => {
  for (const p of publishers) await p.close?.();
  await emulator.close();
});

describe('createXPublisher: publish', () => {
  it('posts the exact text and returns the id and a status URL', async () => {
    const x = publisher();
    const text = 'Café, crème brûlée et « déjà-vu » 🚀🇫🇷 Pourquoi ? https://example.org/article #science';
    const result = await x.publish(postRequest(text));

    expect(emulator.posts).toHaveLength(1);
    expect(emulator.posts[0]!.text).toBe(text);
    expect(emulator.posts[0]!.mediaIds).toEqual([]);
    expect(result).toEqual({ id: emulator.posts[0]!.id, url: `https://x.com/i/status/${emulator.posts[0]!.id}` });
    expect(emulator.requests['/2/tweets']).toBe(1);
  });

  it('uses the handle in the URL once verify() has run', async () => {
    const x = publisher();
    expect(await x.verify()).toEqual({ handle: 'heraut_bot' });
    const result = await x.publish(postRequest('Bonjour'));
    expect(result.url).toBe(`https://x.com/heraut_bot/status/${result.id}`);
  });

  it('reports missing credentials with the variables to export, without calling X', async () => {
    const x = createXPublisher({ name: 'main-x', account: xAccount(emulator.url, { appKey: secrets.appKey, accessToken: secrets.accessToken }), log: silentLogger() });
    const error = expectHeraut(await catchError(x.publish(postRequest('Bonjour'))), 'platform-auth');
    expect(error.message).toContain('account main-x: appSecret, accessSecret are not set');
    expect(error.message).toContain('X_APP_SECRET');
    expect(error.message).toContain('X_ACCESS_SECRET');
    expect(error.message).not.toContain(secrets.appKey);
    expect(Object.keys(emulator.requests)).toEqual([]);
  });

  it('turns a bad signature (wrong secret) into platform-auth, not retryable', async () => {
    const x = publisher({ appSecret: 'wrong-app-secret-value' });
    const error = expectHeraut(await catchError(x.publish(postRequest('Bonjour'))), 'platform-auth');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('401');
    expect(error.message).toContain('X_APP_SECRET');
    expect(emulator.posts).toHaveLength(0);
  });

  it.each([
    ['read-only', 'oauth1 app permissions'],
    ['suspended', 'Your account is suspended.'],
  ] as const)('turns a 403 for a %s account into platform-auth with X\'s reason', async (state, reason) => {
    const x = publisher();
    emulator.accountState = state;
    const error = expectHeraut(await catchError(x.publish(postRequest('Bonjour'))), 'platform-auth');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('403');
    expect(error.message).toContain(reason);
    expect(error.message).toContain('Read and Write');
    expect(emulator.posts).toHaveLength(0);
  });

  it('turns a refused connection into retryable platform-unavailable', async () => {
    const url = emulator.url;
    await emulator.close();
    const x = createXPublisher({ name: 'x', account: xAccount(url, secrets), log: silentLogger() });
    const error = expectHeraut(await catchError(x.publish(postRequest('a'))), 'platform-unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    emulator = await startXEmulator({ ...secrets });
  });

  it('turns a too-long text into platform-rejected with the API\'s own words', async () => {
    const x = publisher();
    const error = expectHeraut(await catchError(x.publish(postRequest('é'.repeat(281)))), 'platform-rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Your Tweet text is too long.');
    expect(emulator.posts).toHaveLength(0);
    // 280 weighted characters is still fine: the emulator counts like X does.
    await x.publish(postRequest('é'.repeat(280)));
    expect(emulator.posts).toHaveLength(1);
  });

  it('a 403 about this post fails that post only; the account goes on', async () => {
    const x = publisher();
    emulator.failNext('forbidden');
    const error = expectHeraut(await catchError(x.publish(postRequest('Refusé'))), 'platform-rejected');
    expect(policyFor(error)).toEqual({ action: 'fail' });
    expect(error.message).toContain('You are not permitted to perform this action.');
    await x.publish(postRequest('Le suivant passe'));
    expect(emulator.posts.map((post) => post.text)).toEqual(['Le suivant passe']);
  });

  it('on a first attempt, a duplicate-content 403 is X refusing it as a duplicate, not a success', async () => {
    const x = publisher();
    await x.publish(postRequest('Déjà dit', { attempt: 1 }));
    const error = expectHeraut(await catchError(x.publish(postRequest('Déjà dit', { jobId: 'job-forced', attempt: 1 }))), 'platform-rejected');
    expect(error.message).toContain('X refused it as a duplicate');
    expect(policyFor(error)).toEqual({ action: 'fail' });
    expect(emulator.posts).toHaveLength(1);
  });

  it('treats X\'s duplicate-content 403 as already posted', async () => {
    const x = publisher();
    const first = await x.publish(postRequest('Une seule fois 🙂', { attempt: 1 }));
    const second = await x.publish(postRequest('Une seule fois 🙂', { attempt: 2 }));
    expect(first.alreadyPosted).toBeUndefined();
    expect(second).toEqual({ id: '', url: '', alreadyPosted: true });
    expect(emulator.posts).toHaveLength(1);
    expect(emulator.requests['/2/tweets']).toBe(2);
  });

  it('on a 429 of the 15-minute window, retries at x-rate-limit-reset', async () => {
    await startEmulator({ rateLimit: { limit: 1, windowSeconds: 900 } });
    const x = publisher();
    const before = Math.floor(Date.now() / 1000);
    await x.publish(postRequest('premier'));
    const error = expectHeraut(await catchError(x.publish(postRequest('second'))), 'platform-rate-limited');
    const after = Math.ceil(Date.now() / 1000);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('15-minute');
    expect(error.retryAt! / 1000).toBeGreaterThanOrEqual(before + 900);
    expect(error.retryAt! / 1000).toBeLessThanOrEqual(after + 900);
    expect(emulator.posts).toHaveLength(1);
  });

  it('on a 429 of the daily cap, retries at the 24-hour reset, not the 15-minute one', async () => {
    await startEmulator({ dailyLimit: 1, rateLimit: { limit: 50, windowSeconds: 900 } });
    const x = publisher();
    const before = Math.floor(Date.now() / 1000);
    await x.publish(postRequest('premier'));
    const error = expectHeraut(await catchError(x.publish(postRequest('second'))), 'platform-rate-limited');
    const after = Math.ceil(Date.now() / 1000);
    expect(error.message).toContain('24-hour');
    expect(error.retryAt! / 1000).toBeGreaterThanOrEqual(before + 86_400);
    expect(error.retryAt! / 1000).toBeLessThanOrEqual(after + 86_400);
  });

  it('turns a 500 and a dropped connection into retryable platform-unavailable', async () => {
    const x = publisher();
    emulator.failNext('500');
    const serverError = expectHeraut(await catchError(x.publish(postRequest('a'))), 'platform-unavailable');
    expect(serverError.retryable).toBe(true);
    expect(serverError.message).toContain('500');

    emulator.failNext('drop');
    const dropped = expectHeraut(await catchError(x.publish(postRequest('a'))), 'platform-unavailable');
    expect(dropped.retryable).toBe(true);
    expect(dropped.message).toContain('could not reach X');
    expect(emulator.posts).toHaveLength(0);

    await x.publish(postRequest('a'));
    expect(emulator.posts).toHaveLength(1);
  });

  it('gives up on a hanging call at the configured timeout', async () => {
    const x = publisher({ timeout: '800ms' });
    emulator.failNext('hang');
    const started = performance.now();
    const error = expectHeraut(await catchError(x.publish(postRequest('a'))), 'platform-unavailable');
    const elapsed = performance.now() - started;
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('did not answer within 0.8s');
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('after a lost response, the retry comes back as already posted (one post in total)', async () => {
    const x = publisher();
    emulator.failNext('lose-response');
    const error = expectHeraut(await catchError(x.publish(postRequest('Perdu puis retrouvé'))), 'platform-unavailable');
    expect(error.retryable).toBe(true);
    expect(emulator.posts).toHaveLength(1);

    const retry = await x.publish(postRequest('Perdu puis retrouvé'));
    expect(retry.alreadyPosted).toBe(true);
    expect(emulator.posts).toHaveLength(1);
  });

  it('stops when the caller aborts', async () => {
    const x = publisher({ timeout: '10s' });
    emulator.failNext('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = expectHeraut(await catchError(x.publish(postRequest('a'), controller.signal)), 'platform-unavailable');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.message).toContain('interrupted');
  });
});

describe('createXPublisher: media', () => {
  it('uploads the article image with the title as alt text and attaches it', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const images = await startStaticServer({ '/a.png': { type: 'application/octet-stream', body: png } });
    try {
      const x = publisher();
      const title = 'Pourquoi le ciel est bleu ? 🌍';
      const result = await x.publish(postRequest('Avec image', { media: 'image', link: { url: 'https://example.org/a', title, description: '', image: `${images.url}/a.png` } }));

      const post = emulator.posts.find((p) => p.id === result.id)!;
      expect(post.mediaIds).toHaveLength(1);
      const media = emulator.media.get(post.mediaIds[0]!)!;
      expect(media.mediaType).toBe('image/png');
      expect(media.mediaCategory).toBe('tweet_image');
      expect(media.bytes.equals(png)).toBe(true);
      expect(media.altText).toBe(title);

      const longTitle = 'é'.repeat(1200);
      const second = await x.publish(postRequest('Avec image 2', { media: 'image', link: { url: 'https://example.org/b', title: longTitle, description: '', image: `${images.url}/a.png` } }));
      const secondMedia = emulator.media.get(emulator.posts.find((p) => p.id === second.id)!.mediaIds[0]!)!;
      expect(secondMedia.altText).toBe('é'.repeat(1000));
    } finally {
      await images.close();
    }
  });

  it('uploads an image larger than one chunk in several appends, in order', async () => {
    const noise = Buffer.alloc(800 * 800 * 3);
    for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 2654435761) >>> 24;
    const png = await sharp(noise, { raw: { width: 800, height: 800, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(png.length).toBeGreaterThan(1024 * 1024);
    const images = await startStaticServer({ '/big.png': { type: 'image/png', body: png } });
    try {
      const result = await publisher().publish(postRequest('Grande image', { media: 'image', link: { url: 'https://example.org/a', title: 'Grande', description: '', image: `${images.url}/big.png` } }));
      const mediaId = emulator.posts.find((p) => p.id === result.id)!.mediaIds[0]!;
      expect(emulator.media.get(mediaId)!.bytes.equals(png)).toBe(true);
      expect(emulator.requests[`/2/media/upload/${mediaId}/append`]).toBe(Math.ceil(png.length / (1024 * 1024)));
    } finally {
      await images.close();
    }
  });

  it('does not upload when media is "none"', async () => {
    const x = publisher();
    await x.publish(postRequest('Sans image', { link: { url: 'https://example.org/a', title: 't', description: '', image: 'http://127.0.0.1:1/a.png' } }));
    expect(emulator.posts[0]!.mediaIds).toEqual([]);
    expect(emulator.requests['/2/media/upload/initialize']).toBeUndefined();
  });

  it('posts without media, with a warning, when the image is missing, too large or not an image', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    const images = await startStaticServer({ '/big.png': { type: 'image/png', body: big }, '/page.png': { type: 'image/png', body: Buffer.from('<html>not an image</html>') } });
    const { log, lines } = captureLogger();
    try {
      const x = publisher({}, log);
      const cases = ['/missing.png', '/big.png', '/page.png'];
      for (const [i, path] of cases.entries()) {
        await x.publish(postRequest(`Image cassée ${i}`, { media: 'image', link: { url: 'https://example.org/a', title: 't', description: '', image: `${images.url}${path}` } }));
      }
      expect(emulator.posts.map((p) => p.mediaIds)).toEqual([[], [], []]);
      const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'x image not attached; posting without it');
      expect(warnings).toHaveLength(3);
      expect(warnings[0].reason).toContain('404');
      expect(warnings[1].reason).toContain('5242880');
      expect(warnings.every((w) => w.level === 40 && w.jobId === 'job-1')).toBe(true);
    } finally {
      await images.close();
    }
  });

  it('posts without media when X fails the upload', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer();
    const images = await startStaticServer({ '/a.png': { type: 'image/png', body: png } });
    try {
      const x = publisher();
      emulator.failNext('500');
      await x.publish(postRequest('Upload raté', { media: 'image', link: { url: 'https://example.org/a', title: 't', description: '', image: `${images.url}/a.png` } }));
      expect(emulator.posts).toHaveLength(1);
      expect(emulator.posts[0]!.mediaIds).toEqual([]);
      expect(emulator.requests['/2/media/upload/initialize']).toBe(1);
    } finally {
      await images.close();
    }
  });
});

describe('createXPublisher: verify', () => {
  it('returns the handle for good credentials', async () => {
    expect(await publisher().verify()).toEqual({ handle: 'heraut_bot' });
    expect(emulator.requests['/2/users/me']).toBe(1);
  });

  it('turns bad credentials into platform-auth', async () => {
    const error = expectHeraut(await catchError(publisher({ accessSecret: 'not-the-access-secret' }).verify()), 'platform-auth');
    expect(error.message).toContain('401');
  });
});

describe('createXPublisher: secrets', () => {
  it('never puts a credential in a log line or an error', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
    const images = await startStaticServer({ '/a.png': { type: 'image/png', body: png } });
    const { log, lines } = captureLogger();
    const errors: unknown[] = [];
    const collect = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        errors.push(error);
      }
    };
    try {
      await startEmulator({ rateLimit: { limit: 3, windowSeconds: 900 } });
      const x = publisher({ timeout: '500ms' }, log);
      await collect(x.verify());
      await collect(x.publish(postRequest('ok', { media: 'image', link: { url: 'https://example.org/a', title: 't', description: '', image: `${images.url}/a.png` } })));
      await collect(x.publish(postRequest('ok')));
      await collect(x.publish(postRequest('é'.repeat(300))));
      await collect(x.publish(postRequest('rate limited')));
      emulator.failNext('hang');
      await collect(x.publish(postRequest('hang')));
      emulator.failNext('drop');
      await collect(x.publish(postRequest('drop')));
      await collect(publisher({ appSecret: 'wrong-secret-1234', timeout: '500ms' }, log).publish(postRequest('bad')));
      await collect(createXPublisher({ name: 'x', account: xAccount(emulator.url, { appKey: secrets.appKey }), log }).verify());
    } finally {
      await images.close();
    }

    // What the service does with a failure: log the error object, cause included.
    for (const error of errors) log.warn({ err: error }, 'x call failed');
    // Whatever field or message carries a credential later, the publisher registered it for scrubbing.
    log.info({ note: `signed with ${secrets.appSecret} and ${secrets.accessSecret}` }, `token ${secrets.accessToken} key ${secrets.appKey}`);
    expect(lines.at(-1)).toContain('[redacted]');

    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(errors.map((e) => (e as HerautError).code).sort()).toEqual(
      ['platform-auth', 'platform-auth', 'platform-rate-limited', 'platform-rejected', 'platform-unavailable', 'platform-unavailable'].sort(),
    );
    const texts = [...lines, ...errors.map((e) => `${(e as Error).message} ${JSON.stringify((e as HerautError).details)} ${String(e)}`)];
    for (const secret of Object.values(secrets)) {
      for (const text of texts) expect(text.includes(secret), `a secret leaked into: ${text}`).toBe(false);
    }
  });
});
