import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { measureText } from '../../src/platforms/registry.js';
import { cliPath, isolatedEnv, repoRoot, runCli, runCliAt } from '../support/run-cli.js';
import { startXEmulator } from '../support/x-emulator.js';

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

    expect(first.stderr).toContain('"cycle done"');

    const second = await runCli(['--config', configFile, 'run', '--once']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('dry run');
    // Nothing new and nothing posted: a run from cron writes nothing, so cron mails nothing.
    expect(second.stderr).toBe('');
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
      expect(Object.keys(item).sort()).toEqual(['bluesky', 'feed', 'id', 'language', 'mastodon', 'title', 'url', 'x']);
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

/** A folder of its own for a test, with a dry-run configuration that reads the sample feed. */
function folder(name: string): string {
  const dir = path.join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const dryRunConfig = (extra = '') => `dryRun: true\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: sample, url: ${JSON.stringify(sampleFeed)}, schedule: "*/15 * * * *", firstRun: all, maxAge: "0" }\n${extra}`;

describe('where the configuration and the state live', () => {
  it('finds heraut.yaml, then config/heraut.yaml, in the current folder, and keeps the queue beside it', async () => {
    const here = folder('cwd-config');
    writeFileSync(path.join(here, 'heraut.yaml'), dryRunConfig());
    const run = await runCli(['run', '--once'], { cwd: here });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^── x \(x, dry run\)/gm) ?? []).toHaveLength(sampleItems);
    expect(existsSync(path.join(here, 'queue', 'dry-run'))).toBe(true);

    const nested = folder('cwd-nested');
    mkdirSync(path.join(nested, 'config'));
    writeFileSync(path.join(nested, 'config', 'heraut.yaml'), dryRunConfig());
    const status = await runCli(['status', '--json'], { cwd: nested });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).config).toBe(path.join(nested, 'config', 'heraut.yaml'));
  });

  it('then the user\'s config folder, with the queue in the user\'s state folder', async () => {
    const home = folder('xdg');
    const env = { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
    mkdirSync(path.join(home, 'config', 'heraut'), { recursive: true });
    writeFileSync(path.join(home, 'config', 'heraut', 'heraut.yaml'), dryRunConfig());
    const run = await runCli(['run', '--once'], { cwd: folder('xdg-cwd'), env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(path.join(home, 'config', 'heraut', 'heraut.yaml'));
    expect(existsSync(path.join(home, 'state', 'heraut', 'queue', 'dry-run'))).toBe(true);
  });

  it('two configurations in one folder never share a queue', async () => {
    const dir = folder('two-configs');
    writeFileSync(path.join(dir, 'news.yaml'), dryRunConfig());
    writeFileSync(path.join(dir, 'blog.yaml'), dryRunConfig());
    const news = await runCli(['--config', 'news.yaml', 'run', '--once'], { cwd: dir });
    const blog = await runCli(['--config', 'blog.yaml', 'run', '--once'], { cwd: dir });
    expect(news.code, news.stderr).toBe(0);
    expect(blog.code, blog.stderr).toBe(0);
    // The second configuration posts the same articles: its history is its own.
    expect(blog.stdout.match(/^── x \(x, dry run\)/gm) ?? []).toHaveLength(sampleItems);
    expect(readdirSync(dir).sort()).toEqual(['blog.yaml', 'news.yaml', 'queue-blog', 'queue-news']);
  });

  it('installed as a package with no configuration: the bundled example, loudly, in a dry run, with its state outside the package', async () => {
    const prefix = folder('installed');
    const pkg = path.join(prefix, 'lib', 'node_modules', 'heraut');
    mkdirSync(pkg, { recursive: true });
    cpSync(path.join(repoRoot, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    cpSync(path.join(repoRoot, 'config'), path.join(pkg, 'config'), { recursive: true });
    cpSync(path.join(repoRoot, 'package.json'), path.join(pkg, 'package.json'));
    // npm installs the dependencies beside it.
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pkg, 'node_modules'));
    const installedQueue = path.join(pkg, 'queue');
    const state = path.join(prefix, 'state');
    const result = await runCliAt(path.join(pkg, 'dist', 'cli', 'main.js'), ['run', '--once'], { cwd: folder('installed-cwd'), env: { XDG_STATE_HOME: state, XDG_CONFIG_HOME: path.join(prefix, 'config') } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/NO CONFIGURATION FOUND: using the bundled example, in a dry run.*heraut init/);
    expect(result.stdout).toContain('dry run');
    expect(readdirSync(pkg).sort()).toEqual(['config', 'dist', 'node_modules', 'package.json']);
    expect(existsSync(installedQueue)).toBe(false);
    expect(existsSync(path.join(state, 'heraut', 'example-queue', 'dry-run'))).toBe(true);
  });

  it('heraut init writes a starter configuration with its $schema line, and never overwrites one', async () => {
    const dir = folder('init');
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(path.join(dir, 'heraut.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${pathToFileURL(path.join(repoRoot, 'config', 'heraut.schema.json')).href}`);
    const check = await runCli(['check'], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/heraut\.yaml: configuration is valid \(1 feeds, 2 accounts, dry run\)/);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/heraut\.yaml: already exists; edit it, or run heraut init --force/);
    const elsewhere = await runCli(['init', 'sub.yaml'], { cwd: dir });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'sub.yaml'))).toBe(true);
  });
});

