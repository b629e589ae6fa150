import { afterEach, beforeEach, expect, it } from 'vitest';
import { postgresOutbox } from '../../src/alerts/postgres-outbox.js';
import { createAlerts } from '../../src/alerts/alerts.js';
import type { AlertDestination } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { type AlertReceiver, startAlertReceiver } from '../support/alert-receiver.js';
import { describePostgres, testSchema, type TestSchema } from '../support/postgres.js';

let receiver: AlertReceiver;
let schema: TestSchema;
let clock: number;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  receiver = await startAlertReceiver();
  schema = testSchema();
  clock = Date.parse('2026-12-02T10:00:00Z');
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await receiver.close();
  await schema.drop();
});

/** One worker's alerts over the shared database outbox. */
function worker(destinations: AlertDestination[]) {
  const alerts = createAlerts({ destinations, outbox: postgresOutbox(schema.url), log: silentLogger(), now: () => clock, timeoutMs: 2_000 });
  closers.push(() => alerts.close());
  return alerts;
}

const crashed = (n: number) => ({ kind: 'feed-failing' as const, key: `feed-failing:blog:${n}`, subject: 'blog', message: 'feed blog failed 3 polls in a row: HTTP 503.', fix: 'Check the feed URL.' });

describePostgres('alert outbox in the queue database', () => {
  it('sends an event raised by three workers once, however they flush at the same moment', async () => {
    const destinations = [{ webhook: `${receiver.url}/hook` }];
    const workers = [worker(destinations), worker(destinations), worker(destinations)];
    for (const alerts of workers) for (const n of [1, 2, 3]) await alerts.raise(crashed(n));
    const results = await Promise.all(workers.map((alerts) => alerts.flush()));
    expect(results.reduce((sum, result) => sum + result.sent, 0)).toBe(3);
    expect(receiver.received.map((request) => JSON.parse(request.body).message)).toHaveLength(3);
    for (const alerts of workers) await alerts.raise(crashed(1));
    expect((await Promise.all(workers.map((alerts) => alerts.flush()))).map((result) => result.sent)).toEqual([0, 0, 0]);
    expect(receiver.received).toHaveLength(3);
  });

  it('retries a refused alert from any worker after its backoff, and alerts again once the condition was resolved', async () => {
    const destinations = [{ webhook: `${receiver.url}/hook` }];
    const [a, b] = [worker(destinations), worker(destinations)];
    receiver.answer(503);
    await a.raise(crashed(1));
    expect(await a.flush()).toEqual({ sent: 0, failed: 1 });
    expect(await b.flush()).toEqual({ sent: 0, failed: 0 });
    clock += 6 * 60_000;
    expect(await b.flush()).toEqual({ sent: 1, failed: 0 });
    expect(await a.flush()).toEqual({ sent: 0, failed: 0 });
    await b.resolve(crashed(1).key);
    await a.raise(crashed(1));
    expect(await b.flush()).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received).toHaveLength(3);
  });

  it('a worker that took due alerts and died leaves them to another after the sending lease', async () => {
    const destinations = [{ webhook: `${receiver.url}/hook` }];
    const outbox = postgresOutbox(schema.url);
    closers.push(() => outbox.close());
    const b = worker(destinations);
    await b.raise(crashed(1));
    expect(await outbox.due(clock)).toHaveLength(1);
    expect(await b.flush()).toEqual({ sent: 0, failed: 0 });
    clock += 11 * 60_000;
    expect(await b.flush()).toEqual({ sent: 1, failed: 0 });
  });
});
