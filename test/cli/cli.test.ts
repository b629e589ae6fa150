import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { measureText } from '../../src/platforms/registry.js';
import { cliPath, repoRoot, runCli } from '../support/run-cli.js';

const sampleFeed = path.join(repoRoot, 'config/sample-feed.xml');
const work = mkdtempSync(path.join(tmpdir(), 'heraut-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let configFile: string;
let queueDir: string;
let counter = 0;

/** A copy of the bundled example with its own queue folder, so tests never touch the project's queue/. */
function exampleConfig(extra = ''): string {
  const dir = path.join(work, `case-${++counter}`);
  queueDir = path.join(dir, 'queue');
  const text = readFileSync(path.join(repoRoot, 'config/heraut.example.yaml'), 'utf8')
    .replace('queue: ../queue', `queue: ${JSON.stringify(queueDir)}`)
    .replace('url: sample-feed.xml', `url: ${JSON.stringify(sampleFeed)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(file, text + extra);
  return file;
}

const sampleItems = (readFileSync(sampleFeed, 'utf8').match(/<item>/g) ?? []).length;

describe('heraut run --once on the bundled example', () => {
  beforeEach(() => {
    configFile = exampleConfig();
  });

  it('prints a dry-run post per article and account, then posts nothing the second time', async () => {
    const first = await runCli(['--config', configFile, 'run', '--once']);
    expect(first.code, first.stderr).toBe(0);
    expect(sampleItems).toBeGreaterThanOrEqual(5);
    const xPosts = first.stdout.match(/^── x \(x, dry run\)/gm) ?? [];
    const blueskyPosts = first.stdout.match(/^── bluesky \(bluesky, dry run\)/gm) ?? [];
    expect(xPosts).toHaveLength(sampleItems);
    expect(blueskyPosts).toHaveLength(sampleItems);
    expect(first.stdout).toMatch(/length: \d+\/280 weighted · valid/);
    expect(first.stdout).toMatch(/length: \d+\/300 graphemes, \d+\/3000 bytes · valid/);
    expect(first.stdout).toMatch(/facet: bytes \d+-\d+ "#IA" tag → #IA/);
    expect(first.stdout).toContain('link → https://explainers.example/2025/02/john-schulman-quitte-anthropic');
    expect(first.stdout).not.toContain('TOO LONG');
    // Piped output gets no progress line.
    expect(first.stderr).not.toContain('\x1b[2K');
    // The seed's defect: apostrophes dropped. Ours keeps them.
    expect(first.stdout).toMatch(/d’OpenAI|l’IA/);
    expect(first.stdout).not.toMatch(/\bl IA\b|\bd OpenAI\b/);

    const second = await runCli(['--config', configFile, 'run', '--once']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('dry run');
  });

  it('--feed and --no-poll choose what one cycle does', async () => {
    const wrong = await runCli(['--config', configFile, 'run', '--once', '--feed', 'nope']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--feed: no feed with id "nope"; must be one of: explainers/);
    const deliverOnly = await runCli(['--config', configFile, 'run', '--once', '--no-poll']);
    expect(deliverOnly.code, deliverOnly.stderr).toBe(0);
    expect(deliverOnly.stdout).not.toContain('dry run');
    const one = await runCli(['--config', configFile, 'run', '--once', '--feed', 'explainers']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout.match(/^── x \(x, dry run\)/gm) ?? []).toHaveLength(sampleItems);
  });

  it('media: image on a feed attaches the article image to X posts', async () => {
    const withMedia = exampleConfig('    media: image\n');
    const result = await runCli(['--config', withMedia, 'run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    const images = result.stdout.match(/^   image: https:\/\/explainers\.example\/images\/\S+ \(alt text: .+\)$/gm) ?? [];
    // Two of the sample's items name an image (media:content and an enclosure).
    expect(images).toHaveLength(2);
  });

  it('uses the bundled example when there is no config, and says so', async () => {
    const result = await runCli(['status', '--json'], { env: { HERAUT_LOG_LEVEL: 'info' } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'dry-run', config: path.join(repoRoot, 'config/heraut.example.yaml') });
  });

  it('status reports what was posted per account', async () => {
    await runCli(['--config', configFile, 'run', '--once']);
    const status = await runCli(['--config', configFile, 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.accounts.x.published).toBe(sampleItems);
    expect(report.accounts.bluesky.published).toBe(sampleItems);
    expect(report.feeds.explainers.lastSuccessAt).toBeTruthy();
    expect(Date.parse(report.feeds.explainers.nextPoll)).toBeGreaterThan(Date.now() - 1000);
    expect(report.accounts.x.spentThisMonth).toBeCloseTo(0.2 * sampleItems, 5);
  });
});

describe('heraut preview', () => {
  it('--json gives a valid teaser per item, with facets that point at the link and the hashtags', async () => {
    const result = await runCli(['preview', sampleFeed, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(sampleItems);
    for (const item of lines) {
      expect(Object.keys(item).sort()).toEqual(['bluesky', 'feed', 'id', 'language', 'title', 'url', 'x']);
      expect(item.x.valid).toBe(true);
      expect(measureText('x', item.x.text)).toEqual({ weighted: item.x.weighted, limit: 280, valid: true });
      expect(item.x.text).toContain(item.url);
      expect(measureText('bluesky', item.bluesky.text)).toEqual({ graphemes: item.bluesky.graphemes, bytes: item.bluesky.bytes, limit: 300, valid: true });
      const bytes = Buffer.from(item.bluesky.text, 'utf8');
      const links = item.bluesky.facets.filter((f: any) => f.features[0].$type === 'app.bsky.richtext.facet#link');
      expect(links).toHaveLength(1);
      expect(links[0].features[0].uri).toBe(item.url);
      for (const facet of item.bluesky.facets) {
        const shown = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
        const feature = facet.features[0];
        if (feature.$type === 'app.bsky.richtext.facet#tag') expect(shown).toBe(`#${feature.tag}`);
        else expect(feature.uri.startsWith(shown.replace(/…$/, '').replace(/^(?!https?:)/, 'https://')) || shown === feature.uri).toBe(true);
      }
    }
    const english = lines.find((item) => item.language === 'en');
    expect(english, 'the sample has an English item').toBeTruthy();
    expect(english.bluesky.langs).toEqual(['en']);
    expect(lines.filter((item) => item.language === 'fr').length).toBeGreaterThanOrEqual(4);
  });

  it('--limit keeps the newest N', async () => {
    const result = await runCli(['preview', sampleFeed, '--json', '--limit', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('a missing feed file is a one-line error and exit 1', async () => {
    const result = await runCli(['preview', path.join(work, 'nope.xml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/feed preview .*nope\.xml/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('heraut post', () => {
  it('posts one article now, then refuses it unless --force', async () => {
    configFile = exampleConfig();
    const url = 'https://explainers.example/2025/02/john-schulman-quitte-anthropic?utm_source=x';
    const first = await runCli(['--config', configFile, 'post', url, '--to', 'bluesky']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('── bluesky (bluesky, dry run)');
    expect(first.stdout).not.toContain('── x (x, dry run)');
    expect(first.stdout).toMatch(/^bluesky: dry-run:\/\//m);
    const again = await runCli(['--config', configFile, 'post', url, '--to', 'bluesky']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already posted to bluesky.*--force/);
    const forced = await runCli(['--config', configFile, 'post', url, '--to', 'bluesky', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('── bluesky (bluesky, dry run)');
  });

  it('an unknown article is a clear error', async () => {
    configFile = exampleConfig();
    const result = await runCli(['--config', configFile, 'post', 'https://explainers.example/nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no configured feed has an item with URL or guid/);
  });
});

describe('usage and configuration errors', () => {
  it('a bad config exits 2 with file:line:col and no stack trace', async () => {
    const file = path.join(work, 'bad.yaml');
    writeFileSync(file, 'dryRun: true\nfeeds:\n  - id: a\n    url: a.xml\n    shedule: "* * * * *"\n');
    const result = await runCli(['--config', file, 'run', '--once']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5:5: feeds[0].shedule: unknown key; did you mean "schedule"?`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('check reports a valid config and exit 0', async () => {
    configFile = exampleConfig();
    const result = await runCli(['--config', configFile, 'check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/configuration is valid \(1 feeds, 2 accounts, dry run\)/);
  });

  it('--help and unknown commands', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'preview', 'post', 'status', 'check', 'schema']) expect(help.stdout).toContain(command);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });

  it('schema prints the JSON Schema that is committed in config/', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(path.join(repoRoot, 'config/heraut.schema.json'), 'utf8')));
  });
});

describe('heraut run as a service', () => {
  it('keeps running until SIGINT, then exits 0 promptly', async () => {
    configFile = exampleConfig();
    const child = spawn(process.execPath, [cliPath, '--config', configFile, 'run'], { env: { ...process.env, HERAUT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
      let sentAt = 0;
      child.on('close', (code) => resolve({ code, ms: Date.now() - sentAt }));
      const deadline = Date.now() + 20_000;
      const poll = setInterval(() => {
        if (stdout.split('dry run)').length - 1 >= 2 * sampleItems || Date.now() > deadline) {
          clearInterval(poll);
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      }, 50);
    });
    const { code, ms } = await exited;
    expect(code, stderr).toBe(0);
    expect(stdout.split('dry run)').length - 1).toBe(2 * sampleItems);
    expect(ms).toBeLessThan(10_000);
  });
});
