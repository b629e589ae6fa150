import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { isHerautError } from '../../src/errors.js';
import { openPostgresStores } from '../../src/queue/postgres/postgres-stores.js';
import type { Stores } from '../../src/queue/stores.js';
import { describePostgres, testDatabaseUrl, testSchema } from '../support/postgres.js';
import { makeClock, makeJob } from './fixtures/queue-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two workers on one throwaway schema, with one clock. */
async function twoWorkers(namespaces: ['live' | 'dry-run', 'live' | 'dry-run'] = ['live', 'live']) {
  const { url, drop } = testSchema();
  cleanups.push(drop);
  const clock = makeClock();
  const open = async (namespace: 'live' | 'dry-run', worker: string) => {
    const stores = await openPostgresStores({ location: url, namespace, now: clock.now, worker });
    cleanups.push(() => stores.close());
    return stores;
  };
  const [a, b] = [await open(namespaces[0], 'host-a:1234'), await open(namespaces[1], 'host-b:5678')];
  return { a, b, clock, url };
}

const accounts = [{ name: 'xa', platform: 'x' as const }, { name: 'bsky', platform: 'bluesky' as const }];

async function addJobs(stores: Stores, count: number) {
  const jobs = Array.from({ length: count }, (_, n) => makeJob('feed', n, accounts, `2026-03-02T07:${String(n % 60).padStart(2, '0')}:00.000Z`));
  for (const job of jobs) await stores.jobs.add(job);
  return jobs;
}

