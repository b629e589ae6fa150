import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { openPostgresStores } from '../../src/queue/postgres/postgres-stores.js';
import { cliPath, isolatedEnv, repoRoot, runCli } from '../support/run-cli.js';
import { describePostgres, testDatabaseUrl, testSchema } from '../support/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `heraut run` on a PostgreSQL queue, with its health server on a free port. */
async function startService(): Promise<{ url: string; config: string; child: ChildProcess; output: () => string; waitFor(pattern: RegExp): Promise<RegExpMatchArray>; exited: Promise<number | null> }> {
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
    url,
    config,
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
  it('serves every /healthz and /metrics read from one pool, opened again on reload and closed on stop; health, metrics and status name who holds what', async () => {
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

    // Another worker (of a configuration with other feeds and accounts, so this service's cycles never take the same leases).
    const other = await openPostgresStores({ location: service.url, namespace: 'dry-run', worker: 'host-a:1234' });
    const feedLease = (await other.feeds.lease!('tech', { leaseMs: 600_000 }))!;
    const accountLease = (await other.accounts.lock('xa', { leaseMs: 600_000 }))!;
    const health = (await (await fetch(`${url}/healthz`)).json()) as { holders: Array<{ worker: string }> };
    // This service's own cycle may hold its feed or account meanwhile.
    expect(health.holders.filter((holding) => holding.worker === 'host-a:1234')).toEqual([
      { kind: 'account', id: 'xa', worker: 'host-a:1234', until: expect.any(String) },
      { kind: 'feed', id: 'tech', worker: 'host-a:1234', until: expect.any(String) },
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('heraut_leases_held{worker="host-a:1234",kind="feed"} 1');
    expect(metrics).toContain('heraut_leases_held{worker="host-a:1234",kind="account"} 1');
    const status = await runCli(['--config', service.config, 'status']);
    expect(status.stdout).toMatch(/^  feed tech: polled by host-a:1234 \(lease until \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(status.stdout).toMatch(/^  account xa: posting by host-a:1234 \(lease until /m);
    await feedLease.release();
    await accountLease.release();
    await other.close();
    const released = JSON.parse((await runCli(['--config', service.config, 'status', '--json'])).stdout) as { holders: Array<{ worker: string }> };
    expect(released.holders.filter((holding) => holding.worker === 'host-a:1234')).toEqual([]);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(await connectionsOf(pid)).toBe(0);
  }, 60_000);
});
