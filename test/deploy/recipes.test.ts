import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/run-cli.js';

/** The deploy recipes in config/deploy, run as written as far as this machine allows (no Docker daemon, no systemd, no network). */
const work = mkdtempSync(path.join(tmpdir(), 'heraut-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const deploy = (name: string) => readFileSync(path.join(repoRoot, 'config/deploy', name), 'utf8');
const sampleFeed = path.join(repoRoot, 'config/sample-feed.xml');
const dryRunConfig = `dryRun: true\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: sample, url: ${JSON.stringify(sampleFeed)}, firstRun: all, maxAge: "0" }\n`;

function folder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file under dir, with its permission bits. */
function modes(dir: string): Array<{ file: string; mode: number }> {
  return (readdirSync(dir, { recursive: true }) as string[]).map((file) => ({ file, mode: statSync(path.join(dir, file)).mode & 0o777 }));
}

/** Runs a command line with a clean environment plus the recipe's variables, from the given folder. */
function run(argv: string[], env: Record<string, string>, cwd: string) {
  const [command, ...args] = argv;
  return spawnSync(command!, args, { cwd, env: { PATH: process.env.PATH!, HOME: cwd, HERAUT_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('package.json', () => {
  it('runs nothing at install time that needs a devDependency: npm ci --omit=dev in a clone works', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(scripts[hook], hook).toBeUndefined();
    expect(scripts.prepack).toBe('npm run build');
  });
});

describe('Dockerfile', () => {
  const dockerfile = deploy('Dockerfile');
  const instruction = (name: string) => [...dockerfile.matchAll(new RegExp(`^${name} (.+)$`, 'gm'))].map((m) => m[1]!);

  it('the image\'s entry point, run as written, keeps its state in the volume with files for its user alone', () => {
    const image = folder('image');
    const env: Record<string, string> = {};
    // The final stage's ENV, with the image's folders mapped to folders of this test.
    for (const [, name, value] of instruction('ENV').at(-1)!.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!.startsWith('/') ? path.join(image, value!) : value!;
    mkdirSync(path.join(env.XDG_CONFIG_HOME!, 'heraut'), { recursive: true });
    writeFileSync(path.join(env.XDG_CONFIG_HOME!, 'heraut', 'heraut.yaml'), dryRunConfig);
    const entrypoint = (JSON.parse(instruction('ENTRYPOINT').at(-1)!) as string[]).map((part) => part.replaceAll('/app/', `${repoRoot}/`));
    // `docker run heraut run --once` replaces CMD.
    const result = run([...entrypoint, 'run', '--once'], env, image);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('── x (x, dry run)');
    const queue = path.join(env.XDG_STATE_HOME!, 'heraut', 'queue');
    const files = modes(queue);
    expect(files.length).toBeGreaterThan(3);
    for (const { file, mode } of files) expect(mode & 0o077, `${file} is ${mode.toString(8)}`).toBe(0);
    expect(instruction('VOLUME').at(-1)).toContain('/state');
  });
});

describe('systemd unit', () => {
  const unit = deploy('heraut.service');
  const setting = (name: string) => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]!);

  it('passes systemd-analyze verify', () => {
    const probe = spawnSync('systemd-analyze', ['--version']);
    if (probe.error) return void console.warn('systemd-analyze is not installed: skipped');
    const file = path.join(folder('unit'), 'heraut.service');
    writeFileSync(file, unit);
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr.replace(/^.*(Failed to|cgroup|Cannot|not found on this system).*$/gm, '').trim()).toBe('');
  });

  it('its ExecStart, run as written with its environment and umask, finds /etc/heraut/heraut.yaml and keeps the queue in its StateDirectory', () => {
    const root = folder('systemd-root');
    const env: Record<string, string> = {};
    for (const line of setting('Environment')) for (const [, name, value] of line.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!.startsWith('/') ? path.join(root, value!) : value!;
    mkdirSync(path.join(env.XDG_CONFIG_HOME!, 'heraut'), { recursive: true });
    writeFileSync(path.join(env.XDG_CONFIG_HOME!, 'heraut', 'heraut.yaml'), dryRunConfig);
    const state = path.join(root, 'var/lib', setting('StateDirectory')[0]!);
    mkdirSync(state, { recursive: true });
    const exec = setting('ExecStart')[0]!.split(' ').map((part) => part.replace('/usr/local/lib/node_modules/heraut/', `${repoRoot}/`));
    const umask = setting('UMask')[0]!;
    const result = run(['/bin/sh', '-c', `umask ${umask} && exec "$@"`, 'unit', ...exec.slice(0, -1), 'run', '--once'], env, state);
    expect(result.status, result.stderr).toBe(0);
    const files = modes(path.join(state, 'queue'));
    expect(files.length).toBeGreaterThan(3);
    for (const { file, mode } of files) expect(mode & 0o077, `${file} is ${mode.toString(8)}`).toBe(0);
  });
});

describe('GitHub workflow', () => {
  interface Step { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; if?: string }
  const steps = (parse(deploy('github-workflow.yml')) as { jobs: { post: { steps: Step[] } } }).jobs.post.steps;

  /**
   * The workflow's steps as a script on a checkout of a fork (its committed files only), with the Actions cache as it
   * behaves: a key is written once, and a restore takes the exact key or else the newest entry whose key starts with a
   * restore-key. Installing needs the network: the checkout links the built package instead.
   */
  function runWorkflow(checkout: string, cache: Map<string, string>, runId: number, attempt: number): string {
    const expand = (text: string) => text.replaceAll('${{ github.run_id }}', String(runId)).replaceAll('${{ github.run_attempt }}', String(attempt)).replace(/\$\{\{ secrets\.\w+ \}\}/g, '');
    let output = '';
    for (const step of steps) {
      if (step.uses?.startsWith('actions/cache/restore')) {
        const key = expand(step.with!.key!);
        const hit = cache.get(key) ?? [...cache].filter(([k]) => k.startsWith(step.with!['restore-keys']!)).at(-1)?.[1];
        if (hit) cpSync(hit, path.join(checkout, step.with!.path!), { recursive: true });
      } else if (step.uses?.startsWith('actions/cache/save')) {
        const key = expand(step.with!.key!);
        if (cache.has(key)) continue;
        const saved = path.join(work, `cache-${cache.size}`);
        cpSync(path.join(checkout, step.with!.path!), saved, { recursive: true });
        cache.set(key, saved);
      } else if (step.run && !step.run.startsWith('npm ci')) {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, expand(value)]));
        const result = run(['/bin/bash', '-e', '-c', step.run], env, checkout);
        expect(result.status, result.stderr).toBe(0);
        output += result.stdout;
      }
    }
    return output;
  }

  function checkoutOfFork(name: string, items: number): string {
    const checkout = folder(name);
    rmSync(checkout, { recursive: true, force: true });
    mkdirSync(checkout);
    for (const linked of ['dist', 'node_modules', 'package.json']) symlinkSync(path.join(repoRoot, linked), path.join(checkout, linked));
    const feed = readFileSync(sampleFeed, 'utf8');
    const kept = feed.split('<item>').slice(0, items + 1).join('<item>');
    writeFileSync(path.join(checkout, 'feed.xml'), `${kept}${kept.includes('</channel>') ? '' : '</channel></rss>\n'}`);
    writeFileSync(path.join(checkout, 'heraut.yaml'), `dryRun: true\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: sample, url: feed.xml, firstRun: all, maxAge: "0" }\n`);
    return checkout;
  }

  it('a re-run keeps what it posted, and the next run posts nothing again', () => {
    const cache = new Map<string, string>();
    const posts = (text: string) => (text.match(/^── x \(x, dry run\)/gm) ?? []).length;
    expect(posts(runWorkflow(checkoutOfFork('run-1', 2), cache, 101, 1))).toBe(2);
    // A person re-runs the workflow after the feed got a third article.
    expect(posts(runWorkflow(checkoutOfFork('run-1-again', 3), cache, 101, 2))).toBe(1);
    expect(posts(runWorkflow(checkoutOfFork('run-2', 3), cache, 102, 1))).toBe(0);
  }, 120_000);

  it('reads no git-ignored file and puts no Bluesky session in the cache', () => {
    const text = deploy('github-workflow.yml');
    expect(text).not.toMatch(/config\/heraut\.yaml(?!\W*is git-ignored)/);
    const checkout = checkoutOfFork('sessions', 1);
    const cache = new Map<string, string>();
    // A live run would leave its session here.
    mkdirSync(path.join(checkout, 'queue', 'sessions'), { recursive: true });
    writeFileSync(path.join(checkout, 'queue', 'sessions', 'bluesky-main.json'), '{"accessJwt":"secret"}');
    runWorkflow(checkout, cache, 201, 1);
    const [saved] = [...cache.values()];
    expect(existsSync(path.join(saved!, 'dry-run'))).toBe(true);
    expect(existsSync(path.join(saved!, 'sessions'))).toBe(false);
  }, 60_000);
});
