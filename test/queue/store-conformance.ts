// The contract every store implementation passes unchanged (the bullmq way): call storeConformance with a factory that
// makes a fresh, empty location that openStores understands (a folder, a database URL).
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobTarget, TargetState } from '../../src/queue/job.js';
import { openStores } from '../../src/queue/open-stores.js';
import type { JobClaim, Stores } from '../../src/queue/stores.js';
import { allowedFrom, type Transition } from '../../src/queue/transitions.js';
import { makeClock, makeJob } from './fixtures/queue-fixtures.js';
import { startChild } from './fixtures/start-child.js';

export interface StoreLocation {
  location: string;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  /** A fresh, empty store. */
  create(): Promise<StoreLocation>;
}

const bsky = [{ name: 'bsky', platform: 'bluesky' as const }];
const states: TargetState[] = ['pending', 'review', 'publishing', 'published', 'failed', 'skipped'];
const at = new Date('2026-03-01T10:00:00.000Z');
const transitions: Record<Transition['name'], (claim: JobClaim) => Promise<unknown>> = {
  approve: (claim) => claim.approve('bsky'),
  skip: (claim) => claim.skip('bsky'),
  retry: (claim) => claim.retry('bsky'),
  edit: (claim) => claim.edit('bsky', { ...claim.job.targets.bsky!.teaser, text: 'Edited https://example.org/blog/1', edited: true }),
  publishing: (claim) => claim.publishing('bsky'),
  published: (claim) => claim.published('bsky', { id: 'p1', url: 'https://social.example/p1', at }),
  failed: (claim) => claim.failed('bsky', { code: 'platform-rejected', message: 'too long', at }),
  postpone: (claim) => claim.postpone('bsky', { reason: 'backoff', until: new Date('2026-03-01T11:00:00.000Z') }, { code: 'platform-unavailable', message: '503', at }),
};
const expected: Record<Transition['name'], (before: JobTarget) => Partial<JobTarget>> = {
  approve: () => ({ state: 'pending', notBefore: undefined, waitReason: undefined }),
  skip: () => ({ state: 'skipped' }),
  retry: () => ({ state: 'pending', attempts: 0 }),
  edit: (before) => ({ state: before.state, teaser: { ...before.teaser, text: 'Edited https://example.org/blog/1', edited: true } }),
  publishing: (before) => ({ state: 'publishing', attempts: before.attempts + 1, notBefore: undefined }),
  published: () => ({ state: 'published', postId: 'p1', postUrl: 'https://social.example/p1', publishedAt: at.toISOString() }),
  failed: () => ({ state: 'failed', lastError: { code: 'platform-rejected', message: 'too long', at: at.toISOString() } }),
  postpone: () => ({ state: 'pending', notBefore: '2026-03-01T11:00:00.000Z', waitReason: 'backoff', lastError: { code: 'platform-unavailable', message: '503', at: at.toISOString() } }),
};