describePostgres('PostgreSQL stores shared by several workers', () => {
  it('gives each job to one worker at a time, however many race for it', async () => {
    const { a, b } = await twoWorkers();
    const jobs = await addJobs(a, 40);
    const claims = await Promise.all(jobs.flatMap((job) => [a.jobs.claim(job.id), b.jobs.claim(job.id), a.jobs.claim(job.id)]));
    expect(claims.filter(Boolean)).toHaveLength(40);
    for (const claim of claims) await claim?.release();
    expect(await b.jobs.claim(jobs[0]!.id)).toBeDefined();
  });

  it('hands a dead worker\'s claim to another after the lease, which settles the target left publishing with the same post key', async () => {
    const { a, b, clock } = await twoWorkers();
    const [job] = await addJobs(a, 1);
    const dead = (await a.jobs.claim(job!.id, { leaseMs: 60_000 }))!;
    await dead.publishing('xa');
    expect(await b.jobs.claim(job!.id)).toBeUndefined();
    clock.advance(60_001);
    const next = (await b.jobs.claim(job!.id))!;
    expect(next.job.targets.xa).toMatchObject({ state: 'publishing', attempts: 1, postKey: job!.targets.xa!.postKey, teaser: job!.targets.xa!.teaser });
    await next.publishing('xa');
    await next.published('xa', { id: 'p1', url: 'https://x.example/p1', at: clock.now() });
    const late = await dead.published('xa', { id: 'p2', url: 'https://x.example/p2', at: clock.now() }).catch((error: unknown) => error);
    expect(isHerautError(late, 'queue-busy')).toBe(true);
    expect((await a.jobs.get(job!.id))!.targets.xa).toMatchObject({ state: 'published', postId: 'p1', attempts: 2 });
  });

  it('keeps per-account posting to one worker, and a stale state never lowers the counters', async () => {
    const { a, b, clock } = await twoWorkers();
    const lock = (await a.accounts.lock('xa', { leaseMs: 1_000 }))!;
    expect(await b.accounts.lock('xa')).toBeUndefined();
    const stale = await b.accounts.get('xa');
    await a.accounts.put('xa', { postsByDay: { '2026-03-02': 3 }, spentByMonth: { '2026-03': 0.6 }, lastPostAt: '2026-03-02T08:00:00.000Z', recentPostKeys: ['k1', 'k2', 'k3'] });
    await b.accounts.put('xa', { ...stale, attention: { code: 'platform-auth', message: 'log in again', at: clock.now().toISOString() } });
    expect(await a.accounts.get('xa')).toEqual({
      postsByDay: { '2026-03-02': 3 },
      spentByMonth: { '2026-03': 0.6 },
      lastPostAt: '2026-03-02T08:00:00.000Z',
      recentPostKeys: ['k1', 'k2', 'k3'],
      attention: { code: 'platform-auth', message: 'log in again', at: clock.now().toISOString() },
    });
    clock.advance(1_001);
    expect(await lock.isHeld()).toBe(false);
    const taken = (await b.accounts.lock('xa'))!;
    expect(await lock.renew()).toBe(false);
    await lock.release();
    expect(await taken.isHeld()).toBe(true);
  });

  it('lets one worker at a time poll a feed; a dead poller\'s lease runs out', async () => {
    const { a, b, clock } = await twoWorkers();
    const polling = (await a.feeds.lease!('blog', { leaseMs: 30_000 }))!;
    expect(await b.feeds.lease!('blog')).toBeUndefined();
    expect(await b.feeds.lease!('news')).toBeDefined();
    await polling.release();
    const next = (await b.feeds.lease!('blog', { leaseMs: 30_000 }))!;
    expect(await a.feeds.lease!('blog')).toBeUndefined();
    clock.advance(30_001);
    expect(await a.feeds.lease!('blog')).toBeDefined();
    expect(await next.renew()).toBe(false);
  });

  it('tells which worker holds which job claim, feed lease and account lease, until when, and forgets what ran out or was released', async () => {
    const { a, b, clock } = await twoWorkers();
    const [first, second] = await addJobs(a, 2);
    const claim = (await a.jobs.claim(first!.id, { leaseMs: 60_000 }))!;
    const feed = (await b.feeds.lease!('tech', { leaseMs: 120_000 }))!;
    const account = (await b.accounts.lock('xa', { leaseMs: 30_000 }))!;
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const expected = [
      { kind: 'account', id: 'xa', worker: 'host-b:5678', until: at(30_000) },
      { kind: 'feed', id: 'tech', worker: 'host-b:5678', until: at(120_000) },
      { kind: 'job', id: first!.id, worker: 'host-a:1234', until: at(60_000) },
    ];
    expect(await a.holders()).toEqual(expected);
    expect(await b.holders()).toEqual(expected);
    clock.advance(40_000);
    await feed.release();
    expect(await b.holders()).toEqual([expected[2]]);
    clock.advance(30_000);
    const other = (await b.jobs.claim(second!.id))!;
    expect((await a.holders()).map((h) => [h.id, h.worker])).toEqual([[second!.id, 'host-b:5678']]);
    await other.release();
    await claim.release();
    await account.release();
    expect(await a.holders()).toEqual([]);
  });

  it('commits a published target and its account count together: when counting fails, the target stays publishing', async () => {
    const { a, b, url } = await twoWorkers();
    const [job] = await addJobs(a, 1);
    const claim = (await a.jobs.claim(job!.id))!;
    await claim.publishing('xa');
    const schema = new URL(url).searchParams.get('schema')!;
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
      await admin.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${schema}".heraut_account_counters FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse()`);
      await expect(claim.published('xa', { id: 'p1', url: 'https://x.example/p1', at: new Date() }, { day: '2026-03-02', month: '2026-03', spentUsd: 0.01 })).rejects.toThrow(/disk full/);
      expect((await b.jobs.get(job!.id))!.targets.xa!.state).toBe('publishing');
      expect(await b.accounts.get('xa')).toEqual({ postsByDay: {}, spentByMonth: {} });
      await admin.query(`DROP TRIGGER refuse ON "${schema}".heraut_account_counters`);
    } finally {
      await admin.end();
    }
    await claim.published('xa', { id: 'p1', url: 'https://x.example/p1', at: new Date('2026-03-02T08:00:00.000Z') }, { day: '2026-03-02', month: '2026-03', spentUsd: 0.01 });
    expect(await b.accounts.get('xa')).toMatchObject({ postsByDay: { '2026-03-02': 1 }, spentByMonth: { '2026-03': 0.01 }, lastPostAt: '2026-03-02T08:00:00.000Z' });
    expect((await b.jobs.get(job!.id))!.targets.xa!.state).toBe('published');
    await claim.release();
  });

  it('shares sessions between workers, and keeps live and dry-run apart', async () => {
    const { a, b } = await twoWorkers(['live', 'dry-run']);
    await a.sessions.write('bluesky-bsky', '{"accessJwt":"a"}');
    expect(await b.sessions.read('bluesky-bsky')).toBe('{"accessJwt":"a"}');
    await addJobs(a, 2);
    await a.feeds.put('feed', { consecutiveFailures: 2, etag: '"v1"' });
    expect(await b.jobs.list()).toEqual([]);
    expect(await b.feeds.all()).toEqual({});
    expect(await b.history.hasSeenFeed('feed')).toBe(false);
    expect(await a.history.hasSeenFeed('feed')).toBe(true);
  });

  it('knows an article by key, by link in its feed, and by link in any feed with dedupe link; keeps failures with their reason', async () => {
    const { a, clock } = await twoWorkers();
    await a.history.record([
      { feedId: 'f1', key: 'k1', canonicalLink: 'https://example.org/1', outcome: 'baseline' },
      { feedId: 'f1', key: 'k2', canonicalLink: 'https://example.org/2', outcome: 'failed', reason: 'teaser-invalid: too long', link: 'https://example.org/2?utm=x' },
    ]);
    expect(await a.history.isKnown({ feedId: 'f1', key: 'k1', canonicalLink: '' }, 'feed')).toBe(true);
    expect(await a.history.isKnown({ feedId: 'f1', key: 'other', canonicalLink: 'https://example.org/1' }, 'feed')).toBe(true);
    expect(await a.history.isKnown({ feedId: 'f2', key: 'other', canonicalLink: 'https://example.org/1' }, 'feed')).toBe(false);
    expect(await a.history.isKnown({ feedId: 'f2', key: 'other', canonicalLink: 'https://example.org/1' }, 'link')).toBe(true);
    expect(await a.history.lookup({ feedId: 'f1', key: 'k1', canonicalLink: '' }, 'feed')).toEqual({ outcome: 'baseline', jobs: [] });
    expect(await a.history.failures()).toEqual([{ feedId: 'f1', key: 'k2', link: 'https://example.org/2?utm=x', reason: 'teaser-invalid: too long', at: clock.now().toISOString() }]);
    expect(await a.history.failures('f2')).toEqual([]);
  });

  it('compacts settled jobs past retention once across workers; the history still knows them', async () => {
    const { a, b, clock } = await twoWorkers();
    const [done, open] = await addJobs(a, 2);
    const claim = (await a.jobs.claim(done!.id))!;
    for (const { name } of accounts) await claim.skip(name);
    await claim.release();
    clock.advance(3_600_000);
    const counts = await Promise.all([a.jobs.compact(60_000, { minIntervalMs: 600_000 }), b.jobs.compact(60_000, { minIntervalMs: 600_000 })]);
    expect(counts.sort()).toEqual([0, 1]);
    expect((await b.jobs.list()).map((job) => job.id)).toEqual([open!.id]);
    expect(await b.history.isKnown({ feedId: 'feed', key: done!.articleKey, canonicalLink: done!.canonicalLink }, 'feed')).toBe(true);
    expect((await b.history.lookup({ feedId: 'feed', key: done!.articleKey, canonicalLink: '' }, 'feed'))?.jobs.map((job) => job.id)).toEqual([done!.id]);
  });
});
