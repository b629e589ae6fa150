import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlueskyAccount } from '../../../src/platforms/bluesky/bluesky-account.js';
import { HerautError } from '../../../src/errors.js';
import { createLogger, type Logger } from '../../../src/log.js';
import { createBlueskyPublisher, newBlueskyPostKey } from '../../../src/platforms/bluesky/bluesky-publisher.js';
import { openSessionFiles } from '../../../src/queue/file/session-files.js';
import type { PostRequest, SessionStore } from '../../../src/platforms/platform.js';
import { startPds, type Pds, type PdsAccount } from '../../support/pds.js';
import { startArticleSite, type ArticleSite } from './article-site.js';

const CREATE_SESSION = 'com.atproto.server.createSession';
const REFRESH_SESSION = 'com.atproto.server.refreshSession';

let pds: Pds;
let site: ArticleSite;
let dir: string;
let handles = 0;
const logLines: string[] = [];
let log: Logger;

function account(acct: Pick<PdsAccount, 'handle' | 'password'>, overrides: Record<string, unknown> = {}): BlueskyAccount {
  return BlueskyAccount.parse({ platform: 'bluesky', service: pds.url, identifier: acct.handle, password: acct.password, timeout: '10s', ...overrides });
}

function post(text: string): PostRequest {
  return { jobId: `job-${newBlueskyPostKey()}`, text, langs: ['fr'], link: { url: `${site.url}/a.html`, title: 'Titre', description: 'Résumé' }, postKey: newBlueskyPostKey(), media: 'none' };
}

async function freshAccount(): Promise<{ acct: PdsAccount; sessions: SessionStore; sessionFile: string }> {
  handles++;
  const acct = await pds.createAccount(`heraut-s${handles}`);
  const folder = path.join(dir, `session-${handles}`);
  return { acct, sessions: openSessionFiles(folder), sessionFile: path.join(folder, 'sessions', 'bluesky-main.json') };
}

async function postCount(acct: PdsAccount): Promise<number> {
  const reader = await pds.reader(acct);
  const res = await reader.com.atproto.repo.listRecords({ repo: acct.did, collection: 'app.bsky.feed.post', limit: 100 });
  return res.data.records.length;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'heraut-bsky-session-'));
  pds = await startPds();
  site = await startArticleSite({ '/a.html': ['text/html', '<html><head><title>A</title></head></html>'] });
  log = createLogger({ level: 'trace', pretty: false, destination: { write: (line: string) => void logLines.push(line) } });
});

