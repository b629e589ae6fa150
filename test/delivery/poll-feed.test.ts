import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log.js';
import { pollFeed } from '../../src/service/poll-feed.js';
import { createRuntime, type Runtime } from '../../src/service/runtime.js';
import { serveFeed, startFeedServer, type FeedServer } from '../support/feed-server.js';
import { runCli } from '../support/run-cli.js';

const longLink = `https://news.example/${'a'.repeat(1_800)}`;

function rss(links: string[]): string {
  const items = links.map((link, n) => `<item><title>Why the sky is blue, part ${n + 1}</title><link>${link}</link><guid>guid-${n + 1}</guid><description>Light scatters off the air; blue light scatters most, so the sky looks blue in daytime.</description><pubDate>Mon, 02 Mar 2026 0${n}:00:00 GMT</pubDate></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Explainers</title><link>https://news.example/</link>${items.join('')}</channel></rss>`;
}

let root: string;
let server: FeedServer;
const runtimes: Runtime[] = [];
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-poll-'));
  server = await startFeedServer();
});
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  await server.close();
  await fs.rm(root, { recursive: true, force: true });
});

async function setup(accounts: string, body: string) {
  server.route('/feed.xml', serveFeed({ body, etag: '"v1"' }));
  const file = path.join(root, 'heraut.yaml');
  await fs.writeFile(file, `dryRun: true\nqueue: ./queue\naccounts:\n${accounts}\nfeeds:\n  - id: blog\n    url: ${server.url}/feed.xml\n    firstRun: all\n    maxAge: "0"\n`);
  const loaded = loadConfig({ file });
  const open = async () => {
    const runtime = await createRuntime(loaded, { log: silentLogger(), write: () => undefined });
    runtimes.push(runtime);
    return runtime;
  };
  return { file, feed: loaded.config.feeds[0]!, open };
}

describe('a poll loses no article (10.1)', () => {
  it('posts an article whose link fits no X post to Bluesky, and fails only its X target with a reason', async () => {
    const s = await setup('  x: { platform: x }\n  bsky: { platform: bluesky }', rss(['https://news.example/one', longLink, 'https://news.example/three']));
    const runtime = await s.open();
    const outcome = await pollFeed(runtime, s.feed);
    expect(outcome).toMatchObject({ status: 'ok', items: 3, queued: 3, failed: 0 });
    const jobs = await runtime.stores.jobs.list();
    const long = jobs.find((job) => job.article.link === longLink)!;
    expect(long.targets.bsky!.state).toBe('pending');
    expect(long.targets.x).toMatchObject({ state: 'failed', lastError: { code: 'teaser-invalid', message: expect.stringContaining(`heraut edit ${long.id} --to x`) } });
    expect(jobs.filter((job) => job !== long).every((job) => job.targets.x!.state === 'pending')).toBe(true);
  });

  it('records an article that fits nowhere with its reason and link, queues the others, and status lists it', async () => {
    const s = await setup('  x: { platform: x }', rss(['https://news.example/one', longLink, 'https://news.example/three']));
    const runtime = await s.open();
    expect(await pollFeed(runtime, s.feed)).toMatchObject({ status: 'ok', items: 3, queued: 2, failed: 1 });
    expect(await runtime.stores.history.failures('blog')).toEqual([expect.objectContaining({ feedId: 'blog', key: 'guid-2', link: longLink, reason: expect.stringMatching(/^no x teaser fits/) })]);
    expect(await runtime.stores.feeds.get('blog')).toMatchObject({ etag: '"v1"', consecutiveFailures: 0 });
    // Recorded, so the next poll of a changed document does not try it again and again.
    expect(await runtime.stores.history.isKnown({ feedId: 'blog', key: 'guid-2', canonicalLink: longLink }, 'feed')).toBe(true);
    const status = await runCli(['--config', s.file, 'status']);
    expect(status.stdout).toContain(`not queued: ${longLink.slice(0, 117)}...: no x teaser fits`);
    const json = JSON.parse((await runCli(['--config', s.file, 'status', '--json'])).stdout);
    expect(json.feeds.blog.failedArticles).toEqual([expect.objectContaining({ link: longLink })]);
  });

  it('keeps the validators when the poll fails before every article is handled, so the next poll reads the document again', async () => {
    const s = await setup('  bsky: { platform: bluesky }', rss(['https://news.example/one', 'https://news.example/two']));
    const runtime = await s.open();
    const jobsDir = path.join(root, 'queue', 'dry-run', 'jobs');
    // jobs/ cannot be written for a moment.
    await fs.rm(jobsDir, { recursive: true });
    await fs.writeFile(jobsDir, 'not a folder');
    expect(await pollFeed(runtime, s.feed)).toMatchObject({ status: 'failed', queued: 0 });
    expect((await runtime.stores.feeds.get('blog')).etag).toBeUndefined();
    await fs.rm(jobsDir);
    await fs.mkdir(jobsDir);
    runtime.now = () => new Date(Date.now() + 3_600_000);
    const again = await pollFeed(runtime, s.feed);
    expect(again).toMatchObject({ status: 'ok', items: 2, queued: 2 });
    expect(server.count('/feed.xml')).toBe(2);
    expect(server.requests.map((request) => request.headers['if-none-match'])).toEqual([undefined, undefined]);
    expect((await runtime.stores.feeds.get('blog')).etag).toBe('"v1"');
  });
});

describe('heraut post reads the history (10.2)', () => {
  it('refuses to post again an article whose job was compacted', async () => {
    const s = await setup('  bsky: { platform: bluesky }', rss(['https://news.example/one']));
    await fs.appendFile(s.file, 'retention: "0"\n');
    const run = await runCli(['--config', s.file, 'run', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(await fs.readdir(path.join(root, 'queue', 'dry-run', 'jobs'))).toEqual([]);
    const again = await runCli(['--config', s.file, 'post', 'https://news.example/one']);
    expect(again.stderr).toMatch(/was already posted to bsky \(.+\); add --force to post it again/);
    expect(again.code).toBe(1);
    const forced = await runCli(['--config', s.file, 'post', 'https://news.example/one', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  });
});
