import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, testSchema } from '../support/postgres.js';
import { cliPath, repoRoot, runCli } from '../support/run-cli.js';
import { explainerFeed, startLiveWorld, type LiveWorld } from './live-setup.js';

let world: LiveWorld;
beforeAll(async () => {
  world = await startLiveWorld();
}, 120_000);
afterAll(async () => world?.close());

function countLinks(texts: string[], prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const link = /https:\/\/explainers\.example\/articles\/[\w-]+/.exec(text)?.[0];
    if (link?.includes(`/${prefix}-`)) counts.set(link, (counts.get(link) ?? 0) + 1);
  }
  return counts;
}

async function postsPerLink(prefix: string): Promise<{ x: Map<string, number>; bluesky: Map<string, number>; mastodon: Map<string, number> }> {
  const x = countLinks(world.x.posts.map((post) => post.text), prefix);
  const mastodon = countLinks(world.mastodon.statuses.map((status) => status.text), prefix);
  const bluesky = new Map<string, number>();
  const reader = await world.pds.reader(world.account);
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const { data } = await reader.com.atproto.repo.listRecords({ repo: world.account.did, collection: 'app.bsky.feed.post', limit: 100, cursor });
    for (const record of data.records) {
      const uri = String((record.value as any).embed?.external?.uri ?? '');
      if (uri.includes(`/${prefix}-`)) bluesky.set(uri, (bluesky.get(uri) ?? 0) + 1);
    }
    cursor = data.cursor;
    if (!cursor || data.records.length === 0) break;
  }
  return { x, bluesky, mastodon };
}

/** Starts `heraut run --once` and SIGKILLs it after `killAfterMs`; resolves with whether the kill landed before it exited. */
function runAndKill(config: string, killAfterMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, '--config', config, '--log-level', 'silent', 'run', '--once'], { cwd: repoRoot, env: { ...process.env, ...world.env }, stdio: 'ignore' });
    let exited = false;
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

