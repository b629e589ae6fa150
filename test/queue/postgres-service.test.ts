import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { cliPath, isolatedEnv, repoRoot } from '../support/run-cli.js';
import { describePostgres, testDatabaseUrl, testSchema } from '../support/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `heraut run` on a PostgreSQL queue, with its health server on a free port. */
async function startService(): Promise<{ child: ChildProcess; output: () => string; waitFor(pattern: RegExp): Promise<RegExpMatchArray>; exited: Promise<number | null> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-pg-service-'));
  cleanups.push(() => fs.rm(root, { recursive: true, force: true }));
  const { url, drop } = testSchema();
  cleanups.push(drop);
  await fs.copyFile(path.join(repoRoot, 'config', 'sample-feed.xml'), path.join(root, 'sample-feed.xml'));
  const config = path.join(root, 'heraut.yaml');
  await fs.writeFile(config, `dryRun: true\nqueue: ${url}\nhealth: { port: 0 }\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: blog, url: ./sample-feed.xml, schedule: "0 0 1 1 *", firstRun: all, maxAge: "0" }\n`);
  const child = spawn(process.execPath, [cliPath, '--config', config, 'run'], { cwd: root, env: { ...process.env, ...isolatedEnv, HERAUT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(async () => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    output: () => output,
    async waitFor(pattern) {
      for (let waited = 0; waited < 20_000; waited += 50) {
        const match = output.match(pattern);
        if (match) return match;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${pattern}; output: ${output.slice(-2000)}`);
    },
    exited,
  };
}

/** The connections a process holds, by the application_name heraut gives them. */
async function connectionsOf(pid: number): Promise<number> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [`heraut ${os.hostname()}:${pid}`.slice(0, 63)]);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function readHealth(url: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const [health, metrics] = await Promise.all([fetch(`${url}/healthz`), fetch(`${url}/metrics`)]);
    expect((await health.json()) as unknown).toHaveProperty('ok');
    expect(await metrics.text()).toContain('heraut_queue_targets');
  }
}

describePostgres('heraut run on a PostgreSQL queue', () => {
  it('serves every /healthz and /metrics read from one pool, opened again on reload and closed on stop', async () => {
    const service = await startService();
    const [, url] = await service.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)\/healthz"/);
    const pid = service.child.pid!;
    await readHealth(url!, 3);
    const first = await connectionsOf(pid);
    expect(first).toBeGreaterThanOrEqual(1);
    await readHealth(url!, 30);
    const after = await connectionsOf(pid);
    expect(after).toBeLessThanOrEqual(Math.max(first, 4));

    service.child.kill('SIGHUP');
    await service.waitFor(/configuration reloaded/);
    await readHealth(url!, 10);
    // The previous configuration's pool is closed once its reads are done; bounded wait for the server to see it.
    let reloaded = await connectionsOf(pid);
    for (let i = 0; i < 40 && reloaded > 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reloaded = await connectionsOf(pid);
    }
    expect(reloaded).toBeLessThanOrEqual(4);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(await connectionsOf(pid)).toBe(0);
  }, 60_000);
});
