import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { HerautError } from '../../src/errors.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverJobs, type DeliverOptions } from '../../src/delivery/deliver-jobs.js';
import type { Job } from '../../src/queue/job.js';
import { openStores } from '../../src/queue/open-stores.js';
import type { Stores } from '../../src/queue/stores.js';
import { FakePublisher, herautError, makeClock, makeConfig, makeJob } from '../queue/fixtures/queue-fixtures.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-deliver-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function setup(config: Record<string, unknown>, start = '2026-03-02T08:00:00.000Z') {
  const parsed = makeConfig(config);
  const clock = makeClock(start);
  const stores = await openStores({ location: root, namespace: 'live', now: clock.now });
  const publishers = new Map<string, FakePublisher>();
  for (const [name, account] of Object.entries(parsed.accounts)) publishers.set(name, new FakePublisher(name, account.platform));
  const logLines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const deliver = (extra: Partial<DeliverOptions> = {}) =>
    deliverJobs({
      stores,
      publisher: async (name) => publishers.get(name)!,
      accounts: parsed.accounts,
      retry: parsed.retry,
      timezone: parsed.timezone,
      now: clock.now,
      log,
      random: () => 0.5,
      ...extra,
    });
  return { stores, clock, publishers, deliver, logLines, config: parsed };
}

const both = [
  { name: 'xa', platform: 'x' as const },
  { name: 'bsky', platform: 'bluesky' as const },
];
const noGap = { pace: { minGap: '0' } };
const twoAccounts = { accounts: { xa: { platform: 'x', ...noGap }, bsky: { platform: 'bluesky', ...noGap } } };

async function target(stores: Stores, job: Job, account: string) {
  return (await stores.jobs.get(job.id))!.targets[account]!;
}

