import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cliPath, runCli } from '../support/run-cli.js';
import { startXEmulator } from '../support/x-emulator.js';
import { explainerFeed, serveFeed, startLiveWorld, xSecrets, type LiveWorld } from './live-setup.js';

let world: LiveWorld;
beforeAll(async () => {
  world = await startLiveWorld();
}, 120_000);
afterAll(async () => world?.close());

const allOutput: string[] = [];
async function heraut(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(args, { env: { ...world.env, ...env }, timeoutMs: 60_000 });
  allOutput.push(result.stdout, result.stderr);
  return result;
}

async function blueskyPosts() {
  const reader = await world.pds.reader(world.account);
  const { data } = await reader.com.atproto.repo.listRecords({ repo: world.account.did, collection: 'app.bsky.feed.post', limit: 100 });
  return data.records.map((record) => ({ uri: record.uri, value: record.value as Record<string, any> }));
}

describe('live: heraut run --once against a real PDS and the X emulator', () => {
  it('posts every new article once to each platform, with facets, langs and a card, and nothing on the second run', async () => {
    world.feeds.route('/live.xml', serveFeed({ body: explainerFeed('live', 3), etag: '"v1"' }));
    const config = world.config('run', '/live.xml');
    world.pds.resetCalls();
    const first = await heraut(['--config', config, 'run', '--once']);
    expect(first.code, first.stderr).toBe(0);

    expect(world.x.posts).toHaveLength(3);
    for (const post of world.x.posts) expect(post.text).toMatch(/L’IA|l’intelligence|d’Europe/);
    const records = (await blueskyPosts()).filter((r) => String(r.value.embed?.external?.uri ?? '').includes('/articles/live-'));
    expect(records).toHaveLength(3);
    for (const { value } of records) {
      expect(value.langs).toEqual(['fr']);
      const bytes = Buffer.from(value.text, 'utf8');
      const link = value.facets.find((f: any) => f.features[0].$type === 'app.bsky.richtext.facet#link');
      expect(link.features[0].uri).toBe(value.embed.external.uri);
      for (const facet of value.facets) {
        const shown = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
        const feature = facet.features[0];
        if (feature.$type === 'app.bsky.richtext.facet#tag') expect(shown).toBe(`#${feature.tag}`);
      }
      expect(value.embed.$type).toBe('app.bsky.embed.external');
      expect(value.embed.external.title).toMatch(/^L’IA et l’école live/);
    }
    // Logged in once, and the session was saved for the next start.
    expect(world.pds.calls('com.atproto.server.createSession')).toBe(1);
    const sessions = path.join(path.dirname(config), 'queue', 'live', 'sessions');
    const sessionFile = path.join(sessions, readdirSync(sessions)[0]!);
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);

    const second = await heraut(['--config', config, 'run', '--once']);
    expect(second.code, second.stderr).toBe(0);
    expect(world.x.posts).toHaveLength(3);
    expect((await blueskyPosts()).filter((r) => String(r.value.embed?.external?.uri ?? '').includes('/articles/live-'))).toHaveLength(3);
    expect(world.pds.calls('com.atproto.server.createSession')).toBe(1);

    const status = await heraut(['--config', config, 'status', '--json']);
    const report = JSON.parse(status.stdout);
    expect(report.accounts.x.published).toBe(3);
    expect(report.accounts.bluesky.published).toBe(3);
    expect(report.accounts.x.spentThisMonth).toBeCloseTo(0.6, 5);
  });

  it('one platform failing does not stop or repeat the other, and its posts go out on a later run', async () => {
    world.feeds.route('/split.xml', serveFeed({ body: explainerFeed('split', 2) }));
    const config = world.config('split', '/split.xml', 'retry: { baseDelay: 1s, maxDelay: 1s }\n');
    const xBefore = world.x.posts.length;
    world.x.failNext('500', 1);
    const first = await heraut(['--config', config, 'run', '--once']);
    expect(first.code).toBe(0);
    expect(world.x.posts.length).toBe(xBefore);
    expect((await blueskyPosts()).filter((r) => String(r.value.embed?.external?.uri ?? '').includes('/articles/split-'))).toHaveLength(2);
    const status = JSON.parse((await heraut(['--config', config, 'status', '--json'])).stdout);
    expect(status.accounts.x.waiting.length + status.accounts.x.pending).toBe(2);
    expect(status.accounts.bluesky.published).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await heraut(['--config', config, 'run', '--once']);
    expect(later.code, later.stderr).toBe(0);
    expect(world.x.posts.length).toBe(xBefore + 2);
    expect((await blueskyPosts()).filter((r) => String(r.value.embed?.external?.uri ?? '').includes('/articles/split-'))).toHaveLength(2);
  });

  it('bad X credentials: the account needs attention, its posts wait, and go out once the credentials are fixed', async () => {
    world.feeds.route('/auth.xml', serveFeed({ body: explainerFeed('auth', 2) }));
    const config = world.config('auth', '/auth.xml');
    const xBefore = world.x.posts.length;
    const bad = await heraut(['--config', config, 'run', '--once'], { X_ACCESS_SECRET: 'revoked-secret-000' });
    // Cron and CI only see the exit code: an account that waits for a person says 1.
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/account needs attention/);
    expect(world.x.posts.length).toBe(xBefore);
    const status = JSON.parse((await heraut(['--config', config, 'status', '--json'])).stdout);
    expect(status.accounts.x.needsAttention).toMatch(/401|credentials|X_/i);
    expect(status.accounts.x.published).toBe(0);
    expect(status.accounts.bluesky.published).toBe(2);
    const check = await heraut(['--config', config, 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/account x: needs attention/);

    const fixed = await heraut(['--config', config, 'run', '--once']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(world.x.posts.length).toBe(xBefore + 2);
    const after = JSON.parse((await heraut(['--config', config, 'status', '--json'])).stdout);
    expect(after.accounts.x.needsAttention).toBeUndefined();
    expect(after.accounts.x.published).toBe(2);
  });

  it('heraut post publishes one article now and refuses it a second time', async () => {
    world.feeds.route('/manual.xml', serveFeed({ body: explainerFeed('manual', 2) }));
    const config = world.config('manual', '/manual.xml', '    targets: [bluesky]\n');
    const url = 'https://explainers.example/articles/manual-1';
    const posted = await heraut(['--config', config, 'post', url]);
    expect(posted.code, posted.stderr).toBe(0);
    expect(posted.stdout).toMatch(new RegExp(`^bluesky: https://bsky\\.app/profile/${world.account.handle.replace(/\./g, '\\.')}/post/[a-z0-9]+$`, 'm'));
    const again = await heraut(['--config', config, 'post', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already posted/);
    expect((await blueskyPosts()).filter((r) => r.value.embed?.external?.uri === url)).toHaveLength(1);
  });

  it('heraut post waits out a short X rate limit, then posts', async () => {
    const limited = await startXEmulator({ ...xSecrets, rateLimit: { limit: 1, windowSeconds: 6 } });
    try {
      world.feeds.route('/limited.xml', serveFeed({ body: explainerFeed('limited', 2) }));
      const config = world.config('limited', '/limited.xml', '    targets: [x]\n');
      writeFileSync(config, readFileSync(config, 'utf8').replace(world.x.url, limited.url));
      const first = await heraut(['--config', config, 'post', 'https://explainers.example/articles/limited-1']);
      expect(first.code, first.stderr).toBe(0);
      const started = Date.now();
      const second = await heraut(['--config', config, 'post', 'https://explainers.example/articles/limited-2']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^x: https:\/\/x\.com\/\S+\/status\/\d+$/m);
      expect(Date.now() - started).toBeGreaterThan(500);
      expect(limited.posts).toHaveLength(2);
      expect(limited.requests['/2/tweets']).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('the service: cycles in child processes post once, log in to Bluesky once, and stop on SIGTERM', async () => {
    world.feeds.route('/service.xml', serveFeed({ body: explainerFeed('service', 2), etag: '"s1"' }));
    const config = world.config('service', '/service.xml', '    schedule: "* * * * * *"\n');
    world.pds.resetCalls();
    const xBefore = world.x.posts.length;
    const child = spawn(process.execPath, [cliPath, '--config', config, 'run'], { env: { ...process.env, ...world.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // Bounded wait: the two posts, then a few more one-second cycles that find nothing new.
      for (let i = 0; i < 300 && world.x.posts.length < xBefore + 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output.slice(-2000)).toBe(0);
    allOutput.push(output);
    expect(world.x.posts.length).toBe(xBefore + 2);
    expect((await blueskyPosts()).filter((r) => String(r.value.embed?.external?.uri ?? '').includes('/articles/service-'))).toHaveLength(2);
    expect(world.pds.calls('com.atproto.server.createSession')).toBe(1);
  });

  it('check --online says which accounts work and which fail, and why', async () => {
    world.feeds.route('/check.xml', serveFeed({ body: explainerFeed('check', 1) }));
    const config = world.config('check', '/check.xml');
    const good = await heraut(['--config', config, 'check', '--online']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/account x \(x\): credentials work, posting as heraut_bot/);
    expect(good.stdout).toMatch(new RegExp(`account bluesky \\(bluesky\\): credentials work, posting as ${world.account.handle.replace(/\./g, '\\.')}`));
    const bad = await heraut(['--config', world.config('check-bad', '/check.xml'), 'check', '--online'], { X_APP_SECRET: 'wrong-secret-123', BLUESKY_APP_PASSWORD: 'wrong-password-456' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/account x \(x\): .*/);
    expect(bad.stderr).toMatch(/account bluesky \(bluesky\): .*/);
    expect(bad.stderr).not.toContain('wrong-secret-123');
    expect(bad.stderr).not.toContain('wrong-password-456');
  });

  it('no secret appears in any output of any command above', () => {
    const everything = allOutput.join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of world.secrets) expect(everything).not.toContain(secret);
  });
});
