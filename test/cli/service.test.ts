import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, isolatedEnv, repoRoot, runCli } from '../support/run-cli.js';
import { startXEmulator } from '../support/x-emulator.js';

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
  const child = spawn(process.execPath, [cliPath, '--config', config, 'run'], { cwd: repoRoot, env: { ...process.env, ...isolatedEnv, HERAUT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    // Healthy once a cycle has polled within two schedule intervals: on a loaded machine a cycle can take longer than that.
    let healthy: Response | undefined;
    for (let i = 0; i < 40; i++) {
      healthy = await fetch(`${url}/healthz`);
      if (healthy.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(healthy!.status).toBe(200);
    expect(await healthy!.json()).toMatchObject({ ok: true, problems: [], holders: expect.any(Array) });
    // The queue says healthy as soon as a cycle saved its poll; the service counts it once that cycle has exited and reported.
    let metrics = '';
    for (let i = 0; i < 40 && !/heraut_feed_polls_total\{feed="good"/.test(metrics); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      metrics = await (await fetch(`${url}/metrics`)).text();
    }
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

describe('heraut run: configuration size, ports and signals', () => {
  it('hands its cycles a configuration of more than 128 KiB', async () => {
    const padding = `# ${'x'.repeat(98)}\n`.repeat(2_000);
    const config = writeConfig('large', `${padding}dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: good, url: ${JSON.stringify(sample)}, schedule: "0 0 1 1 *", firstRun: all, maxAge: "0" }\n`);
    expect(readFileSync(config).length).toBeGreaterThan(200_000);
    const service = startService(config);
    await service.waitFor(/── x \(x, dry run\)/, 30_000);
    service.signal('SIGTERM');
    const { code } = await service.exited;
    expect(code, service.stderr()).toBe(0);
    expect(service.stderr()).not.toMatch(/E2BIG|could not start a cycle/);
  }, 60_000);

  it('a health port in use is one line naming the port and the fix', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const config = writeConfig('port', `dryRun: true\nqueue: ./queue\nhealth: { port: ${port} }\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: good, url: ${JSON.stringify(sample)} }\n`);
      const service = startService(config);
      const { code } = await service.exited;
      expect(code).toBe(2);
      expect(service.stderr()).toContain(`heraut: health server: 127.0.0.1:${port} is already in use (EADDRINUSE); stop the other process or set health.port to a free port`);
      expect(service.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('SIGTERM during a post to X lets that post finish and starts no other', async () => {
    const secrets = { appKey: 'ak-sigterm', appSecret: 'as-sigterm', accessToken: '1849273610000000001-sigterm', accessSecret: 'xs-sigterm' };
    const x = await startXEmulator(secrets);
    // In front of the emulator: holds each post for a moment, so the signal lands while it is in flight.
    let posting: (() => void) | undefined;
    const postArrived = new Promise<void>((resolve) => (posting = resolve));
    const slow = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const isPost = request.method === 'POST' && request.url === '/2/tweets';
        if (isPost) posting?.();
        setTimeout(() => {
          const upstream = http.request(`${x.url}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          });
          upstream.end(Buffer.concat(chunks));
        }, isPost ? 1_500 : 0);
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}`;
    try {
      const config = writeConfig(
        'sigterm',
        `queue: ./queue\naccounts:\n  x: { platform: x, apiBaseUrl: ${JSON.stringify(slowUrl)}, appKey: "\${K}", appSecret: "\${S}", accessToken: "\${T}", accessSecret: "\${A}", pace: { minGap: "0" } }\nfeeds:\n  - { id: good, url: ${JSON.stringify(sample)}, firstRun: "latest:2", maxAge: "0" }\n`,
      );
      const env = { ...process.env, ...isolatedEnv, HERAUT_LOG_LEVEL: 'info', K: secrets.appKey, S: secrets.appSecret, T: secrets.accessToken, A: secrets.accessSecret };
      const child = spawn(process.execPath, [cliPath, '--config', config, 'run', '--once'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await postArrived;
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(killer);
      expect(code, stderr).toBe(0);
      expect(x.posts).toHaveLength(1);
      const status = await runCli(['--config', config, 'status', '--json'], { env: { K: secrets.appKey, S: secrets.appSecret, T: secrets.accessToken, A: secrets.accessSecret } });
      const account = JSON.parse(status.stdout).accounts.x;
      expect(account).toMatchObject({ published: 1, publishing: 0, pending: 1, failed: [] });
    } finally {
      slow.close();
      await x.close();
    }
  }, 60_000);
});
