import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigCached, type ConfigCacheOptions } from '../../src/config/config-cache.js';
import { loadConfig } from '../../src/config/load-config.js';
import { isHerautError } from '../../src/errors.js';
import { scrubSecrets } from '../../src/secrets.js';

const root = mkdtempSync(path.join(tmpdir(), 'heraut-config-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A configuration file and a cache folder of its own. */
function setup(text: string): { file: string; cacheDir: string; load: (env: NodeJS.ProcessEnv, extra?: Partial<ConfigCacheOptions>) => ReturnType<typeof loadConfigCached>; cacheText: () => string } {
  const dir = path.join(root, String(++count));
  const cacheDir = path.join(dir, 'cache');
  const file = path.join(dir, 'heraut.yaml');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  return {
    file,
    cacheDir,
    load: (env, extra = {}) => loadConfigCached({ file, env, cacheDir, buildId: 'test-build', ...extra }),
    cacheText: () => readdirSync(cacheDir).map((name) => readFileSync(path.join(cacheDir, name), 'utf8')).join('\n'),
  };
}

const dryRunFeed = (url: string) => `dryRun: true\naccounts:\n  x: { platform: x }\nfeeds:\n  - id: news\n    url: ${url}\n`;

/** What a cached load gave, against what validating the file again gives: they must be the same. */
function expectSameAsUncached(loaded: Awaited<ReturnType<typeof loadConfigCached>>, file: string, env: NodeJS.ProcessEnv): void {
  const fresh = loadConfig({ file, env });
  expect(loaded.config).toEqual(fresh.config);
  expect({ ...loaded, config: undefined }).toEqual({ ...fresh, config: undefined });
}

describe('the configuration cache', () => {
  it('gives back what was validated; a second start reads the cache', async () => {
    const { file, load, cacheDir } = setup(dryRunFeed('https://news.example.org/feed.xml'));
    const first = await load({});
    expectSameAsUncached(first, file, {});
    // Proof that the second load reads the cache: a value changed in the cache file (only) comes back.
    const [name] = readdirSync(cacheDir);
    const entry = JSON.parse(readFileSync(path.join(cacheDir, name!), 'utf8'));
    entry.config.feeds[0].url = 'https://changed-in-cache.example.org/feed.xml';
    writeFileSync(path.join(cacheDir, name!), JSON.stringify(entry));
    expect((await load({})).config.feeds[0]!.url).toBe('https://changed-in-cache.example.org/feed.xml');
  });

  it('sees an edited file at once', async () => {
    const { file, load } = setup(dryRunFeed('https://news.example.org/a.xml'));
    expect((await load({})).config.feeds[0]!.url).toBe('https://news.example.org/a.xml');
    writeFileSync(file, dryRunFeed('https://news.example.org/b.xml'));
    const second = await load({});
    expect(second.config.feeds[0]!.url).toBe('https://news.example.org/b.xml');
    expectSameAsUncached(second, file, {});
  });

  it('sees a changed ${VAR} at once, and reports one that became unset as validation does', async () => {
    const { file, load } = setup(dryRunFeed('${NEWS_FEED_URL}'));
    expect((await load({ NEWS_FEED_URL: 'https://news.example.org/a.xml' })).config.feeds[0]!.url).toBe('https://news.example.org/a.xml');
    const second = await load({ NEWS_FEED_URL: 'https://news.example.org/b.xml' });
    expect(second.config.feeds[0]!.url).toBe('https://news.example.org/b.xml');
    expectSameAsUncached(second, file, { NEWS_FEED_URL: 'https://news.example.org/b.xml' });
    await expect(load({})).rejects.toThrow(/feeds\[0\]\.url: environment variable NEWS_FEED_URL is not set/);
  });

  it('writes no secret: placeholders only, the values taken from the environment when read', async () => {
    const text = [
      'accounts:',
      '  x: { platform: x, appKey: "${CACHE_T_KEY}", appSecret: "${CACHE_T_SECRET}", accessToken: "${CACHE_T_TOKEN}", accessSecret: "pre-${CACHE_T_ASECRET}" }',
      'alerts:',
      '  - webhook: "${CACHE_T_WEBHOOK}"',
      'queue: "postgres://heraut:${CACHE_T_PGPASS}@127.0.0.1:5432/test"',
      'feeds:',
      '  - { id: news, url: "https://news.example.org/feed.xml" }',
      '',
    ].join('\n');
    const env = { CACHE_T_KEY: 'key-secret-1111', CACHE_T_SECRET: 'secret-secret-2222', CACHE_T_TOKEN: 'token-secret-3333', CACHE_T_ASECRET: 'asecret-4444', CACHE_T_WEBHOOK: 'https://hooks.example.org/hook-secret-5555', CACHE_T_PGPASS: 'pg-secret-6666' };
    const { file, load, cacheText } = setup(text);
    const first = await load(env);
    expect(first.queueUrl).toBe('postgres://heraut:pg-secret-6666@127.0.0.1:5432/test');
    const cached = cacheText();
    expect(cached).toContain('${CACHE_T_KEY}');
    for (const value of Object.values(env)) expect(cached).not.toContain(value.replace(/^https:\/\/hooks\.example\.org\//, ''));

    const rotated = { ...env, CACHE_T_KEY: 'key-rotated-7777', CACHE_T_PGPASS: 'pg-rotated-8888' };
    const second = await load(rotated);
    expect(second.config.accounts.x).toMatchObject({ appKey: 'key-rotated-7777', accessSecret: 'pre-asecret-4444' });
    expect(second.queueUrl).toBe('postgres://heraut:pg-rotated-8888@127.0.0.1:5432/test');
    expectSameAsUncached(second, file, rotated);
    // Kept out of logs as when the file is validated.
    expect(scrubSecrets('key-rotated-7777 pg-rotated-8888')).toBe('[redacted] [redacted]');
    expect(cacheText()).not.toMatch(/rotated/);

    // A secret the schema would refuse is refused, as validation does; so is one that became unset.
    await expect(load({ ...env, CACHE_T_WEBHOOK: 'not a url' })).rejects.toThrow(/alerts\[0\]\.webhook: must be an http/);
    await expect(load({ ...env, CACHE_T_KEY: '' })).rejects.toThrow(/accounts\.x\.appKey: environment variable CACHE_T_KEY is not set/);
  });

  it('caches nothing for a file that holds a secret itself', async () => {
    const { load, cacheDir } = setup('accounts:\n  b: { platform: bluesky, identifier: me.example, password: "written-in-the-file" }\nfeeds: []\n');
    expect((await load({})).config.accounts.b).toMatchObject({ password: 'written-in-the-file' });
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it('a dry run without credentials, then with them, is validated again', async () => {
    const text = 'dryRun: true\naccounts:\n  b: { platform: bluesky, identifier: me.example, password: "${CACHE_T_BSKY}" }\nfeeds: []\n';
    const { file, load } = setup(text);
    expect((await load({})).config.accounts.b).not.toHaveProperty('password');
    const second = await load({ CACHE_T_BSKY: 'bsky-secret-9999' });
    expect(second.config.accounts.b).toMatchObject({ password: 'bsky-secret-9999' });
    expectSameAsUncached(second, file, { CACHE_T_BSKY: 'bsky-secret-9999' });
  });

  it('an unreadable cache, another build or --dry-run: the file is validated', async () => {
    const { load, cacheDir } = setup(dryRunFeed('https://news.example.org/feed.xml'));
    await load({});
    const [name] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, name!), '{"format":1,"key":');
    expect((await load({})).config.feeds[0]!.url).toBe('https://news.example.org/feed.xml');
    writeFileSync(path.join(cacheDir, name!), JSON.stringify({ ...JSON.parse(readFileSync(path.join(cacheDir, name!), 'utf8')), variables: null }));
    expect((await load({})).config.feeds[0]!.url).toBe('https://news.example.org/feed.xml');
    expect((await load({}, { buildId: 'another-build' })).config.feeds[0]!.url).toBe('https://news.example.org/feed.xml');
    expect((await load({}, { dryRun: true })).config.dryRun).toBe(true);
  });

  it('without a build id (the sources, not a build), writes nothing', async () => {
    const { load, cacheDir } = setup(dryRunFeed('https://news.example.org/feed.xml'));
    await load({}, { buildId: undefined });
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it('reports a bad file as validation does, one line with file:line:col', async () => {
    const { file, load } = setup('dryRun: true\nfeeds:\n  - id: news\n    url: feed.xml\n    shedule: "* * * * *"\n');
    const error = await load({}).catch((caught: unknown) => caught);
    expect(isHerautError(error, 'config-invalid')).toBe(true);
    expect((error as Error).message).toBe(`${file}:5:5: feeds[0].shedule: unknown key; did you mean "schedule"? Known keys: ${(error as Error).message.split('Known keys: ')[1]}`);
  });
});
