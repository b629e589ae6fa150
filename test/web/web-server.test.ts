import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../support/run-cli.js';
import { readJob, reviewQueue, startWeb, type WebProcess } from './web-kit.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-web-server-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A raw request, so that Host and Origin are exactly what a hostile client would send. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('heraut web without a browser', () => {
  let config: string;
  let web: WebProcess;
  let jobId: string;

  beforeAll(async () => {
    config = await reviewQueue(path.join(work, 'plain'));
    web = await startWeb(config);
    jobId = readJob(config, 'reseau-electrique').id;
  });
  afterAll(() => web?.stop());

  const approve = (headers: Record<string, string>) =>
    send(`${web.url}/api/jobs/${jobId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify({ account: 'x' }) });

  it('escapes what a feed sends and forbids inline scripts', async () => {
    const page = await send(`${web.url}/`, {});
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(page.body).toContain('&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;&lt;script&gt;');
    expect(page.body).not.toMatch(/<img src=x|<script>window/);
  });

  it('refuses a change from another origin, or with no origin at all', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'null' }, {}]) {
      const answer = await approve(headers);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).refusal).toMatch(/Origin does not match/);
    }
    expect(readJob(config, 'reseau-electrique').targets.x!.state).toBe('review');
    const own = await approve({ origin: web.url });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).job).toContain('data-state="review"');
    expect(readJob(config, 'reseau-electrique').targets.x!.state).toBe('pending');
  });

  it('answers only to loopback names when it listens on loopback (no DNS rebinding)', async () => {
    const port = new URL(web.url).port;
    const rebound = await send(`${web.url}/`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect((await send(`${web.url}/`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('Retry gives a failed post another go, and the health shows an account that needs attention', async () => {
    const dir = path.join(path.dirname(config), 'queue/dry-run');
    const job = readJob(config, 'batteries-sodium');
    const file = path.join(dir, 'jobs', `${job.id}.json`);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    stored.targets.x = { ...stored.targets.x, state: 'failed', attempts: 8, lastError: { code: 'platform-rejected', message: 'X said <b>no</b>', at: new Date().toISOString() } };
    writeFileSync(file, JSON.stringify(stored));
    writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify({ x: { attention: { code: 'platform-auth', message: 'X refused the credentials; check X_APP_KEY', at: new Date().toISOString() }, postsByDay: {}, spentByMonth: {} } }));
    const page = (await send(`${web.url}/`, {})).body;
    expect(page).toContain('Needs attention:</strong> X refused the credentials; check X_APP_KEY');
    expect(page).toContain('Last error: X said &lt;b&gt;no&lt;/b&gt;');
    const retried = await send(`${web.url}/api/jobs/${job.id}/retry`, { method: 'POST', headers: { origin: web.url, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ account: 'x' }) });
    expect(retried.status).toBe(200);
    expect(JSON.parse(readFileSync(file, 'utf8')).targets.x).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('says why an action cannot be done', async () => {
    const unknown = await send(`${web.url}/api/jobs/explainers-000000000000/skip`, { method: 'POST', headers: { origin: web.url, accept: 'application/json' }, body: 'account=x' });
    expect(unknown.status).toBe(404);
    const twice = await approve({ origin: web.url });
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body).refusal).toMatch(/x of job .* is pending; only a target in review can be changed this way/);
  });
});

describe('heraut web and its token', () => {
  it('refuses to serve beyond loopback without a token, with exit 2 and the reason', async () => {
    const config = await reviewQueue(path.join(work, 'open'));
    const result = await runCli(['--config', config, 'web', '--host', '0.0.0.0', '--port', '0'], { timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/review page on 0\.0\.0\.0 would be open to the network; set web: \{ token: \$\{HERAUT_WEB_TOKEN\} \}/);
  });

  it('with a token, every request but the static files needs it', async () => {
    const token = 'a-long-enough-test-token-1234';
    const config = await reviewQueue(path.join(work, 'token'), { extra: 'web:\n  token: ${HERAUT_WEB_TOKEN}\n', env: { HERAUT_WEB_TOKEN: token } });
    const web = await startWeb(config, [], { HERAUT_WEB_TOKEN: token });
    try {
      const jobId = readJob(config, 'batteries-sodium').id;
      expect((await send(`${web.url}/`, {})).status).toBe(401);
      expect((await send(`${web.url}/static/page.js`, {})).status).toBe(200);
      const url = `${web.url}/api/jobs/${jobId}/skip`;
      const body = JSON.stringify({ account: 'bluesky' });
      const headers = { origin: web.url, 'content-type': 'application/json', accept: 'application/json' };
      expect((await send(url, { method: 'POST', headers, body })).status).toBe(401);
      expect((await send(url, { method: 'POST', headers: { ...headers, authorization: 'Bearer wrong-token-wrong-token' }, body })).status).toBe(401);
      expect(readJob(config, 'batteries-sodium').targets.bluesky!.state).toBe('review');
      expect((await send(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body })).status).toBe(200);
      expect(readJob(config, 'batteries-sodium').targets.bluesky!.state).toBe('skipped');
      expect(web.stderr()).not.toContain(token);
    } finally {
      await web.stop();
    }
  });
});

describe('heraut run serves the page on its health port', () => {
  it('beside /healthz', async () => {
    const config = await reviewQueue(path.join(work, 'service'), { extra: 'health: { port: 0 }\n' });
    const child = spawn(process.execPath, [cliPath, '--config', config, 'run'], { cwd: repoRoot, env: { ...process.env, HERAUT_CONFIG: '', HERAUT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 15_000;
      let match: RegExpMatchArray | null = null;
      while (!match && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        match = stderr.match(/"url":"(http:\/\/127\.0\.0\.1:\d+)\/healthz"/u);
      }
      expect(match, stderr).not.toBeNull();
      const url = match![1]!;
      const page = await send(`${url}/`, {});
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/data-job-id="explainers-[0-9a-f]+" data-state="review"/);
      expect((await send(`${url}/healthz`, {})).status).toBe(200);
      const jobId = readJob(config, 'batteries-sodium').id;
      const skipped = await send(`${url}/api/jobs/${jobId}/skip`, { method: 'POST', headers: { origin: url }, body: 'account=x' });
      expect(skipped.status).toBe(303);
      expect(readJob(config, 'batteries-sodium').targets.x!.state).toBe('skipped');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
