import { randomBytes, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MastodonAccount } from '../../../src/platforms/mastodon/mastodon-account.js';
import { HerautError, isHerautError, policyFor } from '../../../src/errors.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { mastodonLimits, measureMastodon } from '../../../src/platforms/mastodon/mastodon-limits.js';
import { createMastodonPublisher } from '../../../src/platforms/mastodon/mastodon-publisher.js';
import type { PostRequest, Publisher, SessionStore } from '../../../src/platforms/platform.js';
import { startMastodonEmulator, type MastodonEmulator, type MastodonEmulatorOptions } from '../../support/mastodon-emulator.js';
import { captureLogger, catchError, postRequest, startStaticServer } from '../x/x-test-kit.js';

const HOUR = 3_600_000;
const POST_STATUS = 'POST /api/v1/statuses';
let token: string;
let clock: number;
let emulator: MastodonEmulator;
let sessions: MemorySessions;

class MemorySessions implements SessionStore {
  readonly values = new Map<string, string>();
  async read(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async write(key: string, value: string | undefined): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

async function startEmulator(extra: Partial<MastodonEmulatorOptions> = {}): Promise<void> {
  await emulator?.close();
  emulator = await startMastodonEmulator({ accessToken: token, now: () => clock, ...extra });
}

function publisher(extra: Record<string, unknown> = {}, log: Logger = silentLogger()): Publisher {
  const account = MastodonAccount.parse({ platform: 'mastodon', instance: emulator.url, accessToken: token, timeout: '2s', ...extra });
  return createMastodonPublisher({ name: 'masto', account, log, sessions, now: () => clock, mediaPollMs: 10 });
}

/** The link is the text's URL, as in every teaser. */
function request(text: string, overrides: Partial<PostRequest> = {}): PostRequest {
  const url = /https?:\/\/\S+/.exec(text)?.[0] ?? 'https://example.org/article';
  return postRequest(text, { postKey: randomUUID(), langs: ['fr-FR'], link: { url, title: 'Pourquoi le ciel est bleu', description: '' }, ...overrides });
}

function expectHeraut(error: unknown, code: HerautError['code']): HerautError {
  expect(isHerautError(error), `expected a HerautError ${code}, got ${String(error)}`).toBe(true);
  const heraut = error as HerautError;
  expect(heraut.code).toBe(code);
  expect(heraut.message).not.toContain('\n');
  expect(heraut.message).not.toContain(token);
  expect(JSON.stringify(heraut.details ?? {})).not.toContain(token);
  return heraut;
}

beforeEach(async () => {
  token = `tok-${randomBytes(16).toString('hex')}`;
  clock = Date.parse('2031-05-04T10:00:00Z');
  sessions = new MemorySessions();
  await startEmulator();
});

afterEach(async () => {
  await emulator.close();
});

describe('Mastodon length', () => {
  it('counts as a stock instance before any instance is read', () => {
    expect(mastodonLimits()).toEqual({ maxCharacters: 500, charactersReservedPerUrl: 23 });
    expect(measureMastodon('voir https://example.org/a https://example.org/b')).toEqual({ weighted: 5 + 23 + 1 + 23, limit: 500, valid: true });
  });

  it('reads the instance limits and measures as the instance counts: graphemes, every URL as reserved', async () => {
    await startEmulator({ maxCharacters: 120, charactersReservedPerUrl: 30 });
    expect(await publisher().verify()).toEqual({ handle: `@heraut@${new URL(emulator.url).host} (120 characters a post, a link counts 30)` });
    const limits = mastodonLimits();
    expect(limits).toEqual({ maxCharacters: 120, charactersReservedPerUrl: 30 });

    const url = `https://example.org/${'long-path/'.repeat(20)}`;
    const family = '👨‍👩‍👧';
    const fits = `${family}${'a'.repeat(120 - 30 - 2)} ${url}`;
    expect(measureMastodon(fits, limits)).toEqual({ weighted: 120, limit: 120, valid: true });
    await publisher().publish(request(fits));
    const over = `b${fits}`;
    expect(measureMastodon(over, limits).valid).toBe(false);
    expectHeraut(await catchError(publisher().publish(request(over))), 'platform-rejected');
    expect(emulator.statuses).toHaveLength(1);
  });

});

describe('createMastodonPublisher: publish', () => {
  it('posts the text with visibility, language and the post key as Idempotency-Key', async () => {
    const text = 'Pourquoi le ciel est bleu ? 🌈 https://example.org/article #science';
    const req = request(text);
    const result = await publisher().publish(req);

    expect(emulator.statuses).toHaveLength(1);
    const status = emulator.statuses[0]!;
    expect(status).toMatchObject({ text, visibility: 'public', language: 'fr', idempotencyKey: req.postKey });
    expect(result).toEqual({ id: status.id, url: `${emulator.url}/@heraut/${status.id}` });
    expect(sessions.values.size).toBe(0);
  });

  it('posts unlisted when the account says so', async () => {
    await publisher({ visibility: 'unlisted' }).publish(request('Bonjour https://example.org/a'));
    expect(emulator.statuses[0]!.visibility).toBe('unlisted');
  });

  it('says how to make a token when none is set, without calling the instance', async () => {
    const account = MastodonAccount.parse({ platform: 'mastodon', instance: emulator.url });
    const error = expectHeraut(await catchError(createMastodonPublisher({ name: 'masto', account, log: silentLogger(), sessions }).publish(request('x'))), 'platform-auth');
    expect(error.message).toContain('MASTODON_ACCESS_TOKEN');
    expect(error.message).toContain('write:statuses');
    expect(emulator.requests).toEqual({});
  });

  it('maps a wrong token to platform-auth (attention), never naming the token', async () => {
    const account = MastodonAccount.parse({ platform: 'mastodon', instance: emulator.url, accessToken: 'wrong-token-123456' });
    const error = expectHeraut(await catchError(createMastodonPublisher({ name: 'masto', account, log: silentLogger(), sessions }).publish(request('x'))), 'platform-auth');
    expect(error.message).toContain('401: The access token is invalid');
    expect(error.message).not.toContain('wrong-token-123456');
    expect(policyFor(error)).toEqual({ action: 'attention' });
  });

  it('a retry after a lost answer returns the first status, not a second one', async () => {
    const mastodon = publisher();
    const req = request('Une seule fois https://example.org/once');
    emulator.failNext('lose-response', 1, POST_STATUS);
    expectHeraut(await catchError(mastodon.publish(req)), 'platform-unavailable');
    expect(emulator.statuses).toHaveLength(1);

    clock += 10 * 60_000;
    const result = await mastodon.publish(req);
    expect(emulator.statuses).toHaveLength(1);
    expect(result.id).toBe(emulator.statuses[0]!.id);
    expect(emulator.idempotencyKeys).toEqual([req.postKey, req.postKey]);
  });

  it('a retry more than an hour later finds the first status among the account\'s own, and posts nothing', async () => {
    const mastodon = publisher();
    const req = request('Toujours une seule fois https://example.org/late?a=1&b=2');
    emulator.failNext('lose-response', 1, POST_STATUS);
    await catchError(mastodon.publish(req));
    for (let i = 0; i < 45; i += 1) {
      clock += 60_000;
      await publisher().publish(request(`Autre ${i} https://example.org/other-${i}`));
    }
    clock += 2 * HOUR;

    const result = await publisher().publish(req);
    expect(result).toMatchObject({ id: emulator.statuses[0]!.id, alreadyPosted: true });
    expect(emulator.statuses).toHaveLength(46);
    expect(emulator.requests['GET /api/v1/accounts/109876543210123456/statuses']).toBe(2);
    expect(sessions.values.size).toBe(0);
  });

  it('a retry more than an hour later posts when the first attempt never arrived', async () => {
    const req = request('Jamais arrivé https://example.org/never');
    emulator.failNext('drop', 1, POST_STATUS);
    expectHeraut(await catchError(publisher().publish(req)), 'platform-unavailable');
    expect(emulator.statuses).toHaveLength(0);
    clock += 3 * HOUR;
    await publisher().publish(req);
    expect(emulator.statuses).toHaveLength(1);
  });

  it('maps 5xx, an HTML error page and a timeout to platform-unavailable (backoff)', async () => {
    const mastodon = publisher({ timeout: '500ms' });
    emulator.failNext('500', 1, POST_STATUS);
    const server = expectHeraut(await catchError(mastodon.publish(request('a'))), 'platform-unavailable');
    expect(server.message).toContain('500');
    emulator.failNext('503-html', 1, POST_STATUS);
    expect(expectHeraut(await catchError(mastodon.publish(request('b'))), 'platform-unavailable').message).toContain('503');
    emulator.failNext('hang', 1, POST_STATUS);
    const slow = expectHeraut(await catchError(mastodon.publish(request('c'))), 'platform-unavailable');
    expect(slow.message).toContain('did not answer within 0.5s');
    expect(policyFor(slow)).toEqual({ action: 'backoff' });
    expect(emulator.statuses).toHaveLength(0);
  });

  it('maps 429 to platform-rate-limited until X-RateLimit-Reset', async () => {
    await startEmulator({ rateLimit: { limit: 1, windowSeconds: 300 } });
    const mastodon = publisher();
    await mastodon.publish(request('un'));
    const error = expectHeraut(await catchError(mastodon.publish(request('deux'))), 'platform-rate-limited');
    expect(error.retryAt).toBe(clock + 300_000);
    expect(policyFor(error)).toEqual({ action: 'hold-until', until: clock + 300_000 });
  });

  it("maps 422 to platform-rejected with the server's words", async () => {
    const error = expectHeraut(await catchError(publisher().publish(request('é'.repeat(501)))), 'platform-rejected');
    expect(error.message).toContain('Validation failed: Text character limit of 500 exceeded');
    expect(policyFor(error)).toEqual({ action: 'fail' });
    expect(sessions.values.size).toBe(0);
  });
});

describe('Mastodon media', () => {
  it('uploads the image with the title as description, waits while it is processed, attaches it', async () => {
    await startEmulator({ mediaProcessingPolls: 3 });
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const images = await startStaticServer({ '/a.png': { type: 'image/png', body: png } });
    try {
      const title = 'Pourquoi le ciel est bleu';
      await publisher().publish(request('Avec image https://example.org/a', { media: 'image', link: { url: 'https://example.org/a', title, description: '', image: `${images.url}/a.png` } }));
      const [media] = [...emulator.media.values()];
      expect(media).toMatchObject({ bytes: png.length, description: title, pollsLeft: 0 });
      expect(emulator.requests[`GET /api/v1/media/${media!.id}`]).toBe(3);
      expect(emulator.statuses[0]!.mediaIds).toEqual([media!.id]);
    } finally {
      await images.close();
    }
  });

  it('posts without the image, with a warning, when it cannot be had or is not an image', async () => {
    const images = await startStaticServer({ '/page.png': { type: 'image/png', body: Buffer.from('<html>not an image</html>') } });
    const { log, lines } = captureLogger();
    try {
      for (const path of ['/missing.png', '/page.png']) {
        await publisher({ media: 'image' }, log).publish(request(`Image ${path}`, { media: 'image', link: { url: 'https://example.org/a', title: 't', description: '', image: `${images.url}${path}` } }));
      }
      const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'mastodon image not attached; posting without it');
      expect(warnings).toHaveLength(2);
      expect(warnings[1].reason).toContain('File content type is invalid');
      expect(emulator.statuses.map((s) => s.mediaIds)).toEqual([[], []]);
    } finally {
      await images.close();
    }
  });
});
