import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/queue/queue.js';
import { makeJob } from './fixtures/queue-fixtures.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

let root: string;
const children = new Set<ChildProcess>();
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'heraut-procs-'));
});
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  await fs.rm(root, { recursive: true, force: true });
});

function startChild(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const waitFor = (text: string, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not print "${text}" in time: ${stderr}`)), timeoutMs);
      const check = () => {
        if (stdout.includes(text)) {
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`child exited before "${text}": ${stderr}`));
        } else setTimeout(check, 5);
      };
      check();
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, waitFor, exited, output: () => stdout };
}

const accounts = [
  { name: 'a', platform: 'bluesky' as const },
  { name: 'b', platform: 'bluesky' as const },
];

describe('two processes', () => {
  it('never publish the same job twice when they race for claims', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const jobs = Array.from({ length: 30 }, (_, n) => makeJob('race', n, [accounts[0]!], '2026-03-02T07:00:00.000Z'));
    for (const job of jobs) await queue.addJob(job);
    const out = path.join(root, 'published.log');
    const ids = jobs.map((job) => job.id);
    const racers = [startChild('claim-child.ts', [root, out, ...ids]), startChild('claim-child.ts', [root, out, ...ids])];
    await Promise.all(racers.map((racer) => racer.waitFor('ready')));
    for (const racer of racers) racer.child.stdin!.write('go\n');
    await Promise.all(racers.map((racer) => racer.waitFor('published')));
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
    const perJob = new Map<string, number>();
    for (const line of lines) perJob.set(line.split('\t')[0]!, (perJob.get(line.split('\t')[0]!) ?? 0) + 1);
    expect([...perJob.keys()].sort()).toEqual([...ids].sort());
    expect([...perJob.values()].every((count) => count === 1)).toBe(true);
    const byProcess = new Set(lines.map((line) => line.split('\t')[1]));
    console.log(`claim race: ${lines.length} jobs published by ${byProcess.size} process(es)`);
    for (const job of await queue.listJobs()) expect(job.targets.a!.state).toBe('published');
  });
});

describe('crash safety', () => {
  it('publishes every job exactly once across random SIGKILLs, and the queue agrees', async () => {
    const queue = await openQueue({ dir: root, namespace: 'live' });
    const jobs = Array.from({ length: 20 }, (_, n) => makeJob('crash', n, accounts, new Date(Date.parse('2026-03-02T07:00:00.000Z') + n * 1000).toISOString()));
    for (const job of jobs) await queue.addJob(job);
    const platformFile = path.join(root, 'platform.log');
    const callsFile = path.join(root, 'calls.log');
    const args = [root, platformFile, callsFile];

    const started = performance.now();
    let kills = 0;
    for (let round = 0; round < 30 && performance.now() - started < 14_000; round += 1) {
      const run = startChild('deliver-child.ts', args);
      await run.waitFor('ready');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 120));
      if (run.output().includes('done')) break;
      run.child.kill('SIGKILL');
      await run.exited;
      kills += 1;
    }
    const final = startChild('deliver-child.ts', args);
    await final.waitFor('done', 30_000);
    await final.exited;

    const posts = (await fs.readFile(platformFile, 'utf8')).trim().split('\n').map((line) => line.split('\t')[0]!);
    const calls = (await fs.readFile(callsFile, 'utf8')).trim().split('\n');
    const expected = jobs.flatMap((job) => Object.values(job.targets).map((target) => target.postKey));
    console.log(`crash test: ${kills} kills in ${Math.round(performance.now() - started)} ms; ${posts.length} posts, ${calls.length} platform calls`);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect([...posts].sort()).toEqual([...expected].sort());
    // Each kill can interrupt at most one call in flight; every extra call is that one being settled.
    expect(calls.length - expected.length).toBeLessThanOrEqual(kills);
    const reopened = await openQueue({ dir: root, namespace: 'live' });
    for (const job of await reopened.listJobs()) {
      for (const target of Object.values(job.targets)) {
        expect(target.state).toBe('published');
        expect(target.postId).toBe(`p${posts.indexOf(target.postKey)}`);
        expect(target.postKey).toBe(`crash-${jobs.findIndex((j) => j.id === job.id)}-${target.account}-key`);
      }
    }
    expect((await reopened.listJobs()).length).toBe(20);
    // Opening cleaned the temp files the killed processes left behind.
    for (const folder of ['', 'jobs', 'locks', 'locks/accounts']) {
      expect((await fs.readdir(path.join(root, 'live', folder))).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    }
    expect(existsSync(path.join(root, 'live', 'locks', 'accounts'))).toBe(true);
  }, 60_000);
});