/** The same scenarios on each store: the folder, and a fresh schema of the PostgreSQL test server (skipped without one, except in CI). */
const stores = [
  { name: 'the file store', prefix: '', describe: describe as (name: string, body: () => void) => void, queue: () => undefined },
  {
    name: 'PostgreSQL',
    prefix: 'pg',
    describe: describePostgres,
    queue: () => {
      const schema = testSchema();
      drops.push(schema.drop);
      return schema.url;
    },
  },
];
for (const store of stores) {
  store.describe(`crash safety on ${store.name}: kill -9 at random moments, then finish`, () => {
    it('every article is on every account exactly once, and the queue agrees', async () => {
      // The feed grows by one article per poll, so every run has new work to be killed in the middle of.
      let polls = 0;
      const total = 60;
      const prefix = `${store.prefix}crash`;
      const requestsBefore = { tweets: world.x.requests['/2/tweets'] ?? 0, statuses: world.mastodon.requests['POST /api/v1/statuses'] ?? 0 };
      world.feeds.route(`/${prefix}.xml`, (_request, response) => {
        polls++;
        response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(explainerFeed(prefix, Math.min(total, 4 + polls)));
      });
      const config = world.config(prefix, `/${prefix}.xml`, 'retry: { maxAttempts: 1000, baseDelay: 1s, maxDelay: 1s }\n', { mastodon: true, queue: store.queue() });
      const started = Date.now();
      let kills = 0;
      const deadline = Date.now() + 150_000;
      // Seeded so that a failure can be replayed.
      let seed = 20261127;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let run = 0; kills < Number(process.env.HERAUT_CRASH_KILLS ?? 100) && Date.now() < deadline && run < 400; run++) {
        if (await runAndKill(config, 150 + Math.floor(random() * 900))) kills++;
      }
      expect(kills).toBeGreaterThanOrEqual(Number(process.env.HERAUT_CRASH_KILLS ?? 100));
      const killedAt = Date.now();

      // Let it finish: clean runs settle whatever the kills left 'publishing' or backing off (bounded).
      let finishing = 0;
      let lastRun = '';
      for (; finishing < 20; finishing++) {
        const result = await runCli(['--config', config, 'run', '--once'], { env: world.env, timeoutMs: 60_000 });
        lastRun = result.stderr;
        expect(result.code, result.stderr).toBe(0);
        const now = JSON.parse((await runCli(['--config', config, 'status', '--json'], { env: world.env })).stdout);
        const open = ['x', 'bluesky', 'mastodon'].reduce((n, a) => n + now.accounts[a].pending + now.accounts[a].waiting.length + now.accounts[a].publishing, 0);
        if (open === 0 && polls >= total - 4) break;
        await new Promise((resolve) => setTimeout(resolve, 1_100));
      }
      const { x, bluesky, mastodon } = await postsPerLink(prefix);
      console.log(`crash test on ${store.name}: ${kills} SIGKILLs in ${Math.round((killedAt - started) / 1000)} s, then ${finishing + 1} clean runs (${Math.round((Date.now() - killedAt) / 1000)} s); ${x.size} articles on X, ${bluesky.size} on Bluesky and ${mastodon.size} on Mastodon, ${(world.x.requests['/2/tweets'] ?? 0) - requestsBefore.tweets} tweet requests, ${(world.mastodon.requests['POST /api/v1/statuses'] ?? 0) - requestsBefore.statuses} status requests, ${polls} feed polls`);
      const status = JSON.parse((await runCli(['--config', config, 'status', '--json'], { env: world.env })).stdout);
      // A feed that stopped being polled (backing off after a failed poll, or a lease still held) shows here.
      const { consecutiveFailures, lastError, nextPoll } = status.feeds.news;
      if (polls < total - 4) console.log(`crash test on ${store.name}: the feed was not polled to the end: ${JSON.stringify({ consecutiveFailures, lastError, nextPoll })}\n${lastRun.slice(-2000)}`);
      const diagnosis = `${JSON.stringify(status.accounts, null, 1)}\n${lastRun.slice(-3000)}`;
      expect(x.size, diagnosis).toBe(Math.min(total, 4 + polls));
      expect(bluesky.size, diagnosis).toBe(x.size);
      expect(mastodon.size, diagnosis).toBe(x.size);
      for (const [link, count] of x) expect(count, `X posts of ${link}`).toBe(1);
      for (const [link, count] of bluesky) expect(count, `Bluesky posts of ${link}`).toBe(1);
      for (const [link, count] of mastodon) expect(count, `Mastodon posts of ${link}`).toBe(1);

      expect(status.accounts.x.published).toBe(x.size);
      expect(status.accounts.bluesky.published).toBe(bluesky.size);
      expect(status.accounts.mastodon.published).toBe(mastodon.size);
      expect(status.accounts.x.publishing + status.accounts.bluesky.publishing + status.accounts.mastodon.publishing).toBe(0);
      expect(status.accounts.x.failed).toEqual([]);
      expect(status.accounts.bluesky.failed).toEqual([]);
      expect(status.accounts.mastodon.failed).toEqual([]);
    }, 300_000);

    it('the service and a manual post of the same article at once make one post per platform (X, Bluesky, Mastodon)', async () => {
      const prefix = `${store.prefix}race`;
      world.feeds.route(`/${prefix}.xml`, (_request, response) => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(explainerFeed(prefix, 3)));
      const config = world.config(prefix, `/${prefix}.xml`, '', { mastodon: true, queue: store.queue() });
      const url = `https://explainers.example/articles/${prefix}-2`;
      const service = runCli(['--config', config, 'run', '--once'], { env: world.env, timeoutMs: 60_000 });
      const manual = runCli(['--config', config, 'post', url], { env: world.env, timeoutMs: 60_000 });
      const [a, b] = await Promise.all([service, manual]);
      expect(a.code, a.stderr).toBe(0);
      // The manual post either published it or found it already posted / being posted by the service.
      expect([0, 1]).toContain(b.code);
      await runCli(['--config', config, 'run', '--once'], { env: world.env, timeoutMs: 60_000 });
      const { x, bluesky, mastodon } = await postsPerLink(prefix);
      expect(x.get(url)).toBe(1);
      expect(bluesky.get(url)).toBe(1);
      expect(mastodon.get(url)).toBe(1);
      expect(x.size).toBe(3);
      expect(bluesky.size).toBe(3);
      expect(mastodon.size).toBe(3);
    }, 120_000);
  });
}
