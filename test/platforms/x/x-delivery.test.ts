import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Config } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import type { Publisher } from '../../../src/platforms/platform.js';
import { createPublisher } from '../../../src/platforms/registry.js';
import { deliverJobs } from '../../../src/delivery/deliver-jobs.js';
import { openStores } from '../../../src/queue/open-stores.js';
import { startXEmulator, type XEmulator } from '../../support/x-emulator.js';
import { makeJob } from '../../queue/fixtures/queue-fixtures.js';
import { makeSecrets } from './x-test-kit.js';

let dir: string;
let emulator: XEmulator;
let publisher: Publisher;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'heraut-x-delivery-'));
});

afterEach(async () => {
  await publisher?.close?.();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

// Issue 10.17: `post --force` makes a new target (attempts 0) for a text X already has.
it('a new post whose text X already has fails as "X refused it as a duplicate", not as published without an id', async () => {
  const secrets = makeSecrets();
  emulator = await startXEmulator({ ...secrets });
  const config = Config.parse({ accounts: { xa: { platform: 'x', apiBaseUrl: emulator.url, ...secrets, pace: { minGap: '0' } } } });
  const stores = await openStores({ location: path.join(dir, 'queue'), namespace: 'live' });
  publisher = await createPublisher('xa', config.accounts.xa!, { log: silentLogger(), sessions: stores.sessions });
  const job = makeJob('feed', 1, [{ name: 'xa', platform: 'x' }], new Date().toISOString());
  await publisher.publish({ jobId: 'earlier', text: job.targets.xa!.teaser.text, langs: [], link: { url: job.article.link, title: '', description: '' }, postKey: 'k', media: 'none', attempt: 1 });

  await stores.jobs.add(job);
  const outcomes = await deliverJobs({ stores, publisher: async () => publisher, accounts: config.accounts, retry: config.retry, timezone: 'UTC', log: silentLogger() });

  expect(outcomes).toEqual([expect.objectContaining({ account: 'xa', state: 'failed', error: expect.stringContaining('X refused it as a duplicate') })]);
  expect(emulator.posts).toHaveLength(1);
});
