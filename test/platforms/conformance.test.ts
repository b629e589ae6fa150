import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHerautError, policyFor, type RetryPolicy } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { openSessionFiles } from '../../src/queue/file/session-files.js';
import type { PostRequest, Publisher } from '../../src/platforms/platform.js';
import { createPublisher, platformIds, platformSpec } from '../../src/platforms/registry.js';
import type { HarnessAccount, HarnessServer, PlatformHarness } from './conformance/harness.js';
import { harnesses } from './conformance/harnesses.js';

// The contract every platform keeps, run against its real or emulated server. A new platform adds its harness to
// conformance/harnesses.ts and must pass these cases unchanged.

it('every registered platform has a conformance harness', () => {
  expect(harnesses.map((harness) => harness.platform).sort()).toEqual([...platformIds].sort());
});

describe.each(harnesses.map((harness) => [harness.platform, harness] as const))('%s publisher conformance', (_id, harness: PlatformHarness) => {
  const spec = platformSpec(harness.platform);
  let server: HarnessServer;
  let dir: string;
  let made = 0;
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `heraut-conformance-${harness.platform}-`));
    server = await harness.start();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(publishers.map((publisher) => publisher.close?.()));
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function publisherFor(account: HarnessAccount): Promise<Publisher> {
    made++;
    const publisher = await createPublisher(`acct${made}`, account.account, { log: silentLogger(), sessions: openSessionFiles(path.join(dir, `sessions-${made}`)) });
    publishers.push(publisher);
    return publisher;
  }

  async function request(text: string): Promise<PostRequest> {
    const link = 'https://example.org/explainer';
    return { jobId: `job-${made}`, text, langs: ['fr'], link: { url: link, title: 'Pourquoi', description: 'Parce que.' }, postKey: await spec.newPostKey(), media: 'none', attempt: 1 };
  }

  async function failure(promise: Promise<unknown>): Promise<{ error: unknown; policy: RetryPolicy }> {
    try {
      await promise;
    } catch (error) {
      return { error, policy: policyFor(error) };
    }
    throw new Error('expected the call to fail');
  }

  /** A fault, then the same request again as the next attempt: the post exists exactly once. */
  async function retriedOnce(fault: 'lose-answer' | '5xx' | '429', expected: RetryPolicy['action']): Promise<void> {
    const account = await server.account();
    const publisher = await publisherFor(account);
    const first = await request(`Une fois seulement (${fault}) ${spec.showLink('https://example.org/explainer')}`);
    // A first post signs in, so that the fault hits the post itself.
    await publisher.publish({ ...first, text: `Avant (${fault})`, postKey: await spec.newPostKey() });
    server.failNextPost(account, fault);
    const { error, policy } = await failure(publisher.publish(first));
    expect(isHerautError(error), String(error)).toBe(true);
    expect(policy.action).toBe(expected);
    if (policy.action === 'hold-until') expect(policy.until).toBeGreaterThan(Date.now());
    // X does not say which post has the text, only that one has: alreadyPosted without a URL is an honest answer.
    const result = await publisher.publish({ ...first, attempt: 2 });
    expect(result.url !== '' || result.alreadyPosted).toBe(true);
    expect((await server.posts(account)).filter((text) => text === first.text)).toHaveLength(1);
  }

  it('posts exactly once when the server did the post but its answer was lost', () => retriedOnce('lose-answer', 'backoff'), 30_000);
  it('retries a 5xx with backoff and posts once', () => retriedOnce('5xx', 'backoff'), 30_000);
  it('holds the account until the 429 lifts and posts once', () => retriedOnce('429', 'hold-until'), 30_000);

  it('asks for a person on a 401, and posts nothing', async () => {
    const account = await server.account({ badCredentials: true });
    const publisher = await publisherFor(account);
    const { error, policy } = await failure(publisher.publish(await request('Refusé')));
    expect(isHerautError(error, 'platform-auth'), String(error)).toBe(true);
    expect(policy.action).toBe('attention');
    expectNoSecrets(error, account);
  }, 30_000);

  it('measures a text as the server does: the longest valid text is taken, one more is refused', async () => {
    const account = await server.account();
    const publisher = await publisherFor(account);
    const { longest, oneMore } = limitTexts(spec.measure);
    expect(spec.fits(longest)).toBe(true);
    expect(spec.fits(oneMore)).toBe(false);
    expect(await server.acceptsText(account, oneMore)).toBe(false);
    const { error, policy } = await failure(publisher.publish(await request(oneMore)));
    expect(isHerautError(error, 'platform-rejected'), String(error)).toBe(true);
    expect(policy.action).toBe('fail');
    await publisher.publish(await request(longest));
    expect(await server.posts(account)).toContain(longest.normalize('NFC'));
  }, 30_000);

  it('never lets a credential or Authorization material into an error, whatever the server echoes', async () => {
    const account = await server.account();
    const publisher = await publisherFor(account);
    await publisher.publish(await request('Session ouverte'));
    server.failNextPost(account, 'echo-authorization');
    const { error, policy } = await failure(publisher.publish(await request('Écho')));
    expect(isHerautError(error), String(error)).toBe(true);
    expect(policy.action).toBe('fail');
    expect((error as Error).message).toMatch(/Authorization/i);
    expectNoSecrets(error, account);
  }, 30_000);
});

function expectNoSecrets(error: unknown, account: HarnessAccount): void {
  const seen = [String(error), (error as Error).message, JSON.stringify((error as { details?: unknown }).details ?? {}), String((error as Error).stack), String((error as Error).cause ?? '')].join('\n');
  for (const secret of account.secrets) expect(seen, 'a credential leaked').not.toContain(secret);
  expect(seen).not.toMatch(/oauth_[a-z_]+=\\?"?(?!\[redacted\])\w/);
  expect(seen).not.toMatch(/Bearer [A-Za-z0-9]/);
}

/** Grows a mixed text (accents, emoji, a ZWJ sequence, CJK, a link) one piece at a time up to the platform's limit. */
function limitTexts(measure: (text: string) => { valid: boolean }): { longest: string; oneMore: string } {
  const pieces = ['é', '😀', 'a', '界', '👩🏽‍💻', 'b', ' '];
  let text = 'Voir https://example.org/explainer ';
  for (let i = 0; i < 5_000 && measure(text + pieces[i % pieces.length]).valid; i++) text += pieces[i % pieces.length];
  for (let i = 0; i < 5_000 && measure(`${text}a`).valid; i++) text += 'a';
  return { longest: text, oneMore: `${text}a` };
}
