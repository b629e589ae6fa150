import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, startAlertReceiver } from '../support/alert-receiver.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator.js';

const secrets = { appKey: 'ak-right', appSecret: 'as-right', accessToken: '1849273610000000001-at', accessSecret: 'xs-right' };
const sampleFeed = path.join(repoRoot, 'config/sample-feed.xml');

let receiver: AlertReceiver;
let x: XEmulator;
let dir: string;

beforeEach(async () => {
  receiver = await startAlertReceiver();
  x = await startXEmulator(secrets);
  dir = mkdtempSync(path.join(tmpdir(), 'heraut-alerts-cli-'));
});
afterEach(async () => {
  await receiver.close();
  await x.close();
});

function writeConfig(feedUrl: string): void {
  writeFileSync(
    path.join(dir, 'heraut.yaml'),
    [
      'accounts:',
      `  x-main: { platform: x, apiBaseUrl: ${JSON.stringify(x.url)}, appKey: "\${K}", appSecret: "\${S}", accessToken: "\${T}", accessSecret: "\${A}", timeout: 5s }`,
      'feeds:',
      `  - { id: news, url: ${JSON.stringify(feedUrl)}, firstRun: "latest:1", maxAge: "0", timeout: 2s }`,
      'alerts:',
      `  - webhook: "\${HOOK}"`,
      '',
    ].join('\n'),
  );
}

describe('alerts from a real run', () => {
  it('bad X credentials produce one alert naming the account, however many cycles see them', async () => {
    writeConfig(sampleFeed);
    const env = { K: secrets.appKey, S: 'as-wrong', T: secrets.accessToken, A: secrets.accessSecret, HOOK: `${receiver.url}/hook` };
    for (let run = 0; run < 3; run++) {
      const result = await runCli(['run', '--once'], { cwd: dir, env, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(1);
    }
    expect(x.posts).toHaveLength(0);
    expect(receiver.received).toHaveLength(1);
    const alert = JSON.parse(receiver.received[0]!.body);
    expect(alert).toMatchObject({ event: 'account-attention', subject: 'x-main' });
    expect(alert.message).toContain('x-main');
    expect(receiver.received[0]!.body).not.toContain('as-wrong');
  });

  it('a feed that fails three polls in a row alerts once, and again only after it recovered and failed again', async () => {
    let up = false;
    const feeds: FeedServer = await startFeedServer({
      '/feed': (_request, response) => void (up ? response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(readFileSync(sampleFeed)) : response.writeHead(503).end('down')),
    });
    try {
      writeConfig(`${feeds.url}/feed`);
      const env = { K: secrets.appKey, S: secrets.appSecret, T: secrets.accessToken, A: secrets.accessSecret, HOOK: receiver.url };
      const stateFile = path.join(dir, 'queue', 'live', 'feeds.json');
      // Each failure backs the feed off; the test lets that time pass by clearing the date it waits for.
      const poll = async () => {
        await runCli(['run', '--once'], { cwd: dir, env, timeoutMs: 60_000 });
        const state = JSON.parse(readFileSync(stateFile, 'utf8'));
        for (const feed of Object.values(state) as Array<{ nextPollAt?: string }>) delete feed.nextPollAt;
        writeFileSync(stateFile, JSON.stringify(state));
      };
      await poll();
      await poll();
      expect(receiver.received).toHaveLength(0);
      await poll();
      await poll();
      expect(receiver.received.map((r) => JSON.parse(r.body).event)).toEqual(['feed-failing']);
      expect(JSON.parse(receiver.received[0]!.body).subject).toBe('news');
      up = true;
      await poll();
      up = false;
      for (let run = 0; run < 3; run++) await poll();
      expect(receiver.received.map((r) => JSON.parse(r.body).event)).toEqual(['feed-failing', 'feed-failing']);
    } finally {
      await feeds.close();
    }
  });
});