afterAll(async () => {
  await site?.close();
  await pds?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => pds.resetCalls());

describe('Bluesky session handling', () => {
  it('logs in once, saves the session 0600, and a restarted publisher resumes it without logging in', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const first = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    // Concurrent first posts share one login.
    await Promise.all([first.publish(post('un')), first.publish(post('deux')), first.publish(post('trois'))]);
    expect(pds.calls(CREATE_SESSION)).toBe(1);
    expect((await stat(sessionFile)).mode & 0o777).toBe(0o600);
    const savedBefore = JSON.parse(await readFile(sessionFile, 'utf8')) as { session: { did: string; refreshJwt: string } };
    expect(savedBefore.session.did).toBe(acct.did);

    const restarted = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    expect(await restarted.verify()).toEqual({ handle: acct.handle });
    await restarted.publish(post('quatre'));
    expect(pds.calls(CREATE_SESSION)).toBe(1);
    // Resuming refreshed the tokens, and the refreshed session was saved again.
    expect(pds.calls(REFRESH_SESSION)).toBeGreaterThanOrEqual(1);
    const savedAfter = JSON.parse(await readFile(sessionFile, 'utf8')) as { session: { refreshJwt: string } };
    expect(savedAfter.session.refreshJwt).not.toBe(savedBefore.session.refreshJwt);
    expect((await stat(sessionFile)).mode & 0o777).toBe(0o600);
    expect(await postCount(acct)).toBe(4);
  });

  it('resumes without any password once a session is saved', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    await createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log }).verify();
    const noPassword = createBlueskyPublisher({ name: 'main', account: account(acct, { password: undefined }), sessions, log });
    await noPassword.publish(post('sans mot de passe'));
    expect(pds.calls(CREATE_SESSION)).toBe(1);
  });

  it('logs in exactly once when the saved session is no longer valid', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const first = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    await first.verify();
    const saved = JSON.parse(await readFile(sessionFile, 'utf8')) as { session: { accessJwt: string; refreshJwt: string } };
    // Revoke the saved refresh token on the server, as a password change or a long pause would.
    const revoke = await fetch(`${pds.directUrl}/xrpc/com.atproto.server.deleteSession`, { method: 'POST', headers: { authorization: `Bearer ${saved.session.refreshJwt}` } });
    expect(revoke.ok).toBe(true);
    pds.resetCalls();

    const restarted = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    await restarted.publish(post('après révocation'));
    await restarted.publish(post('et encore'));
    expect(pds.calls(CREATE_SESSION)).toBe(1);
    // It did try the saved session first.
    expect(pds.calls(REFRESH_SESSION)).toBeGreaterThanOrEqual(1);
    const resaved = JSON.parse(await readFile(sessionFile, 'utf8')) as { session: { refreshJwt: string } };
    expect(resaved.session.refreshJwt).not.toBe(saved.session.refreshJwt);
  });

  it('logs in when the session file is garbage or belongs to another account', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const other = await freshAccount();
    await createBlueskyPublisher({ name: 'main', account: account(other.acct), sessions, log }).verify();
    const mine = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    expect(await mine.verify()).toEqual({ handle: acct.handle });
    await writeFile(sessionFile, '{ not json');
    const again = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    expect(await again.verify()).toEqual({ handle: acct.handle });
    expect(pds.calls(CREATE_SESSION)).toBe(3);
  });

  it('a wrong app password is platform-auth, tried only once however many posts wait', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const publisher = createBlueskyPublisher({ name: 'main', account: account({ handle: acct.handle, password: 'wrong-password-1234' }), sessions, log });
    const error = (await publisher.publish(post('jamais')).catch((e: unknown) => e)) as HerautError;
    expect(error).toBeInstanceOf(HerautError);
    expect(error.code).toBe('platform-auth');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/app password/);
    await expect(publisher.publish(post('toujours pas'))).rejects.toMatchObject({ code: 'platform-auth' });
    await expect(publisher.verify()).rejects.toMatchObject({ code: 'platform-auth' });
    expect(pds.calls(CREATE_SESSION)).toBe(1);
    expect(existsSync(sessionFile)).toBe(false);
    expect(await postCount(acct)).toBe(0);
  });

  it('a missing app password with no saved session is platform-auth naming the variable to set, without calling the server', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const publisher = createBlueskyPublisher({ name: 'main', account: account(acct, { password: undefined }), sessions, log });
    await expect(publisher.verify()).rejects.toMatchObject({ code: 'platform-auth', message: expect.stringContaining('BLUESKY_APP_PASSWORD') });
    const noIdentifier = createBlueskyPublisher({ name: 'main', account: account(acct, { identifier: undefined }), sessions, log });
    await expect(noIdentifier.verify()).rejects.toMatchObject({ code: 'platform-auth', message: expect.stringContaining('BLUESKY_IDENTIFIER') });
    expect(pds.calls(CREATE_SESSION)).toBe(0);
  });

  it('an unreachable or silent service is platform-unavailable and retryable, within the account timeout', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = createBlueskyPublisher({ name: 'main', account: account(acct, { service: closedUrl }), sessions, log });
    await expect(refused.verify()).rejects.toMatchObject({ code: 'platform-unavailable', retryable: true, message: expect.stringContaining('ECONNREFUSED') });
    // A login that never reached the server may be tried again.
    await expect(refused.verify()).rejects.toMatchObject({ code: 'platform-unavailable' });

    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = createBlueskyPublisher({ name: 'main', account: account(acct, { service: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeout: '300ms' }), sessions, log });
      const started = Date.now();
      await expect(slow.verify()).rejects.toMatchObject({ code: 'platform-unavailable', retryable: true, message: expect.stringContaining('timed out') });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    expect(pds.calls(CREATE_SESSION)).toBe(0);
  });

  it('never writes the password or the tokens to logs or error messages', async () => {
    const { acct, sessions, sessionFile } = await freshAccount();
    const errors: unknown[] = [];
    const good = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    await good.publish(post('secret bien gardé'));
    pds.failNext('com.atproto.repo.putRecord', { status: 400, body: { error: 'InvalidRequest', message: 'nope' } });
    await good.publish(post('refusé')).catch((e: unknown) => errors.push(e));
    const wrong = createBlueskyPublisher({ name: 'bad', account: account({ handle: acct.handle, password: `${acct.password}x` }), sessions, log });
    await wrong.publish(post('mauvais')).catch((e: unknown) => errors.push(e));
    const restarted = createBlueskyPublisher({ name: 'main', account: account(acct), sessions, log });
    await restarted.publish(post('relancé'));
    expect(errors).toHaveLength(2);

    const saved = JSON.parse(await readFile(sessionFile, 'utf8')) as { session: { accessJwt: string; refreshJwt: string } };
    const secrets = [acct.password, acct.accountPassword, saved.session.accessJwt, saved.session.refreshJwt];
    const everything = [...logLines, ...errors.map((e) => `${(e as Error).message} ${JSON.stringify(e)} ${String((e as Error).stack)}`)].join('\n');
    expect(logLines.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });
});
