import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../support/run-cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-service-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Service {
  stderr(): string;
  stdout(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  signal(name: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; at: number }>;
}

function startService(config: string): Service {
  const child = spawn(process.execPath, [cliPath, '--config', config, 'run'], { cwd: repoRoot, env: { ...process.env, HERAUT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, at: Date.now() });
    }),
  );
  return {
    stderr: () => stderr,
    stdout: () => stdout,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = (stderr + stdout).match(pattern);
        if (match) return match;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${pattern}; stderr: ${stderr.slice(-2000)}`);
    },
    signal: (name) => child.kill(name),
    exited,
  };
}

function writeConfig(name: string, body: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(file, body);
  return file;
}

const sample = path.join(repoRoot, 'config/sample-feed.xml');

describe('heraut run: health, metrics, reload and shutdown', () => {
  it('serves /healthz and /metrics, reports a failing feed, reloads on SIGHUP and stops on SIGTERM', async () => {
    const config = writeConfig(
      'health',
      `dryRun: true\nqueue: ./queue\nhealth: { port: 0 }\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: good, url: ${JSON.stringify(sample)}, schedule: "* * * * * *", firstRun: all, maxAge: "0" }\n`,
    );
    const service = startService(config);
    const [, url] = await service.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)\/healthz"/);
    await service.waitFor(/cycle|published/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const healthy = await fetch(`${url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ ok: true, problems: [] });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/heraut_feed_polls_total\{feed="good",status="(ok|not-modified)"\} \d+/);
    expect(metrics).toMatch(/heraut_posts_published_total\{account="x"\} 5/);
    expect(metrics).toMatch(/heraut_queue_targets\{state="published"\} 5/);
    expect(metrics).toMatch(/heraut_feed_poll_duration_seconds_count\{feed="good"\} \d+/);

    // A new configuration with a feed that cannot be read: reloaded on SIGHUP, then reported unhealthy.
    writeFileSync(config, `dryRun: true\nqueue: ./queue\nhealth: { port: 0 }\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: good, url: ${JSON.stringify(sample)}, schedule: "* * * * * *" }\n  - { id: broken, url: ./missing.xml, schedule: "* * * * * *" }\n`);
    service.signal('SIGHUP');
    await service.waitFor(/configuration reloaded/);
    await service.waitFor(/"feed":"broken".*feed poll failed/);
    let unhealthy: Response | undefined;
    for (let i = 0; i < 40; i++) {
      unhealthy = await fetch(`${url}/healthz`);
      if (unhealthy.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(unhealthy!.status).toBe(503);
    const body = await unhealthy!.json();
    expect(body.ok).toBe(false);
    expect(body.problems.join('\n')).toMatch(/feed broken: no successful poll/);

    // An invalid configuration is reported and the old one kept: the cycles go on polling with it.
    writeFileSync(config, 'dryRun: maybe\n');
    service.signal('SIGHUP');
    await service.waitFor(/new configuration is invalid; keeping the old one/);
    const pollsOfGood = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return [...text.matchAll(/heraut_feed_polls_total\{feed="good",status="[^"]+"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await pollsOfGood();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await pollsOfGood()).toBeGreaterThan(before);

    const sentAt = Date.now();
    service.signal('SIGTERM');
    const { code, at } = await service.exited;
    expect(code, service.stderr()).toBe(0);
    expect(at - sentAt).toBeLessThan(10_000);
  }, 60_000);
});
