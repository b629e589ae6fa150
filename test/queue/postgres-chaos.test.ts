import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { openPostgresStores } from '../../src/queue/postgres/postgres-stores.js';
import { describePostgres, testSchema } from '../support/postgres.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'postgres-worker.ts');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The platform: idempotent by post key (as Bluesky's record key), with 5xx answers and answers lost after the post was made. */
async function startPlatform(random: () => number) {
  const posts = new Map<string, { id: string; account: string; text: string }>();
  let calls = 0;
  let feed: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'GET') return void res.end(JSON.stringify(feed));
      calls += 1;
      const fate = random();
      if (fate < 0.1) {
        res.statusCode = 503;
        return void res.end('{}');
      }
      const { postKey, account, text } = JSON.parse(body) as { postKey: string; account: string; text: string };
      if (!posts.has(postKey)) posts.set(postKey, { id: `p${posts.size + 1}`, account, text });
      if (fate < 0.2) return void req.socket.destroy();
      res.end(JSON.stringify(posts.get(postKey)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    port: (server.address() as AddressInfo).port,
    posts,
    calls: () => calls,
    publish(items: number[]) {
      feed = items;
    },
  };
}

/** Deterministic, so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describePostgres('three workers on one database, killed at random', () => {
  it('publishes every article exactly once on every account, with lost answers and 5xx', { timeout: 180_000 }, async () => {
    const random = seeded(13);
    const { url, drop } = testSchema();
    cleanups.push(drop);
    const stores = await openPostgresStores({ location: url, namespace: 'live' });
    cleanups.push(() => stores.close());
    const platform = await startPlatform(random);
    const workers: Array<{ child: ChildProcess; startedAt: number }> = [];
    const start = () => ({ child: spawn(process.execPath, ['--import', 'tsx', worker, url, String(platform.port)], { stdio: ['ignore', 'ignore', 'inherit'] }), startedAt: Date.now() });
    cleanups.push(async () => {
      for (const { child } of workers) child.kill('SIGKILL');
    });
    for (let i = 0; i < 3; i += 1) workers.push(start());

    const articles = 40;
    let kills = 0;
    const chaosUntil = Date.now() + 25_000;
    for (let published = 0; Date.now() < chaosUntil; ) {
      if (published < articles) {
        published = Math.min(articles, published + 1 + Math.floor(random() * 3));
        platform.publish(Array.from({ length: published }, (_, n) => n));
      }
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 500));
      const victim = Math.floor(random() * workers.length);
      if (Date.now() - workers[victim]!.startedAt > 1_500) {
        workers[victim]!.child.kill('SIGKILL');
        workers[victim] = start();
        kills += 1;
      }
    }

    const settled = async () => (await stores.jobs.list()).every((job) => Object.values(job.targets).every((target) => target.state === 'published'));
    const deadline = Date.now() + 60_000;
    while (!((await stores.jobs.list()).length === articles && (await settled())) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));

    const jobs = await stores.jobs.list();
    expect(jobs).toHaveLength(articles);
    for (const job of jobs) {
      for (const [account, target] of Object.entries(job.targets)) {
        expect(target.state, `${job.id} ${account}`).toBe('published');
        expect(platform.posts.get(target.postKey)?.id).toBe(target.postId);
      }
    }
    const perAccount = (account: string) => [...platform.posts.values()].filter((post) => post.account === account).map((post) => post.text);
    for (const account of ['xa', 'bsky']) expect(new Set(perAccount(account)).size).toBe(articles);
    expect(platform.posts.size).toBe(articles * 2);
    expect(kills).toBeGreaterThanOrEqual(15);
    process.stdout.write(`chaos: ${kills} SIGKILLs, ${platform.calls()} platform calls for ${platform.posts.size} posts\n`);
  });
});