describe('deliverJobs', () => {
  it('saves the target as publishing before calling the platform, then records the post', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, both, '2026-03-02T07:00:00.000Z');
    await s.stores.jobs.add(job);
    const seenOnDisk: string[] = [];
    s.publishers.get('bsky')!.onCall = async () => {
      const onDisk = await target(s.stores, job, 'bsky');
      seenOnDisk.push(`${onDisk.state}/${onDisk.attempts}`);
    };
    const outcomes = await s.deliver();
    expect(seenOnDisk).toEqual(['publishing/1']);
    expect(outcomes.map((o) => `${o.account}:${o.state}`).sort()).toEqual(['bsky:published', 'xa:published']);
    const stored = await target(s.stores, job, 'bsky');
    expect(stored).toMatchObject({ state: 'published', attempts: 1, postId: 'bsky-1', postUrl: 'https://social.example/bsky/bsky-1', publishedAt: '2026-03-02T08:00:00.000Z' });
    const call = s.publishers.get('bsky')!.calls[0]!;
    expect(call).toMatchObject({ jobId: job.id, postKey: 'blog-1-bsky-key', text: job.targets.bsky!.teaser.text, langs: ['en'], media: 'none' });
    expect(call.link).toEqual({ url: job.article.link, title: 'Article 1', description: 'A summary.', image: undefined });
    // A second call publishes nothing more.
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
    expect(s.publishers.get('xa')!.calls).toHaveLength(1);
  });

  it('marks the account for attention on platform-auth, and its jobs wait while the other account posts', async () => {
    const s = await setup(twoAccounts);
    const first = makeJob('blog', 1, both, '2026-03-02T07:00:00.000Z');
    const second = makeJob('blog', 2, both, '2026-03-02T07:01:00.000Z');
    await s.stores.jobs.add(first);
    await s.stores.jobs.add(second);
    s.publishers.get('xa')!.failNext.push(herautError('platform-auth'));
    const outcomes = await s.deliver();
    expect(s.publishers.get('xa')!.calls).toHaveLength(1);
    expect(s.publishers.get('bsky')!.calls).toHaveLength(2);
    expect(await target(s.stores, first, 'xa')).toMatchObject({ state: 'pending', lastError: { code: 'platform-auth' } });
    expect((await s.stores.accounts.get('xa')).attention).toMatchObject({ code: 'platform-auth', message: 'fake platform-auth' });
    expect(outcomes.filter((o) => o.account === 'xa').map((o) => o.waitReason ?? o.state)).toEqual(['attention', 'attention']);
    s.clock.advance(3_600_000);
    await s.deliver();
    expect(s.publishers.get('xa')!.calls).toHaveLength(1);
    // Once a person clears the attention, the jobs go out.
    const { attention: _cleared, ...rest } = (await s.stores.accounts.get('xa'));
    await s.stores.accounts.put('xa', rest);
    await s.deliver();
    expect((await target(s.stores, first, 'xa')).state).toBe('published');
    expect((await target(s.stores, second, 'xa')).state).toBe('published');
  });

  it('fails the target for good on platform-rejected', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, both, '2026-03-02T07:00:00.000Z');
    await s.stores.jobs.add(job);
    s.publishers.get('bsky')!.failNext.push(herautError('platform-rejected'));
    const outcomes = await s.deliver();
    expect(outcomes.find((o) => o.account === 'bsky')).toMatchObject({ state: 'failed', error: 'fake platform-rejected' });
    expect((await target(s.stores, job, 'xa')).state).toBe('published');
    s.clock.advance(86_400_000);
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
  });

  it('waits until retryAt on platform-rate-limited, for every job of that account', async () => {
    const s = await setup(twoAccounts);
    const first = makeJob('blog', 1, [both[1]!], '2026-03-02T07:00:00.000Z');
    const second = makeJob('blog', 2, [both[1]!], '2026-03-02T07:01:00.000Z');
    await s.stores.jobs.add(first);
    await s.stores.jobs.add(second);
    const retryAt = Date.parse('2026-03-02T08:15:00.000Z');
    s.publishers.get('bsky')!.failNext.push(herautError('platform-rate-limited', retryAt));
    const outcomes = await s.deliver();
    expect(outcomes.map((o) => [o.state, o.waitReason, o.waitUntil])).toEqual([
      ['pending', 'rate-limit', '2026-03-02T08:15:00.000Z'],
      ['pending', 'rate-limit', '2026-03-02T08:15:00.000Z'],
    ]);
    expect(await target(s.stores, first, 'bsky')).toMatchObject({ notBefore: '2026-03-02T08:15:00.000Z', waitReason: 'rate-limit' });
    s.clock.set('2026-03-02T08:14:59.000Z');
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
    s.clock.set('2026-03-02T08:15:00.000Z');
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(3);
    expect((await target(s.stores, second, 'bsky')).state).toBe('published');
  });

  it('backs off exponentially on transient errors, then fails after maxAttempts', async () => {
    const s = await setup({ ...twoAccounts, retry: { maxAttempts: 3, baseDelay: '30s', maxDelay: '1m' } });
    const job = makeJob('blog', 1, [both[1]!], '2026-03-02T07:00:00.000Z');
    await s.stores.jobs.add(job);
    const bsky = s.publishers.get('bsky')!;
    bsky.failNext.push(herautError('platform-unavailable'), new HerautError('platform-unavailable', 'socket hang up', { retryable: true }), herautError('platform-unavailable'));
    // random() = 0.5: equal jitter gives 3/4 of baseDelay * 2^(attempts-1), capped at maxDelay.
    const first = await s.deliver();
    expect(first[0]).toMatchObject({ state: 'pending', waitReason: 'backoff', waitUntil: '2026-03-02T08:00:22.500Z' });
    s.clock.advance(22_000);
    await s.deliver();
    expect(bsky.calls).toHaveLength(1);
    s.clock.advance(500);
    const second = await s.deliver();
    expect(second[0]).toMatchObject({ state: 'pending', waitReason: 'backoff', waitUntil: '2026-03-02T08:01:07.500Z', error: 'socket hang up' });
    expect((await target(s.stores, job, 'bsky')).lastError?.code).toBe('platform-unavailable');
    s.clock.set('2026-03-02T08:01:07.500Z');
    const third = await s.deliver();
    expect(third[0]).toMatchObject({ state: 'failed', error: 'gave up after 3 attempts: fake platform-unavailable' });
    s.clock.advance(86_400_000);
    await s.deliver();
    expect(bsky.calls).toHaveLength(3);
  });

  it('settles a target left publishing by one retry with the same postKey and text', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, [both[0]!], '2026-03-02T07:00:00.000Z', 'publishing');
    job.targets.xa!.attempts = 1;
    await s.stores.jobs.add(job);
    const xa = s.publishers.get('xa')!;
    // The dead process's call went through before it could record it.
    await xa.publish({ jobId: job.id, text: job.targets.xa!.teaser.text, langs: [], link: { url: '', title: '', description: '' }, postKey: 'blog-1-xa-key', media: 'none' });
    const outcomes = await s.deliver();
    expect(outcomes).toEqual([{ jobId: job.id, account: 'xa', state: 'published', postUrl: 'https://social.example/xa/xa-1', error: undefined, waitUntil: undefined, waitReason: undefined }]);
    expect(xa.calls).toHaveLength(2);
    expect(xa.calls[1]).toMatchObject({ postKey: 'blog-1-xa-key', text: job.targets.xa!.teaser.text });
    expect(xa.posts.size).toBe(1);
    expect(await target(s.stores, job, 'xa')).toMatchObject({ state: 'published', attempts: 2, postId: 'xa-1' });
    expect((await s.stores.accounts.get('xa')).spentByMonth['2026-03']).toBe(0.2);
  });

  it('does not count a post twice when the crash came after the account was saved', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, [both[0]!], '2026-03-02T07:00:00.000Z', 'publishing');
    await s.stores.jobs.add(job);
    await s.stores.accounts.put('xa', { postsByDay: { '2026-03-02': 1 }, spentByMonth: { '2026-03': 0.2 }, recentPostKeys: ['blog-1-xa-key'] });
    s.publishers.get('xa')!.posts.set('blog-1-xa-key', { id: 'xa-1', url: 'https://social.example/xa/xa-1' });
    await s.deliver();
    expect((await target(s.stores, job, 'xa')).state).toBe('published');
    expect((await s.stores.accounts.get('xa'))).toMatchObject({ postsByDay: { '2026-03-02': 1 }, spentByMonth: { '2026-03': 0.2 } });
  });

  it('keeps accounts independent: one failing neither blocks nor repeats the other', async () => {
    const s = await setup(twoAccounts);
    const jobs = [1, 2, 3].map((n) => makeJob('blog', n, both, `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    s.publishers.get('xa')!.failAlways = () => herautError('platform-unavailable');
    await s.deliver();
    // The platform is down: one attempt for this account in this call, not one per job.
    expect(s.publishers.get('xa')!.calls).toHaveLength(1);
    expect(s.publishers.get('bsky')!.calls.map((c) => c.jobId)).toEqual(jobs.map((j) => j.id));
    s.publishers.get('xa')!.failAlways = undefined;
    s.clock.advance(60_000);
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(3);
    for (const job of jobs) expect((await target(s.stores, job, 'xa')).state).toBe('published');
  });

  it('keeps minGap between two posts of an account', async () => {
    const s = await setup({ accounts: { bsky: { platform: 'bluesky', pace: { minGap: '5m' } } } });
    const jobs = [1, 2].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const outcomes = await s.deliver();
    expect(outcomes.map((o) => [o.state, o.waitReason, o.waitUntil])).toEqual([
      ['published', undefined, undefined],
      ['pending', 'gap', '2026-03-02T08:05:00.000Z'],
    ]);
    expect(await target(s.stores, jobs[1]!, 'bsky')).toMatchObject({ notBefore: '2026-03-02T08:05:00.000Z', waitReason: 'gap' });
    s.clock.advance(4 * 60_000);
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
    s.clock.advance(60_000);
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(2);
  });

  it('posts past the gap with ignorePacing, only the jobs asked for', async () => {
    const s = await setup({ accounts: { bsky: { platform: 'bluesky', pace: { minGap: '1h' } } } });
    const jobs = [1, 2, 3].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    await s.deliver();
    const outcomes = await s.deliver({ only: [jobs[2]!.id], ignorePacing: true });
    expect(outcomes.map((o) => [o.jobId, o.state])).toEqual([[jobs[2]!.id, 'published']]);
    expect((await target(s.stores, jobs[1]!, 'bsky')).state).toBe('pending');
  });

  it('stops at maxPerDay until the next day in the configured timezone', async () => {
    const s = await setup({ timezone: 'Europe/Paris', accounts: { bsky: { platform: 'bluesky', pace: { minGap: '0', maxPerDay: 2 } } } });
    const jobs = [1, 2, 3].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const outcomes = await s.deliver();
    expect(outcomes.map((o) => o.waitReason ?? o.state)).toEqual(['published', 'published', 'max-per-day']);
    // Midnight in Paris (UTC+1 in March).
    expect(outcomes[2]!.waitUntil).toBe('2026-03-02T23:00:00.000Z');
    expect((await s.stores.accounts.get('bsky')).postsByDay).toEqual({ '2026-03-02': 2 });
    s.clock.set('2026-03-02T22:59:00.000Z');
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(2);
    s.clock.set('2026-03-02T23:00:00.000Z');
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(3);
    expect((await s.stores.accounts.get('bsky')).postsByDay['2026-03-03']).toBe(1);
  });

  it('posts only in slots, one post per slot, and waits for the next slot', async () => {
    const s = await setup({ timezone: 'Europe/Paris', accounts: { bsky: { platform: 'bluesky', pace: { minGap: '0', slots: ['0 9 * * *', '0 18 * * *'] } } } }, '2026-03-02T06:00:00.000Z');
    const first = makeJob('blog', 1, [both[1]!], '2026-03-02T05:30:00.000Z');
    await s.stores.jobs.add(first);
    const waiting = await s.deliver();
    // 09:00 in Paris; yesterday's 18:00 slot does not count for a job that arrived after it.
    expect(waiting[0]).toMatchObject({ state: 'pending', waitReason: 'slot', waitUntil: '2026-03-02T08:00:00.000Z' });
    expect(await target(s.stores, first, 'bsky')).toMatchObject({ notBefore: '2026-03-02T08:00:00.000Z', waitReason: 'slot' });
    // A late tick still uses the slot.
    s.clock.set('2026-03-02T08:02:00.000Z');
    const second = makeJob('blog', 2, [both[1]!], '2026-03-02T07:30:00.000Z');
    await s.stores.jobs.add(second);
    const posted = await s.deliver();
    expect(posted.map((o) => [o.jobId, o.state, o.waitReason, o.waitUntil])).toEqual([
      [first.id, 'published', undefined, undefined],
      [second.id, 'pending', 'slot', '2026-03-02T17:00:00.000Z'],
    ]);
    s.clock.set('2026-03-02T17:00:00.000Z');
    await s.deliver();
    expect((await target(s.stores, second, 'bsky')).state).toBe('published');
    expect(s.publishers.get('bsky')!.calls).toHaveLength(2);
  });

  it('holds X posts at the monthly budget, logs it once, and --force goes past it', async () => {
    const s = await setup({ accounts: { xa: { platform: 'x', pace: { minGap: '0' }, budget: { monthly: 0.5 } }, xb: { platform: 'x', pace: { minGap: '0' } }, bsky: { platform: 'bluesky', ...noGap } } });
    const accounts = [
      { name: 'xa', platform: 'x' as const },
      { name: 'xb', platform: 'x' as const },
      { name: 'bsky', platform: 'bluesky' as const },
    ];
    const jobs = [1, 2, 3].map((n) => makeJob('blog', n, accounts, `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const outcomes = await s.deliver();
    expect(outcomes.filter((o) => o.account === 'xa').map((o) => o.waitReason ?? o.state)).toEqual(['published', 'published', 'budget']);
    expect(outcomes.find((o) => o.waitReason === 'budget')).toMatchObject({ waitUntil: '2026-04-01T00:00:00.000Z', error: 'monthly budget of $0.5 reached ($0.4 spent)' });
    expect(await target(s.stores, jobs[2]!, 'xa')).toMatchObject({ state: 'pending', waitReason: 'budget' });
    expect((await s.stores.accounts.get('xa'))).toMatchObject({ spentByMonth: { '2026-03': 0.4 }, holdReason: 'budget' });
    // Spending is kept without a budget too, and only for X.
    expect((await s.stores.accounts.get('xb')).spentByMonth).toEqual({ '2026-03': 0.6 });
    expect((await s.stores.accounts.get('bsky')).spentByMonth).toEqual({});
    s.clock.advance(60_000);
    await s.deliver();
    expect(s.logLines.filter((line) => line.msg === 'budget reached; posts wait')).toHaveLength(1);
    expect(s.publishers.get('xa')!.calls).toHaveLength(2);
    await s.deliver({ ignoreBudget: true });
    expect((await target(s.stores, jobs[2]!, 'xa')).state).toBe('published');
    expect((await s.stores.accounts.get('xa')).spentByMonth['2026-03']).toBe(0.6);
    expect((await s.stores.accounts.get('xa')).holdReason).toBeUndefined();
    // A new month starts a new count.
    s.clock.set('2026-04-01T00:00:00.000Z');
    const april = makeJob('blog', 4, [accounts[0]!], '2026-04-01T00:00:00.000Z');
    await s.stores.jobs.add(april);
    await s.deliver();
    expect((await target(s.stores, april, 'xa')).state).toBe('published');
  });

  it('turns a burst of 20 jobs into a spaced sequence, oldest first', async () => {
    const s = await setup({ accounts: { bsky: { platform: 'bluesky', pace: { minGap: '5m' } } } });
    const jobs = Array.from({ length: 20 }, (_, n) => makeJob('blog', n, [both[1]!], new Date(Date.parse('2026-03-02T07:00:00.000Z') + n * 1000).toISOString()));
    for (const job of [...jobs].reverse()) await s.stores.jobs.add(job);
    const bsky = s.publishers.get('bsky')!;
    const postTimes: number[] = [];
    bsky.onCall = async () => {
      postTimes.push(s.clock.now().getTime());
    };
    for (let tick = 0; tick < 200 && bsky.calls.length < 20; tick += 1) {
      await s.deliver();
      s.clock.advance(60_000);
    }
    expect(bsky.calls.map((c) => c.jobId)).toEqual(jobs.map((j) => j.id));
    const gaps = postTimes.slice(1).map((time, i) => time - postTimes[i]!);
    expect(gaps.every((gap) => gap === 5 * 60_000)).toBe(true);
  });

  it('leaves targets in review alone and attention on a publisher that cannot be created', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, both, '2026-03-02T07:00:00.000Z');
    job.targets.bsky!.state = 'review';
    await s.stores.jobs.add(job);
    const outcomes = await s.deliver({
      publisher: async (name) => {
        if (name === 'xa') throw Object.assign(herautError('platform-auth'), { message: 'X credentials missing; set X_APP_KEY' });
        return s.publishers.get(name)!;
      },
    });
    expect(outcomes).toEqual([{ jobId: job.id, account: 'xa', state: 'pending', postUrl: undefined, error: 'X credentials missing; set X_APP_KEY', waitReason: 'attention', waitUntil: undefined }]);
    expect((await s.stores.accounts.get('xa')).attention?.message).toBe('X credentials missing; set X_APP_KEY');
    expect(s.publishers.get('bsky')!.calls).toHaveLength(0);
    expect((await target(s.stores, job, 'bsky')).state).toBe('review');
  });

  it('skips a job another process holds and takes no new work once aborted', async () => {
    const s = await setup(twoAccounts);
    const jobs = [1, 2].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const other = await openStores({ location: root, namespace: 'live' });
    const held = await other.jobs.claim(jobs[0]!.id);
    const outcomes = await s.deliver();
    expect(outcomes.map((o) => o.waitReason ?? o.state)).toEqual(['busy', 'published']);
    await held!.release();
    const controller = new AbortController();
    controller.abort();
    expect(await s.deliver({ signal: controller.signal })).toEqual([]);
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
  });

  it('fails a post at once on an error heraut does not know (a bug), and says so, instead of retrying it as an outage (10.18)', async () => {
    const s = await setup(twoAccounts);
    const job = makeJob('blog', 1, [both[1]!], '2026-03-02T07:00:00.000Z');
    await s.stores.jobs.add(job);
    s.publishers.get('bsky')!.failNext.push(new TypeError("Cannot read properties of undefined (reading 'uri')"));
    const outcomes = await s.deliver();
    expect(outcomes[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/^unexpected error, a bug in heraut \(please report it\): Cannot read/) });
    expect(await target(s.stores, job, 'bsky')).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'bug' } });
    expect(s.logLines.find((line) => line.msg === 'post failed on an unexpected error')).toMatchObject({ level: 50, jobId: job.id });
    s.clock.advance(86_400_000);
    await s.deliver();
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
  });

  it('renews the account lock before each post, so a slow run keeps it (10.15)', async () => {
    const s = await setup({ accounts: { bsky: { platform: 'bluesky', ...noGap } } });
    const jobs = [1, 2, 3].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const other = await openStores({ location: root, namespace: 'live', now: s.clock.now });
    const taken: boolean[] = [];
    s.publishers.get('bsky')!.onCall = async () => {
      // Each call takes 10 minutes: 30 in all, twice what a lock once taken would last.
      s.clock.advance(10 * 60_000);
      const lock = await other.accounts.lock('bsky');
      taken.push(lock !== undefined);
      await lock?.release();
    };
    const outcomes = await s.deliver();
    expect(outcomes.map((o) => o.state)).toEqual(['published', 'published', 'published']);
    expect(taken).toEqual([false, false, false]);
  });

  it('checks the account lock before each post and stops when another process took it over (10.15)', async () => {
    const s = await setup({ accounts: { bsky: { platform: 'bluesky', ...noGap } } });
    const jobs = [1, 2].map((n) => makeJob('blog', n, [both[1]!], `2026-03-02T07:0${n}:00.000Z`));
    for (const job of jobs) await s.stores.jobs.add(job);
    const other = await openStores({ location: root, namespace: 'live', now: s.clock.now });
    let thief: Awaited<ReturnType<Stores['accounts']['lock']>>;
    s.publishers.get('bsky')!.onCall = async () => {
      if (thief) return;
      s.clock.advance(16 * 60_000);
      thief = await other.accounts.lock('bsky');
    };
    const outcomes = await s.deliver();
    expect(thief).toBeDefined();
    expect(outcomes.map((o) => o.waitReason ?? o.state)).toEqual(['published', 'busy']);
    expect(s.publishers.get('bsky')!.calls).toHaveLength(1);
    expect((await target(s.stores, jobs[1]!, 'bsky')).state).toBe('pending');
    await thief!.release();
  });
});