export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`store conformance: ${name}`, () => {
    let store: StoreLocation;
    const children: ChildProcess[] = [];
    const clock = makeClock('2026-03-01T12:00:00.000Z');
    const open = (namespace: 'live' | 'dry-run' = 'live') => openStores({ location: store.location, namespace, now: clock.now });

    beforeEach(async () => {
      clock.set('2026-03-01T12:00:00.000Z');
      store = await factory.create();
    });
    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await store.cleanup();
    });

    describe('history', () => {
      it('dedupes by key or link per feed, and by link across feeds with dedupe "link"; links never match through ""', async () => {
        const stores = await open();
        await stores.history.record([{ feedId: 'a', key: 'guid-1', canonicalLink: 'https://x.org/post', outcome: 'queued' }]);
        expect(await stores.history.isKnown({ feedId: 'a', key: 'guid-1', canonicalLink: 'https://x.org/other' }, 'feed')).toBe(true);
        expect(await stores.history.isKnown({ feedId: 'a', key: 'guid-changed', canonicalLink: 'https://x.org/post' }, 'feed')).toBe(true);
        expect(await stores.history.isKnown({ feedId: 'a', key: 'guid-2', canonicalLink: 'https://x.org/new' }, 'feed')).toBe(false);
        expect(await stores.history.isKnown({ feedId: 'b', key: 'guid-1', canonicalLink: 'https://x.org/post' }, 'feed')).toBe(false);
        expect(await stores.history.isKnown({ feedId: 'b', key: 'guid-9', canonicalLink: 'https://x.org/post' }, 'link')).toBe(true);
        await stores.history.record([{ feedId: 'a', key: 'nolink-1', canonicalLink: '', outcome: 'queued' }]);
        expect(await stores.history.isKnown({ feedId: 'a', key: 'nolink-2', canonicalLink: '' }, 'link')).toBe(false);
        const reopened = await open();
        expect(await reopened.history.isKnown({ feedId: 'a', key: 'guid-1', canonicalLink: '' }, 'feed')).toBe(true);
      });

      it('answers for a whole batch at once what isKnown answers for each: order kept, link dedupe across feeds, compacted jobs still known', async () => {
        clock.set('2026-06-01T00:00:00.000Z');
        const stores = await open();
        expect(await stores.history.unknownOf([], 'feed')).toEqual([]);
        await stores.history.record([
          { feedId: 'a', key: 'guid-1', canonicalLink: 'https://x.org/1', outcome: 'baseline' },
          { feedId: 'a', key: 'nolink', canonicalLink: '', outcome: 'queued' },
        ]);
        const archived = makeJob('a', 7, bsky, '2026-01-01T00:00:00.000Z', 'published');
        const live = makeJob('a', 8, bsky, '2026-05-31T00:00:00.000Z');
        await stores.jobs.add(archived);
        await stores.jobs.add(live);
        expect(await stores.jobs.compact(30 * 86_400_000)).toBe(1);
        const batch = [
          { feedId: 'a', key: 'new-1', canonicalLink: 'https://x.org/new-1', title: 'kept with its fields' },
          { feedId: 'a', key: 'guid-1', canonicalLink: 'https://x.org/moved' },
          { feedId: 'a', key: 'guid-changed', canonicalLink: 'https://x.org/1' },
          { feedId: 'a', key: archived.articleKey, canonicalLink: '' },
          { feedId: 'a', key: 'new-2', canonicalLink: '' },
          { feedId: 'a', key: live.articleKey, canonicalLink: '' },
          { feedId: 'b', key: 'guid-9', canonicalLink: 'https://x.org/1' },
          { feedId: 'b', key: 'nolink-2', canonicalLink: '' },
          { feedId: 'b', key: 'other', canonicalLink: archived.canonicalLink },
        ];
        const reopened = await open();
        const byFeed = await reopened.history.unknownOf(batch, 'feed');
        expect(byFeed.map((article) => article.key)).toEqual(['new-1', 'new-2', 'guid-9', 'nolink-2', 'other']);
        expect(byFeed[0]).toBe(batch[0]);
        expect((await reopened.history.unknownOf(batch, 'link')).map((article) => article.key)).toEqual(['new-1', 'new-2', 'nolink-2']);
        for (const dedupe of ['feed', 'link'] as const) {
          const unknown = new Set(await reopened.history.unknownOf(batch, dedupe));
          for (const article of batch) expect(await reopened.history.isKnown(article, dedupe), `${article.feedId}/${article.key} ${dedupe}`).toBe(!unknown.has(article));
        }
        const dry = await open('dry-run');
        expect(await dry.history.unknownOf(batch, 'link')).toEqual(batch);
      });

      it('records seen feeds, even empty ones, and keeps live and dry-run apart', async () => {
        const stores = await open();
        expect(await stores.history.hasSeenFeed('empty')).toBe(false);
        await stores.history.markFeedSeen('empty');
        await stores.history.record([{ feedId: 'full', key: 'k', canonicalLink: 'https://x.org/k', outcome: 'baseline' }]);
        const reopened = await open();
        expect(await reopened.history.hasSeenFeed('empty')).toBe(true);
        expect(await reopened.history.hasSeenFeed('full')).toBe(true);
        expect(await reopened.history.hasSeenFeed('other')).toBe(false);
        const dry = await open('dry-run');
        expect(await dry.history.hasSeenFeed('full')).toBe(false);
        expect(await dry.history.isKnown({ feedId: 'full', key: 'k', canonicalLink: '' }, 'feed')).toBe(false);
      });

      it('keeps articles that failed with their reason and link; they count as known', async () => {
        const stores = await open();
        await stores.history.record([
          { feedId: 'blog', key: 'bad', canonicalLink: 'https://x.org/bad', outcome: 'failed', reason: 'no x teaser fits', link: 'https://x.org/bad?ref=rss' },
          { feedId: 'other', key: 'worse', canonicalLink: 'https://x.org/worse', outcome: 'failed', reason: 'nesting too deep' },
        ]);
        expect(await stores.history.isKnown({ feedId: 'blog', key: 'bad', canonicalLink: '' }, 'feed')).toBe(true);
        const reopened = await open();
        expect(await reopened.history.failures('blog')).toEqual([{ feedId: 'blog', key: 'bad', link: 'https://x.org/bad?ref=rss', reason: 'no x teaser fits', at: clock.now().toISOString() }]);
        expect((await reopened.history.failures()).map((failure) => failure.reason)).toEqual(['no x teaser fits', 'nesting too deep']);
        expect((await reopened.history.lookup({ feedId: 'blog', key: 'bad', canonicalLink: 'https://x.org/bad' }, 'feed'))?.outcome).toBe('failed');
      });

      it('looks an article up with its jobs, also after they were compacted', async () => {
        const stores = await open();
        const job = makeJob('blog', 1, bsky, '2026-01-01T00:00:00.000Z', 'published');
        job.targets.bsky!.postUrl = 'https://social.example/1';
        job.targets.bsky!.publishedAt = '2026-01-01T00:05:00.000Z';
        expect(await stores.history.lookup({ feedId: 'blog', key: job.articleKey, canonicalLink: job.canonicalLink }, 'feed')).toBeUndefined();
        await stores.jobs.add(job);
        await stores.history.record([{ feedId: 'blog', key: 'old', canonicalLink: 'https://x.org/old', outcome: 'baseline' }]);
        expect(await stores.jobs.compact(30 * 86_400_000)).toBe(1);
        const reopened = await open();
        const found = await reopened.history.lookup({ feedId: 'other-feed', key: 'another-guid', canonicalLink: job.canonicalLink }, 'link');
        expect(found?.outcome).toBe('queued');
        expect(found?.jobs.map((j) => [j.id, j.targets.bsky!.postUrl])).toEqual([[job.id, 'https://social.example/1']]);
        expect(await reopened.history.lookup({ feedId: 'other-feed', key: 'another-guid', canonicalLink: job.canonicalLink }, 'feed')).toBeUndefined();
        expect(await reopened.history.lookup({ feedId: 'blog', key: 'old', canonicalLink: '' }, 'feed')).toEqual({ outcome: 'baseline', jobs: [] });
      });
    });

    describe('jobs', () => {
      it('adds exclusively: an existing job is kept as it is, and the article becomes known', async () => {
        const stores = await open();
        const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        expect(await stores.jobs.add(job)).toBe(true);
        expect(await stores.history.isKnown({ feedId: 'blog', key: job.articleKey, canonicalLink: '' }, 'feed')).toBe(true);
        const claim = (await stores.jobs.claim(job.id))!;
        await claim.skip('bsky');
        await claim.release();
        expect(await stores.jobs.add(job)).toBe(false);
        expect((await stores.jobs.get(job.id))!.targets.bsky!.state).toBe('skipped');
      });

      it('lists oldest first and finds a job by id, key, link or canonical link', async () => {
        const stores = await open();
        const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        job.article.link = 'https://x.org/1?utm_source=rss';
        job.canonicalLink = 'https://x.org/1';
        job.articleKey = 'guid-1';
        await stores.jobs.add(makeJob('blog', 2, bsky, '2026-03-01T00:01:00.000Z'));
        await stores.jobs.add(job);
        expect((await stores.jobs.list()).map((j) => j.id)).toEqual([job.id, makeJob('blog', 2, bsky, '2026-03-01T00:01:00.000Z').id]);
        for (const query of [job.id, 'guid-1', 'https://x.org/1?utm_source=rss', 'https://x.org/1']) expect((await stores.jobs.find(query))?.id).toBe(job.id);
        expect(await stores.jobs.find('https://nowhere.example/')).toBeUndefined();
        expect(await stores.jobs.get('no-such-job')).toBeUndefined();
      });

      for (const [transition, allowed] of Object.entries(allowedFrom) as Array<[Transition['name'], readonly TargetState[]]>) {
        it(`${transition}: from ${allowed.join(', ')} only, durable, and refused from every other state`, async () => {
          const stores = await open();
          for (const [n, from] of states.entries()) {
            const job = makeJob('blog', n, bsky, '2026-03-01T00:00:00.000Z', from);
            job.targets.bsky!.attempts = 2;
            job.targets.bsky!.notBefore = '2026-03-01T13:00:00.000Z';
            job.targets.bsky!.waitReason = 'gap';
            await stores.jobs.add(job);
            const claim = (await stores.jobs.claim(job.id))!;
            if (allowed.includes(from)) {
              const returned = await transitions[transition](claim);
              const want = expected[transition](job.targets.bsky!);
              expect(returned).toEqual(claim.job);
              const stored = (await stores.jobs.get(job.id))!.targets.bsky;
              for (const [key, value] of Object.entries(want)) {
                if (value === undefined) expect(stored).not.toHaveProperty(key);
                else expect(stored).toHaveProperty(key, value);
              }
            } else {
              await expect(transitions[transition](claim)).rejects.toMatchObject({ code: 'usage' });
              expect(await stores.jobs.get(job.id)).toEqual(job);
            }
            await claim.release();
          }
        });
      }

      it('published with a count adds the post to its account in the same step, once per post key; a lost claim counts nothing', async () => {
        const stores = await open();
        const other = await open();
        const count = { day: '2026-03-01', month: '2026-03', spentUsd: 0.25 };
        await stores.accounts.put('bsky', { postsByDay: { '2026-03-01': 2 }, spentByMonth: {}, lastPostAt: '2026-03-01T09:00:00.000Z', holdReason: 'rate-limit', holdUntil: '2026-03-01T11:00:00.000Z' });
        const publish = async (job: ReturnType<typeof makeJob>, postAt: Date) => {
          await stores.jobs.add(job);
          const claim = (await stores.jobs.claim(job.id))!;
          await claim.publishing('bsky');
          await claim.published('bsky', { id: `${job.id}-post`, url: 'https://social.example/p', at: postAt }, count);
          await claim.release();
        };
        const first = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        await publish(first, at);
        const counted = await other.accounts.get('bsky');
        expect(counted).toMatchObject({ postsByDay: { '2026-03-01': 3 }, spentByMonth: { '2026-03': 0.25 }, lastPostAt: at.toISOString() });
        expect(counted.recentPostKeys).toEqual([first.targets.bsky!.postKey]);
        expect(counted).not.toHaveProperty('holdReason');
        expect(counted).not.toHaveProperty('holdUntil');
        expect((await other.jobs.get(first.id))!.targets.bsky!.state).toBe('published');

        // The same post settled again (its worker died after counting it): not counted twice; an earlier time never moves lastPostAt back.
        const again = makeJob('blog', 2, bsky, '2026-03-01T00:00:00.000Z');
        again.targets.bsky!.postKey = first.targets.bsky!.postKey;
        await publish(again, new Date('2026-03-01T08:00:00.000Z'));
        expect(await other.accounts.get('bsky')).toMatchObject({ postsByDay: { '2026-03-01': 3 }, spentByMonth: { '2026-03': 0.25 }, lastPostAt: at.toISOString() });
        expect((await other.jobs.get(again.id))!.targets.bsky!.state).toBe('published');

        const late = makeJob('blog', 3, bsky, '2026-03-01T00:00:00.000Z');
        await stores.jobs.add(late);
        const lost = (await stores.jobs.claim(late.id, { leaseMs: 60_000 }))!;
        await lost.publishing('bsky');
        clock.advance(61_000);
        const taken = (await other.jobs.claim(late.id))!;
        await expect(lost.published('bsky', { id: 'p', url: 'https://social.example/p', at }, count)).rejects.toMatchObject({ code: 'queue-busy' });
        expect((await other.accounts.get('bsky')).postsByDay).toEqual({ '2026-03-01': 3 });
        await taken.published('bsky', { id: 'p', url: 'https://social.example/p', at: clock.now() }, { ...count, spentUsd: 0 });
        expect(await other.accounts.get('bsky')).toMatchObject({ postsByDay: { '2026-03-01': 4 }, spentByMonth: { '2026-03': 0.25 }, lastPostAt: clock.now().toISOString() });
        await taken.release();
      });

      it('refuses a transition on a target the job does not have', async () => {
        const stores = await open();
        const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        await stores.jobs.add(job);
        const claim = (await stores.jobs.claim(job.id))!;
        await expect(claim.approve('nobody')).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('bsky') });
        await claim.release();
      });

      it('gives a job to one claimer at a time, and re-reads it when claimed', async () => {
        const stores = await open();
        const other = await open();
        const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        await stores.jobs.add(job);
        const first = (await stores.jobs.claim(job.id))!;
        expect(await other.jobs.claim(job.id)).toBeUndefined();
        expect(await stores.jobs.claim(job.id)).toBeUndefined();
        await first.publishing('bsky');
        await first.release();
        const again = (await other.jobs.claim(job.id))!;
        expect(again.job.targets.bsky).toMatchObject({ state: 'publishing', attempts: 1 });
        await again.release();
        await expect(stores.jobs.claim('no-such-job')).rejects.toMatchObject({ code: 'article-not-found' });
      });

      it('loses a claim whose lease ran out: the late holder can neither write nor free the new claim', async () => {
        const stores = await open();
        const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
        await stores.jobs.add(job);
        const first = (await stores.jobs.claim(job.id, { leaseMs: 60_000 }))!;
        clock.advance(50_000);
        expect(await first.renew()).toBe(true);
        clock.advance(50_000);
        expect(await stores.jobs.claim(job.id)).toBeUndefined();
        clock.advance(11_000);
        const second = (await stores.jobs.claim(job.id))!;
        expect(second).toBeDefined();
        await expect(first.publishing('bsky')).rejects.toMatchObject({ code: 'queue-busy' });
        expect(await first.renew()).toBe(false);
        await first.release();
        expect(await stores.jobs.claim(job.id)).toBeUndefined();
        await second.skip('bsky');
        await second.release();
        expect((await stores.jobs.get(job.id))!.targets.bsky!.state).toBe('skipped');
      });

      it('compacts old settled jobs only, at most every minIntervalMs, and still knows their articles', async () => {
        clock.set('2026-06-01T00:00:00.000Z');
        const stores = await open();
        const old = makeJob('blog', 1, bsky, '2026-01-01T00:00:00.000Z', 'published');
        const recent = makeJob('blog', 2, bsky, '2026-05-30T00:00:00.000Z', 'published');
        const oldPending = makeJob('blog', 3, bsky, '2026-01-01T00:00:00.000Z', 'pending');
        for (const job of [old, recent, oldPending]) await stores.jobs.add(job);
        expect(await stores.jobs.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(1);
        expect((await stores.jobs.list()).map((job) => job.id).sort()).toEqual([recent.id, oldPending.id].sort());
        expect(await stores.jobs.get(old.id)).toBeUndefined();
        await stores.jobs.add(makeJob('blog', 4, bsky, '2026-01-01T00:00:00.000Z', 'skipped'));
        clock.advance(60_000);
        const other = await open();
        expect(await other.jobs.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(0);
        clock.advance(3_600_000);
        expect(await other.jobs.compact(90 * 86_400_000, { minIntervalMs: 3_600_000 })).toBe(1);
        const reopened = await open();
        expect(await reopened.history.isKnown({ feedId: 'blog', key: old.articleKey, canonicalLink: old.canonicalLink }, 'feed')).toBe(true);
      });
    });

    describe('feed and account state', () => {
      it('saves state per key, readable by another opener', async () => {
        const stores = await open();
        expect(await stores.feeds.get('a')).toEqual({ consecutiveFailures: 0 });
        await stores.feeds.put('a', { consecutiveFailures: 2, etag: '"e1"' });
        await stores.feeds.put('b', { consecutiveFailures: 0, lastModified: 'Mon' });
        await stores.accounts.put('x1', { postsByDay: { '2026-03-01': 2 }, spentByMonth: { '2026-03': 0.4 } });
        const other = await open();
        expect(await other.feeds.get('a')).toEqual({ consecutiveFailures: 2, etag: '"e1"' });
        expect(Object.keys(await other.feeds.all()).sort()).toEqual(['a', 'b']);
        expect((await other.accounts.get('x1')).spentByMonth['2026-03']).toBe(0.4);
        expect(await other.accounts.get('nobody')).toEqual({ postsByDay: {}, spentByMonth: {} });
        expect(Object.keys(await other.accounts.all())).toEqual(['x1']);
      });

      it('locks an account for one holder, renewed while held, lost when the lease runs out', async () => {
        const stores = await open();
        const other = await open();
        const lock = (await stores.accounts.lock('x1', { leaseMs: 60_000 }))!;
        expect(await other.accounts.lock('x1')).toBeUndefined();
        clock.advance(50_000);
        expect(await lock.renew()).toBe(true);
        clock.advance(50_000);
        expect(await other.accounts.lock('x1')).toBeUndefined();
        expect(await lock.isHeld()).toBe(true);
        clock.advance(11_000);
        const taken = (await other.accounts.lock('x1'))!;
        expect(await lock.isHeld()).toBe(false);
        expect(await lock.renew()).toBe(false);
        await lock.release();
        expect(await taken.isHeld()).toBe(true);
        await taken.release();
        const again = await stores.accounts.lock('x1');
        expect(again).toBeDefined();
        await again!.release();
      });
    });

    it('lists the claims and leases held now with their holder (host:pid) and end, not those released or run out', async () => {
      const stores = await open();
      const other = await open();
      expect(await stores.holders()).toEqual([]);
      const job = makeJob('blog', 1, bsky, '2026-03-01T00:00:00.000Z');
      await stores.jobs.add(job);
      const claim = (await stores.jobs.claim(job.id, { leaseMs: 60_000 }))!;
      const lock = (await other.accounts.lock('bsky', { leaseMs: 120_000 }))!;
      const me = `${os.hostname()}:${process.pid}`;
      const until = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
      await stores.feeds.put('blog', { consecutiveFailures: 0 });
      expect(await other.holders()).toEqual([
        { kind: 'account', id: 'bsky', worker: me, until: until(120_000) },
        { kind: 'job', id: job.id, worker: me, until: until(60_000) },
      ]);
      clock.advance(61_000);
      expect((await stores.holders()).map((holding) => holding.kind)).toEqual(['account']);
      await lock.release();
      await claim.release();
      expect(await stores.holders()).toEqual([]);
    });

    it('keeps sessions per key, and deletes them', async () => {
      const stores = await open();
      expect(await stores.sessions.read('bluesky-main')).toBeUndefined();
      await stores.sessions.write('bluesky-main', '{"token":"t1"}');
      await stores.sessions.write('bluesky-main', '{"token":"t2"}');
      expect(await (await open()).sessions.read('bluesky-main')).toBe('{"token":"t2"}');
      await stores.sessions.write('bluesky-main', undefined);
      expect(await stores.sessions.read('bluesky-main')).toBeUndefined();
    });

    describe('processes', () => {
      it('two processes racing for claims publish every job exactly once', async () => {
        const stores = await open();
        const jobs = Array.from({ length: 30 }, (_, n) => makeJob('race', n, bsky, '2026-03-02T07:00:00.000Z'));
        for (const job of jobs) await stores.jobs.add(job);
        const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-race-')), 'published.log');
        const ids = jobs.map((job) => job.id);
        const racers = [startChild('store-child.ts', ['race', store.location, out, ...ids]), startChild('store-child.ts', ['race', store.location, out, ...ids])];
        children.push(...racers.map((racer) => racer.child));
        await Promise.all(racers.map((racer) => racer.waitFor('ready')));
        for (const racer of racers) racer.child.stdin!.write('go\n');
        await Promise.all(racers.map((racer) => racer.waitFor('published')));
        const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
        await fs.rm(path.dirname(out), { recursive: true, force: true });
        expect(lines.map((line) => line.split('\t')[0]).sort()).toEqual([...ids].sort());
        for (const job of await stores.jobs.list()) expect(job.targets.bsky).toMatchObject({ state: 'published', attempts: 1 });
      }, 60_000);

      it('a process killed (SIGKILL) in the middle of transitions leaves a consistent store, and its claims are taken over', async () => {
        const stores = await open();
        const jobs = Array.from({ length: 3 }, (_, n) => makeJob('churn', n, bsky, '2026-03-02T07:00:00.000Z'));
        for (const job of jobs) await stores.jobs.add(job);
        const ids = jobs.map((job) => job.id);
        for (let round = 0; round < 5; round += 1) {
          const churn = startChild('store-child.ts', ['churn', store.location, ...ids]);
          children.push(churn.child);
          await churn.waitFor('ready');
          await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 120));
          churn.child.kill('SIGKILL');
          await churn.exited;
          const reopened = await openStores({ location: store.location, namespace: 'live' });
          const listed = await reopened.jobs.list();
          expect(listed.map((job) => job.id).sort()).toEqual([...ids].sort());
          for (const job of listed) expect(['pending', 'publishing']).toContain(job.targets.bsky!.state);
          expect((await reopened.feeds.get('churn')).consecutiveFailures).toBeGreaterThanOrEqual(0);
          expect(await reopened.history.isKnown({ feedId: 'churn', key: jobs[0]!.articleKey, canonicalLink: '' }, 'feed')).toBe(true);
        }
        // The dead holder's claims (lease 300 ms) go to the next claimer, and every job can still be settled.
        await new Promise((resolve) => setTimeout(resolve, 350));
        const last = await openStores({ location: store.location, namespace: 'live' });
        for (const id of ids) {
          const claim = (await last.jobs.claim(id))!;
          expect(claim).toBeDefined();
          if (claim.job.targets.bsky!.state === 'pending') await claim.publishing('bsky');
          await claim.published('bsky', { id: `${id}-post`, url: 'https://social.example/p', at: new Date() });
          await claim.release();
        }
        for (const job of await last.jobs.list()) expect(job.targets.bsky!.state).toBe('published');
      }, 60_000);
    });
  });
}
