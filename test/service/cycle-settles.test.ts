import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log.js';
import { runCycle } from '../../src/service/run-cycle.js';
import { createRuntime } from '../../src/service/runtime.js';
import { startFeedServer } from '../support/feed-server.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-cycle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sample = readFileSync(path.resolve(import.meta.dirname, '../../config/sample-feed.xml'), 'utf8');

describe('one cycle', () => {
  it('a poll that throws fails alone: the other feeds are polled and delivered, and the cycle resolves', async () => {
    // The slow feed is still being read when the other one has already failed.
    const server = await startFeedServer({ '/slow.xml': (_request, response) => void setTimeout(() => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(sample), 800) });
    try {
      const file = path.join(work, 'heraut.yaml');
      writeFileSync(file, `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: broken, url: ./missing.xml }\n  - { id: slow, url: "${server.url}/slow.xml", firstRun: all, maxAge: "0" }\n`);
      const printed: string[] = [];
      const runtime = await createRuntime(loadConfig({ file }), { log: silentLogger(), write: (text) => void printed.push(text) });
      // The disk fills up just as the broken feed's failure is recorded.
      const save = runtime.stores.feeds.put.bind(runtime.stores.feeds);
      runtime.stores.feeds.put = async (feedId, state) => {
        if (feedId === 'broken') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return save(feedId, state);
      };
      try {
        const report = await runCycle(runtime);
        const byFeed = Object.fromEntries(report.polls.map((poll) => [poll.feedId, poll]));
        expect(byFeed.broken).toMatchObject({ status: 'failed', error: expect.stringContaining('ENOSPC') });
        expect(byFeed.slow).toMatchObject({ status: 'ok' });
        expect(byFeed.slow!.queued).toBeGreaterThan(0);
        expect(report.deliveries.filter((d) => d.state === 'published')).toHaveLength(byFeed.slow!.queued);
        expect(printed.join('')).toContain('── x (x, dry run)');
      } finally {
        await runtime.close();
      }
    } finally {
      await server.close();
    }
  });
});
