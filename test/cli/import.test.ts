import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveFeed, startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startMastodonEmulator, type MastodonEmulator } from '../support/mastodon-emulator.js';
import { runCli } from '../support/run-cli.js';

const token = 'mastodon-import-token-5Tq9zX';
const work = mkdtempSync(path.join(tmpdir(), 'heraut-import-'));
let feeds: FeedServer;
let mastodon: MastodonEmulator;
let dir: string;
let counter = 0;

/** Five explainers: three with a guid, two (b4, b5) known only by their link. */
function feed(): string {
  const item = (n: number, guid: boolean) => `<item>
  <title>Pourquoi le ciel est bleu, épisode ${n}</title>
  <link>https://explainers.example/articles/${guid ? 'a' : 'b'}${n}</link>
  ${guid ? `<guid isPermaLink="false">explainer-a${n}</guid>` : ''}
  <pubDate>${new Date(Date.UTC(2026, 10, 1, 8, n)).toUTCString()}</pubDate>
  <description>La lumière du soleil est diffusée par l’air, épisode ${n}. Le bleu l’est davantage que le rouge.</description>
</item>`;
  const items = [item(1, true), item(2, true), item(3, true), item(4, false), item(5, false)].reverse().join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Explainers</title><link>https://explainers.example/</link><description>test</description><language>fr</language>
${items}
</channel></rss>`;
}

function config(): string {
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(
    file,
    `dryRun: false
queue: ./queue
accounts:
  masto:
    platform: mastodon
    instance: ${mastodon.url}
    accessToken: \${MASTODON_ACCESS_TOKEN}
    visibility: unlisted
    pace: { minGap: "0" }
    timeout: 5s
feeds:
  - id: blog
    url: ${feeds.url}/feed.xml
    maxAge: "0"
`,
  );
  return file;
}

function heraut(args: string[]) {
  return runCli(['--config', path.join(dir, 'heraut.yaml'), ...args], { env: { MASTODON_ACCESS_TOKEN: token } });
}

const postedLinks = () => mastodon.statuses.map((status) => /https:\/\/explainers\.example\/articles\/\w+/.exec(status.text)?.[0]);

beforeAll(async () => {
  feeds = await startFeedServer({ '/feed.xml': serveFeed({ body: feed() }) });
});
afterAll(async () => {
  await feeds.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(async () => {
  await mastodon?.close();
  mastodon = await startMastodonEmulator({ accessToken: token });
  dir = path.join(work, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  config();
});

describe('heraut import', () => {
  it('feed2toot: the first run after switching posts only what feed2toot had not posted', async () => {
    const cache = path.join(dir, 'feed2toot.cache');
    writeFileSync(cache, 'explainer-a1\nexplainer-a2\nhttps://explainers.example/articles/b4\n\n');

    const preview = await heraut(['import', 'feed2toot', cache, '--feed', 'blog', '--dry-run']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('would record explainer-a1\nwould record explainer-a2\nwould record https://explainers.example/articles/b4\n');
    expect(preview.stdout).toContain('3 would be recorded as already posted for feed blog, 0 already known');

    const imported = await heraut(['import', 'feed2toot', cache, '--feed', 'blog']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('3 entries read');
    expect(imported.stdout).toContain('3 recorded as already posted for feed blog, 0 already known');

    const run = await heraut(['run', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(postedLinks().sort()).toEqual(['https://explainers.example/articles/a3', 'https://explainers.example/articles/b5']);
    expect(mastodon.statuses.every((status) => status.visibility === 'unlisted' && status.language === 'fr')).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(token);

    const again = await heraut(['import', 'feed2toot', cache, '--feed', 'blog']);
    expect(again.stdout).toContain('0 recorded as already posted for feed blog, 3 already known');
    await heraut(['run', '--once']);
    expect(mastodon.statuses).toHaveLength(2);
  }, 120_000);

  it('without an import, the first run records the feed and posts nothing (the firstRun baseline)', async () => {
    const run = await heraut(['run', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(mastodon.statuses).toHaveLength(0);
  });

  it('urls: links match whatever tracking parameters they carry; lines that are not URLs are reported', async () => {
    const list = path.join(dir, 'posted.txt');
    writeFileSync(
      list,
      ['# posted by my old bot', 'https://explainers.example/articles/a1?utm_source=mastodon', 'https://explainers.example/articles/a2', 'https://explainers.example/articles/b4#top', 'https://explainers.example/articles/b5', 'not a url'].join('\r\n'),
    );
    const imported = await heraut(['import', 'urls', list, '--feed', 'blog']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('4 recorded as already posted for feed blog');
    expect(imported.stdout).toContain('1 lines ignored (not http(s) URLs), first: not a url');

    const run = await heraut(['run', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(postedLinks()).toEqual(['https://explainers.example/articles/a3']);
  }, 60_000);

  it('refuses an unknown feed or a missing file with a message that says what to give', async () => {
    const list = path.join(dir, 'posted.txt');
    writeFileSync(list, 'https://explainers.example/articles/a1\n');
    const wrongFeed = await heraut(['import', 'urls', list, '--feed', 'nope']);
    expect(wrongFeed.code).toBe(2);
    expect(wrongFeed.stderr).toContain('no feed "nope" in the config; --feed must be one of: blog');
    const missing = await heraut(['import', 'feed2toot', path.join(dir, 'absent.cache'), '--feed', 'blog']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("give the path of the feed2toot cache (its config's cachefile)");
    const wrongSource = await heraut(['import', 'feediverse', list, '--feed', 'blog']);
    expect(wrongSource.code).toBe(2);
    expect(readFileSync(list, 'utf8')).toBe('https://explainers.example/articles/a1\n');
  }, 60_000);
});
