import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mastodonLength, startMastodonEmulator, type MastodonEmulator } from '../../support/mastodon-emulator.js';

// The emulator answers as docs.joinmastodon.org says the API does; these cases pin the parts heraut relies on.
const token = 'emulator-token-8Kq';
let clock: number;
let emulator: MastodonEmulator;

function call(path: string, init: RequestInit & { auth?: string | false } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== false) headers.set('authorization', `Bearer ${init.auth ?? token}`);
  return fetch(`${emulator.url}${path}`, { ...init, headers });
}

function postStatus(body: Record<string, unknown>, key?: string): Promise<Response> {
  return call('/api/v1/statuses', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) } });
}

beforeEach(async () => {
  clock = Date.parse('2031-05-04T10:00:00Z');
  emulator = await startMastodonEmulator({ accessToken: token, now: () => clock, rateLimit: { limit: 5, windowSeconds: 300 } });
});
afterEach(() => emulator.close());

describe('Mastodon emulator', () => {
  it('publishes the instance limits without a token', async () => {
    const response = await call('/api/v2/instance', { auth: false });
    expect(response.status).toBe(200);
    expect((await response.json()).configuration.statuses).toEqual({ max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 });
  });

  it('refuses a missing or wrong token with 401 and Doorkeeper\'s words', async () => {
    for (const auth of [false, 'nope'] as const) {
      const response = await call('/api/v1/accounts/verify_credentials', { auth });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await response.json()).toEqual({ error: 'The access token is invalid' });
    }
  });

  it('counts graphemes and every URL as the reserved length', () => {
    expect(mastodonLength('👩🏽‍💻 é https://example.org/a/very/long/path/that/is/longer/than/23')).toBe(1 + 1 + 1 + 1 + 23);
    expect(mastodonLength('example.org is not a URL here')).toBe(29);
  });

  it('answers a repeated Idempotency-Key with the first status for an hour, then makes a new one', async () => {
    const first = await (await postStatus({ status: 'un' }, 'key-1')).json();
    clock += 59 * 60_000;
    const again = await (await postStatus({ status: 'deux' }, 'key-1')).json();
    expect(again.id).toBe(first.id);
    expect(emulator.statuses).toHaveLength(1);
    clock += 2 * 60_000;
    const later = await (await postStatus({ status: 'trois' }, 'key-1')).json();
    expect(later.id).not.toBe(first.id);
    expect(emulator.statuses).toHaveLength(2);
  });

  it('says 422 with the limit over 500 characters, and 429 with an ISO reset once the window is used', async () => {
    const long = await postStatus({ status: 'a'.repeat(501) });
    expect(long.status).toBe(422);
    expect(await long.json()).toEqual({ error: 'Validation failed: Text character limit of 500 exceeded' });
    for (let i = 0; i < 4; i++) expect((await postStatus({ status: `n${i}` })).status).toBe(200);
    const limited = await postStatus({ status: 'trop' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(new Date(clock + 300_000).toISOString());
  });

  it('takes a form-encoded status with media_ids[] only once the media is processed (202, 206, then 200)', async () => {
    const form = new FormData();
    form.set('file', new Blob([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')]), 'a.png');
    form.set('description', 'Le ciel');
    const upload = await call('/api/v2/media', { method: 'POST', body: form });
    expect(upload.status).toBe(202);
    const { id, url } = await upload.json();
    expect(url).toBeNull();
    const early = await call('/api/v1/statuses', { method: 'POST', body: new URLSearchParams([['status', 'img'], ['media_ids[]', id]]) });
    expect(early.status).toBe(422);
    expect((await call(`/api/v1/media/${id}`)).status).toBe(200);
    const posted = await call('/api/v1/statuses', { method: 'POST', body: new URLSearchParams([['status', 'img'], ['media_ids[]', id]]) });
    expect(posted.status).toBe(200);
    expect((await posted.json()).media_attachments[0]).toMatchObject({ id, description: 'Le ciel' });
  });

  it("lists the account's statuses newest first, a page at a time", async () => {
    for (const text of ['a https://example.org/1', 'b', 'c']) await postStatus({ status: text });
    const page = await call('/api/v1/accounts/109876543210123456/statuses?limit=2');
    const statuses = await page.json();
    expect(statuses.map((s: { content: string }) => s.content)).toEqual(['<p>c</p>', '<p>b</p>']);
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')![1]!;
    const rest = await (await call(new URL(next).pathname + new URL(next).search)).json();
    expect(rest[0].content).toContain('<a href="https://example.org/1"');
  });
});
