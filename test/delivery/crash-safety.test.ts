import type { ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/queue/open-stores.js';
import { makeJob } from '../queue/fixtures/queue-fixtures.js';
import { startChild } from '../queue/fixtures/start-child.js';

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

function start(script: string, args: string[]) {
  const started = startChild(script, args);
  children.add(started.child);
  return started;
}

const accounts = [
  { name: 'a', platform: 'bluesky' as const },
  { name: 'b', platform: 'bluesky' as const },
];

describe('crash safety', () => {
  it('publishes every job exactly once across random SIGKILLs, and the queue agrees', async () => {
    const stores = await openStores({ location: root, namespace: 'live' });
    const jobs = Array.from({ length: 20 }, (_, n) => makeJob('crash', n, accounts, new Date(Date.parse('2026-03-02T07:00:00.000Z') + n * 1000).toISOString()));
    for (const job of jobs) await stores.jobs.add(job);
    const platformFile = path.join(root, 'platform.log');
    const callsFile = path.join(root, 'calls.log');
    const args = [root, platformFile, callsFile];

    const started = performance.now();
    let kills = 0;
    for (let round = 0; round < 30 && kills < 8 && performance.now() - started < 60_000; round += 1) {
      const run = start('deliver-child.ts', args);
      await run.waitFor('ready');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 120));
      if (run.output().includes('done')) break;
      run.child.kill('SIGKILL');
      await run.exited;
      kills += 1;
    }
    const final = start('deliver-child.ts', args);
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
    const reopened = await openStores({ location: root, namespace: 'live' });
    for (const job of await reopened.jobs.list()) {
      for (const target of Object.values(job.targets)) {
        expect(target.state).toBe('published');
        expect(target.postId).toBe(`p${posts.indexOf(target.postKey)}`);
        expect(target.postKey).toBe(`crash-${jobs.findIndex((j) => j.id === job.id)}-${target.account}-key`);
      }
    }
    expect((await reopened.jobs.list()).length).toBe(20);
    // Opening cleaned the temp files the killed processes left behind.
    for (const folder of ['', 'jobs', 'locks', 'locks/accounts']) {
      expect((await fs.readdir(path.join(root, 'live', folder))).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    }
    expect(existsSync(path.join(root, 'live', 'locks', 'accounts'))).toBe(true);
  }, 180_000);
});
