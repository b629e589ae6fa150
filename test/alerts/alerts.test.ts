import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileOutbox } from '../../src/alerts/alert-outbox.js';
import { createAlerts } from '../../src/alerts/alerts.js';
import { AlertDestination, Config } from '../../src/config/schema.js';
import { registerSecret, silentLogger } from '../../src/log.js';
import { type AlertReceiver, startAlertReceiver } from '../support/alert-receiver.js';

let receiver: AlertReceiver;
let dir: string;
let clock: number;

beforeEach(async () => {
  receiver = await startAlertReceiver();
  dir = mkdtempSync(path.join(os.tmpdir(), 'heraut-alerts-'));
  clock = Date.parse('2026-12-02T10:00:00Z');
});
afterEach(() => receiver.close());

function alertsTo(destinations: AlertDestination[]) {
  return createAlerts({ destinations, outbox: fileOutbox(dir), log: silentLogger(), now: () => clock, timeoutMs: 2_000 });
}

const attention = {
  kind: 'account-attention' as const,
  key: 'account-attention:x-main:1',
  subject: 'x-main',
  message: 'account x-main: X refused the credentials (401).',
  fix: 'Check X_ACCESS_TOKEN and X_ACCESS_SECRET, then run `heraut check --online`.',
};

describe('alerts', () => {
  it('sends an event once to a webhook as JSON, however often it is raised', async () => {
    const alerts = alertsTo([{ webhook: `${receiver.url}/hook` }]);
    await alerts.raise(attention);
    await alerts.raise(attention);
    expect(await alerts.flush()).toEqual({ sent: 1, failed: 0 });
    await alerts.raise(attention);
    expect(await alerts.flush()).toEqual({ sent: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body).toMatchObject({ event: 'account-attention', subject: 'x-main', fix: attention.fix });
    expect(receiver.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('posts plain text with a title and tags to ntfy, with its token', async () => {
    registerSecret('tk_ntfy_secret_123');
    const alerts = alertsTo([{ ntfy: `${receiver.url}/heraut-topic`, token: 'tk_ntfy_secret_123' }]);
    await alerts.raise({ kind: 'feed-failing', key: 'feed-failing:blog:1', subject: 'blog', message: 'feed blog failed 3 polls in a row: HTTP 503.', fix: 'Check that the feed URL still works.' });
    await alerts.flush();
    const [request] = receiver.received;
    expect(request!.path).toBe('/heraut-topic');
    expect(request!.headers.title).toBe('heraut: a feed keeps failing');
    expect(request!.headers.tags).toContain('rss');
    expect(request!.headers.authorization).toBe('Bearer tk_ntfy_secret_123');
    expect(request!.body).toBe('feed blog failed 3 polls in a row: HTTP 503. Check that the feed URL still works.');
  });

  it('never carries a secret, even one a platform echoed into the message', async () => {
    registerSecret('oauth-token-abcdef');
    const alerts = alertsTo([{ webhook: receiver.url }]);
    await alerts.raise({ ...attention, message: 'X said: bad token oauth-token-abcdef' });
    await alerts.flush();
    expect(receiver.received[0]!.body).not.toContain('oauth-token-abcdef');
    expect(receiver.received[0]!.body).toContain('[redacted]');
  });

  it('retries a refused alert with backoff, and sends it once when the destination recovers', async () => {
    receiver.answer(503);
    const alerts = alertsTo([{ webhook: receiver.url }]);
    await alerts.raise(attention);
    expect(await alerts.flush()).toEqual({ sent: 0, failed: 1 });
    expect(await alerts.flush()).toEqual({ sent: 0, failed: 0 });
    clock += 2 * 60_000;
    expect(await alerts.flush()).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received).toHaveLength(2);
  });

  it('sends each destination only the events it asked for', async () => {
    const alerts = alertsTo([{ webhook: `${receiver.url}/all` }, { webhook: `${receiver.url}/budget`, events: ['budget-reached'] }]);
    await alerts.raise(attention);
    await alerts.raise({ kind: 'budget-reached', key: 'budget-reached:x-main:2026-12', subject: 'x-main', message: 'account x-main spent its monthly budget of $10.', fix: 'Raise budget.monthly or wait for next month.' });
    await alerts.flush();
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/all', '/all', '/budget']);
  });

  it('a destination that cannot be reached never makes raise or flush throw', async () => {
    const closed = `${receiver.url}/`;
    await receiver.close();
    receiver = await startAlertReceiver();
    const alerts = alertsTo([{ webhook: closed }]);
    await alerts.raise(attention);
    expect(await alerts.flush()).toEqual({ sent: 0, failed: 1 });
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, '');
    const unwritable = createAlerts({ destinations: [{ webhook: receiver.url }], outbox: fileOutbox(path.join(notADir, 'outbox')), log: silentLogger() });
    await expect(unwritable.raise(attention)).resolves.toBeUndefined();
    expect(await unwritable.flush()).toEqual({ sent: 0, failed: 0 });
  });

  it('the config takes exactly one of webhook or ntfy per destination', () => {
    const result = Config.safeParse({ alerts: [{ webhook: 'https://hooks.example/a', ntfy: 'https://ntfy.sh/t' }] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('exactly one of webhook: or ntfy:');
    expect(Config.parse({ alerts: [{ ntfy: 'https://ntfy.sh/t', events: ['post-failed'] }] }).alerts).toHaveLength(1);
  });
});
