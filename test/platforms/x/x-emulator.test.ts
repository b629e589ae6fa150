import { ApiResponseError } from 'twitter-api-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXClient } from '../../../src/platforms/x/x-client.js';
import { startXEmulator, type XEmulator } from '../../support/x-emulator.js';
import { catchError, makeSecrets, type TestSecrets } from './x-test-kit.js';

let secrets: TestSecrets;
let emulator: XEmulator;

function api(overrides: Partial<TestSecrets> = {}) {
  return createXClient({ credentials: { ...secrets, ...overrides }, apiBaseUrl: emulator.url, timeoutMs: 3_000 }).api;
}

async function responseError(promise: Promise<unknown>): Promise<ApiResponseError> {
  const error = await catchError(promise);
  expect(error).toBeInstanceOf(ApiResponseError);
  return error as ApiResponseError;
}

beforeEach(async () => {
  secrets = makeSecrets();
  emulator = await startXEmulator({ ...secrets, username: 'emu_user', rateLimit: { limit: 10, windowSeconds: 900 }, dailyLimit: 4 });
});

afterEach(async () => {
  await emulator.close();
});

describe('x emulator', () => {
  it('accepts a correctly signed request, query parameters included in the signature', async () => {
    const me = await api().v2.me({ 'user.fields': ['created_at', 'description'] });
    expect(me.data.username).toBe('emu_user');
  });

  it.each([
    ['app secret', { appSecret: 'wrong-app-secret' }],
    ['access secret', { accessSecret: 'wrong-access-secret' }],
    ['app key', { appKey: 'wrong-app-key' }],
    ['access token', { accessToken: 'wrong-access-token' }],
  ])('rejects a request signed with a wrong %s with 401', async (_name, overrides) => {
    const error = await responseError(api(overrides).v2.tweet('bonjour'));
    expect(error.code).toBe(401);
    expect(error.data).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    expect(emulator.posts).toHaveLength(0);
  });

  it('rejects a request with no signature', async () => {
    const response = await fetch(`${emulator.url}/2/tweets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x' }) });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(emulator.posts).toHaveLength(0);
  });

  it('answers a duplicate with the real 403 body and a too-long text with a 400', async () => {
    await api().v2.tweet('deux fois');
    const duplicate = await responseError(api().v2.tweet('deux fois'));
    expect(duplicate.code).toBe(403);
    expect(duplicate.data).toEqual({ detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });

    const tooLong = await responseError(api().v2.tweet(`${'a'.repeat(258)} https://example.org/a-very-long-path-that-counts-as-23`));
    expect(tooLong.code).toBe(400);
    expect((tooLong.data as { detail: string }).detail).toMatch(/^Your Tweet text is too long/);
    // URLs weigh 23 whatever their length, so 256 + 1 + 23 = 280 fits although the string is longer.
    const fits = `${'a'.repeat(256)} https://example.org/a-very-long-path-that-counts-as-23`;
    await api().v2.tweet(fits);
    expect(fits.length).toBeGreaterThan(280);
    expect(emulator.posts.map((p) => p.text)).toEqual(['deux fois', fits]);
  });

  it('sends rate-limit headers and a 429 with the daily headers at 0 when the day is used up', async () => {
    const ok = await api().v2.post('tweets', { text: 'un' }, { fullResponse: true });
    expect(ok.headers['x-rate-limit-limit']).toBe('10');
    expect(ok.headers['x-rate-limit-remaining']).toBe('9');
    expect(ok.headers['x-user-limit-24hour-remaining']).toBe('3');
    for (const text of ['deux', 'trois', 'quatre']) await api().v2.tweet(text);
    const capped = await responseError(api().v2.tweet('cinq'));
    expect(capped.code).toBe(429);
    expect(capped.headers['x-user-limit-24hour-remaining']).toBe('0');
    // The 15-minute window still has room: only the 24-hour headers say why.
    expect(capped.headers['x-rate-limit-remaining']).toBe('5');
    expect(Number(capped.headers['x-user-limit-24hour-reset']) - Number(capped.headers['x-rate-limit-reset'])).toBe(86_400 - 900);
    expect(emulator.posts).toHaveLength(4);
  });

  it('counts requests per path and closes cleanly with a request still hanging', async () => {
    emulator.failNext('hang');
    const hanging = catchError(createXClient({ credentials: secrets, apiBaseUrl: emulator.url, timeoutMs: 10_000 }).api.v2.me());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.requests['/2/users/me']).toBe(1);
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBeInstanceOf(Error);
    emulator = await startXEmulator({ ...secrets });
  });
});