describe('exit codes and one-line messages', () => {
  it('run --once exits 1 while X answers 401 to every call, and says which account needs attention', async () => {
    const secrets = { appKey: 'ak-right', appSecret: 'as-right', accessToken: '1849273610000000001-at', accessSecret: 'xs-right' };
    const x = await startXEmulator(secrets);
    try {
      const dir = folder('x-401');
      writeFileSync(path.join(dir, 'heraut.yaml'), `accounts:\n  x: { platform: x, apiBaseUrl: ${JSON.stringify(x.url)}, appKey: "\${K}", appSecret: "\${S}", accessToken: "\${T}", accessSecret: "\${A}", timeout: 5s }\nfeeds:\n  - { id: sample, url: ${JSON.stringify(sampleFeed)}, schedule: "*/15 * * * *", firstRun: "latest:1", maxAge: "0" }\n`);
      const env = { K: secrets.appKey, S: 'as-wrong', T: secrets.accessToken, A: secrets.accessSecret };
      const result = await runCli(['run', '--once'], { cwd: dir, env });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/accounts need attention/);
      expect(result.stderr).not.toContain('as-wrong');
      expect(x.posts).toHaveLength(0);
    } finally {
      await x.close();
    }
  });

  it('a queue path through a file is one line naming the path and the fix', async () => {
    const dir = folder('enotdir');
    writeFileSync(path.join(dir, 'blocker'), 'not a folder');
    writeFileSync(path.join(dir, 'heraut.yaml'), dryRunConfig('queue: ./blocker/queue\n'));
    const result = await runCli(['run', '--once'], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('heraut:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/blocker.*part of this path is a file, not a folder \(ENOTDIR\); fix the path/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a YAML alias bomb names the file; an empty configuration is reported as having no feeds', async () => {
    const dir = folder('yaml');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    writeFileSync(path.join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    const bomb = await runCli(['--config', 'bomb.yaml', 'check'], { cwd: dir });
    expect(bomb.code).toBe(2);
    expect(bomb.stderr).toMatch(/^heraut: bomb\.yaml:1:1: cannot expand the YAML \(.*alias/m);
    writeFileSync(path.join(dir, 'empty.yaml'), '# nothing yet\n');
    const empty = await runCli(['--config', 'empty.yaml', 'check'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty\.yaml.*has no feeds/);
  });

  it('an error quotes only a short prefix of a long URL', async () => {
    const url = `http://127.0.0.1:9/${'a'.repeat(1800)}`;
    const result = await runCli(['preview', url]);
    expect(result.code).toBe(1);
    const line = result.stderr.trim().split('\n').find((l) => l.startsWith('heraut:'))!;
    expect(line).toContain('http://127.0.0.1:9/aaaa');
    expect(line.length).toBeLessThan(400);
  });

  it('logs are pretty when stderr is a terminal even if stdout is piped, and NO_COLOR turns colours off', async () => {
    const dir = folder('tty');
    writeFileSync(path.join(dir, 'heraut.yaml'), dryRunConfig());
    // script(1) gives the command a terminal; its stdout goes to a file.
    const command = `${process.execPath} ${cliPath} run --once > out.txt`;
    const colour = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, ...isolatedEnv, HERAUT_LOG_LEVEL: 'info', NO_COLOR: '' }, encoding: 'utf8', timeout: 30_000 });
    expect(colour.stdout).toMatch(/INFO.*cycle done/);
    expect(colour.stdout).not.toContain('{"level"');
    const sgr = /\x1b\[\d+m/;
    expect(colour.stdout).toMatch(sgr);
    expect(readFileSync(path.join(dir, 'out.txt'), 'utf8')).toContain('── x (x, dry run)');
    const plain = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, ...isolatedEnv, HERAUT_LOG_LEVEL: 'debug', NO_COLOR: '1' }, encoding: 'utf8', timeout: 30_000 });
    // Nothing new the second time: the cycle's summary is a debug line.
    expect(plain.stdout).toMatch(/DEBUG.*cycle done/);
    expect(plain.stdout).not.toMatch(sgr);
  });
});
