import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobIdFor, openQueue, shortHash } from '../../src/queue/queue.js';
import { makeClock, makeJob } from './fixtures/queue-fixtures.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-queue-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const bsky = [{ name: 'bsky', platform: 'bluesky' as const }];

describe('queue files', () => {
  it('keeps live and dry-run state apart', async () => {
    const live = await openQueue({ dir: root, namespace: 'live' });
    const dry = await openQueue({ dir: root, namespace: 'dry-run' });
    await dry.remember([{ feedId: 'blog', key: 'a', canonicalLink: 'https://x.org/a', outcome: 'queued' }]);
    expect(dry.isKnown('blog', 'a', 'https://x.org/a', 'feed')).toBe(true);
    expect(live.isKnown('blog', 'a', 'https://x.org/a', 'feed')).toBe(false);
    expect(live.dir).toBe(path.join(root, 'live'));
    const reopened = await openQueue({ dir: root, namespace: 'live' });
    expect(reopened.isKnown('blog', 'a', 'https://x.org/a', 'feed')).toBe(false);
  });

  it('ignores a stray temp file and a truncated last history line on open', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    await queue.remember([{ feedId: 'blog', key: 'k2', canonicalLink: 'https://x.org/2', outcome: 'baseline' }]);
    await fs.writeFile(path.join(queue.dir, 'jobs', `.tmp-${job.id}.json.123.abcd`), '{"version":1,"id":"half');
    const half = `blog\t${shortHash('k3')}\t${shortHash('https://x.org/3').slice(0, 5)}`;
    await fs.appendFile(path.join(queue.dir, 'history.log'), half);

    const reopened = await openQueue({ dir: root, namespace: 'live' });
    expect((await reopened.listJobs()).map((j) => j.id)).toEqual([job.id]);
    expect(reopened.isKnown('blog', 'k2', '', 'feed')).toBe(true);
    expect(reopened.isKnown('blog', 'k3', 'https://x.org/3', 'feed')).toBe(false);
    // The next batch starts on a fresh line, so the half line never glues onto a real one.
    await reopened.remember([{ feedId: 'blog', key: 'k4', canonicalLink: 'https://x.org/4', outcome: 'queued' }]);
    const third = await openQueue({ dir: root, namespace: 'live' });
    expect(third.isKnown('blog', 'k4', 'https://x.org/4', 'feed')).toBe(true);
    expect(third.isKnown('blog', 'k3', 'https://x.org/3', 'feed')).toBe(false);
  });

  it('leaves valid job JSON after many claimed saves', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const claim = await queue.claim(job.id);
    for (let i = 0; i < 50; i += 1) {
      const next = structuredClone(claim!.job);
      next.targets.bsky!.attempts = i;
      next.targets.bsky!.lastError = { code: 'x', message: 'é'.repeat(i), at: '2026-03-01T00:00:00.000Z' };
      await claim!.save(next);
      const onDisk = JSON.parse(await fs.readFile(path.join(queue.dir, 'jobs', `${job.id}.json`), 'utf8'));
      expect(onDisk.targets.bsky.attempts).toBe(i);
    }
    await claim!.release();
    const leftovers = (await fs.readdir(path.join(queue.dir, 'jobs'))).filter((name) => name.startsWith('.tmp-'));
    expect(leftovers).toEqual([]);
  });

  it('never replaces an existing job on addJob', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const claim = await queue.claim(job.id);
    const published = structuredClone(job);
    published.targets.bsky!.state = 'published';
    await claim!.save(published);
    await claim!.release();
    await queue.addJob(job);
    expect((await queue.readJob(job.id))!.targets.bsky!.state).toBe('published');
  });

  it('knows an article whose job was written but whose history line was lost in a crash', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 7, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    await fs.writeFile(path.join(queue.dir, 'history.log'), '');
    const reopened = await openQueue({ dir: root, namespace: 'live' });
    expect(reopened.isKnown('blog', job.articleKey, '', 'feed')).toBe(true);
    expect(jobIdFor('blog', job.articleKey)).toBe(job.id);
  });

  it('dedupes by key or link per feed, and by link across feeds with dedupe "link"', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    await queue.remember([{ feedId: 'a', key: 'guid-1', canonicalLink: 'https://x.org/post', outcome: 'queued' }]);
    expect(queue.isKnown('a', 'guid-1', 'https://x.org/other', 'feed')).toBe(true);
    expect(queue.isKnown('a', 'guid-changed', 'https://x.org/post', 'feed')).toBe(true);
    expect(queue.isKnown('a', 'guid-2', 'https://x.org/new', 'feed')).toBe(false);
    expect(queue.isKnown('b', 'guid-1', 'https://x.org/post', 'feed')).toBe(false);
    expect(queue.isKnown('b', 'guid-9', 'https://x.org/post', 'link')).toBe(true);
    // Items without a link never match each other through the empty link.
    await queue.remember([{ feedId: 'a', key: 'nolink-1', canonicalLink: '', outcome: 'queued' }]);
    expect(queue.isKnown('a', 'nolink-2', '', 'link')).toBe(false);
  });

  it('records seen feeds, even empty ones', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    expect(queue.hasSeenFeed('empty')).toBe(false);
    await queue.markFeedSeen('empty');
    await queue.remember([{ feedId: 'full', key: 'k', canonicalLink: 'https://x.org/k', outcome: 'baseline' }]);
    const reopened = await openQueue({ dir: root, namespace: 'live' });
    expect(reopened.hasSeenFeed('empty')).toBe(true);
    expect(reopened.hasSeenFeed('full')).toBe(true);
    expect(reopened.hasSeenFeed('other')).toBe(false);
  });

  it('compacts old settled jobs and still knows their articles', async () => {
    const clock = makeClock('2026-06-01T00:00:00.000Z');
    const queue = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    const old = makeJob('blog', 1, bsky, '2026-01-01T00:00:00.000Z', 'published');
    old.targets.bsky!.publishedAt = '2026-01-01T00:05:00.000Z';
    const recent = makeJob('blog', 2, bsky, '2026-05-30T00:00:00.000Z', 'published');
    const oldPending = makeJob('blog', 3, bsky, '2026-01-01T00:00:00.000Z', 'pending');
    for (const job of [old, recent, oldPending]) await queue.addJob(job);
    expect(await queue.compact(90 * 86_400_000)).toBe(1);
    expect((await queue.listJobs()).map((job) => job.id).sort()).toEqual([recent.id, oldPending.id].sort());
    const reopened = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    expect(reopened.isKnown('blog', old.articleKey, old.canonicalLink, 'feed')).toBe(true);
    expect(await reopened.readJob(old.id)).toBeUndefined();
    const archive = (await fs.readFile(path.join(queue.dir, 'archive.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(archive[0]!).id).toBe(old.id);
  });

  it('with minIntervalMs, compacts at most that often, whichever process asks', async () => {
    const clock = makeClock('2026-06-01T00:00:00.000Z');
    const queue = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    const first = makeJob('blog', 1, bsky, '2026-01-01T00:00:00.000Z', 'published');
    await queue.addJob(first);
    expect(await queue.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(1);
    await queue.addJob(makeJob('blog', 2, bsky, '2026-01-01T00:00:00.000Z', 'published'));
    // Another process, a minute later: too soon.
    clock.advance(60_000);
    const other = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    expect(await other.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(0);
    expect(await other.listJobs()).toHaveLength(1);
    clock.advance(3_600_000);
    expect(await other.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(1);
  });

  it('finds a job by id, key, link or canonical link', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    job.article.link = 'https://x.org/1?utm_source=rss';
    job.canonicalLink = 'https://x.org/1';
    job.articleKey = 'guid-1';
    await queue.addJob(job);
    await queue.addJob(makeJob('blog', 2, bsky, '2026-03-01T00:00:00.000Z'));
    for (const query of [job.id, 'guid-1', 'https://x.org/1?utm_source=rss', 'https://x.org/1']) expect((await queue.findJob(query))?.id).toBe(job.id);
    expect(await queue.findJob('https://nowhere.example/')).toBeUndefined();
  });

  it('saves feed and account state per key, readable after reopen', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    expect(queue.feedState('a')).toEqual({ consecutiveFailures: 0 });
    await queue.saveFeedState('a', { consecutiveFailures: 2, etag: '"e1"' });
    await queue.saveFeedState('b', { consecutiveFailures: 0, lastModified: 'Mon' });
    await queue.saveAccountState('x1', { postsByDay: { '2026-03-01': 2 }, spentByMonth: { '2026-03': 0.4 } });
    const reopened = await openQueue({ dir: root, namespace: 'live' });
    expect(reopened.feedState('a')).toEqual({ consecutiveFailures: 2, etag: '"e1"' });
    expect(reopened.feedState('b').lastModified).toBe('Mon');
    expect(reopened.accountState('x1').spentByMonth['2026-03']).toBe(0.4);
    expect(reopened.accountState('nobody')).toEqual({ postsByDay: {}, spentByMonth: {} });
  });

  it('opens a 100,000-article history and does a poll cycle fast', async () => {
    const dir = path.join(root, 'live');
    await fs.mkdir(dir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i += 1) lines.push(`feed${i % 20}\t${shortHash(`key-${i}`)}\t${shortHash(`https://x.org/${i}`)}\tqueued`);
    await fs.writeFile(path.join(dir, 'history.log'), `${lines.join('\n')}\n`);

    const openStart = performance.now();
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const openMs = performance.now() - openStart;

    const cycleStart = performance.now();
    let known = 0;
    for (let i = 0; i < 100; i += 1) if (queue.isKnown(`feed${(i * 7) % 20}`, `key-${i * 7}`, `https://x.org/${i * 7}`, 'feed')) known += 1;
    await queue.remember(Array.from({ length: 100 }, (_, i) => ({ feedId: 'feed0', key: `new-${i}`, canonicalLink: `https://x.org/new/${i}`, outcome: 'queued' as const })));
    const cycleMs = performance.now() - cycleStart;

    console.log(`history 100k: open ${openMs.toFixed(1)} ms; 100 isKnown + remember(100) ${cycleMs.toFixed(2)} ms`);
    expect(known).toBe(100);
    expect(queue.isKnown('feed0', 'new-99', '', 'feed')).toBe(true);
    expect(cycleMs).toBeLessThan(50);
  });
});

describe('claims', () => {
  it('gives a job to one claimer at a time', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const other = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const first = await queue.claim(job.id);
    expect(first?.job.id).toBe(job.id);
    expect(await other.claim(job.id)).toBeUndefined();
    expect(await queue.claim(job.id)).toBeUndefined();
    await first!.release();
    const again = await other.claim(job.id);
    expect(again).toBeDefined();
    await again!.release();
  });

  it('re-reads the job from disk when claiming', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const first = await queue.claim(job.id);
    const changed = structuredClone(first!.job);
    changed.targets.bsky!.state = 'published';
    await first!.save(changed);
    await first!.release();
    const second = await queue.claim(job.id);
    expect(second!.job.targets.bsky!.state).toBe('published');
    await second!.release();
  });

  it('takes over a lock left by a dead process, and one older than 15 minutes', async () => {
    const clock = makeClock('2026-03-01T12:00:00.000Z');
    const queue = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const lockFile = path.join(queue.dir, 'locks', `${job.id}.lock`);
    await fs.writeFile(lockFile, JSON.stringify({ pid: deadPid, hostname: os.hostname(), at: clock.now().toISOString(), token: 'dead' }));
    const taken = await queue.claim(job.id);
    expect(taken).toBeDefined();
    expect(JSON.parse(await fs.readFile(lockFile, 'utf8')).pid).toBe(process.pid);
    await taken!.release();

    // A live pid (our parent) on another host: only age makes it stale.
    await fs.writeFile(lockFile, JSON.stringify({ pid: process.ppid, hostname: 'elsewhere', at: clock.now().toISOString(), token: 'live' }));
    expect(await queue.claim(job.id)).toBeUndefined();
    clock.advance(16 * 60_000);
    const late = await queue.claim(job.id);
    expect(late).toBeDefined();
    await late!.release();
    await expect(fs.access(lockFile)).rejects.toThrow();
  });

  it('refuses to save after another process took the claim over', async () => {
    const clock = makeClock('2026-03-01T12:00:00.000Z');
    const queue = await openQueue({ dir: root, namespace: 'live', now: clock.now });
    const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
    await queue.addJob(job);
    const first = await queue.claim(job.id);
    clock.advance(20 * 60_000);
    const second = await queue.claim(job.id);
    expect(second).toBeDefined();
    await expect(first!.save(first!.job)).rejects.toMatchObject({ code: 'queue-busy' });
    await first!.release();
    // The late release of the first holder must not free the lock the second holds.
    expect(await queue.claim(job.id)).toBeUndefined();
    await second!.release();
  });
});
