import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPds, type Pds, type PdsAccount } from '../support/pds.js';
import { startMastodonEmulator, type MastodonEmulator } from '../support/mastodon-emulator.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator.js';
import { startFeedServer, serveFeed, type FeedServer } from '../support/feed-server.js';

export const mastodonToken = 'mastodon-token-Wk3v81';
export const xSecrets = { appKey: 'app-key-7Hq2', appSecret: 'app-secret-Zr81kLm', accessToken: 'access-token-99Xa', accessSecret: 'access-secret-Pq0sW' };

export interface LiveWorld {
  pds: Pds;
  account: PdsAccount;
  x: XEmulator;
  mastodon: MastodonEmulator;
  feeds: FeedServer;
  dir: string;
  env: NodeJS.ProcessEnv;
  secrets: string[];
  /** Writes a live config for the given feed path on the feed server and returns its file; `mastodon` adds a third account, `queue` replaces the folder ./queue (a postgres:// URL, say). */
  config(name: string, feedPath: string, extra?: string, options?: { mastodon?: boolean; queue?: string }): string;
  close(): Promise<void>;
}

/** A real PDS, the X emulator and a feed server on 127.0.0.1, and the environment a live heraut needs to reach them. */
export async function startLiveWorld(): Promise<LiveWorld> {
  const pds = await startPds();
  const account = await pds.createAccount(`herautlive${Date.now().toString(36)}.test`);
  const x = await startXEmulator({ ...xSecrets, rateLimit: { limit: 100_000, windowSeconds: 900 } });
  const mastodon = await startMastodonEmulator({ accessToken: mastodonToken, rateLimit: { limit: 100_000, windowSeconds: 300 } });
  const feeds = await startFeedServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'heraut-live-'));
  const env = {
    X_APP_KEY: xSecrets.appKey,
    X_APP_SECRET: xSecrets.appSecret,
    X_ACCESS_TOKEN: xSecrets.accessToken,
    X_ACCESS_SECRET: xSecrets.accessSecret,
    BLUESKY_IDENTIFIER: account.handle,
    BLUESKY_APP_PASSWORD: account.password,
    MASTODON_ACCESS_TOKEN: mastodonToken,
    HERAUT_LOG_LEVEL: 'info',
  };
  return {
    pds,
    account,
    x,
    mastodon,
    feeds,
    dir,
    env,
    secrets: [...Object.values(xSecrets), account.password, mastodonToken],
    config(name, feedPath, extra = '', options = {}) {
      const third = options.mastodon
        ? `  mastodon:
    platform: mastodon
    instance: ${mastodon.url}
    accessToken: \${MASTODON_ACCESS_TOKEN}
    pace: { minGap: "0" }
    timeout: 5s
`
        : '';
      const caseDir = path.join(dir, name);
      mkdirSync(caseDir, { recursive: true });
      const file = path.join(caseDir, 'heraut.yaml');
      writeFileSync(
        file,
        `dryRun: false
timezone: Europe/Paris
queue: ${options.queue ?? './queue'}
accounts:
  x:
    platform: x
    appKey: \${X_APP_KEY}
    appSecret: \${X_APP_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
    apiBaseUrl: ${x.url}
    pace: { minGap: "0" }
    timeout: 5s
  bluesky:
    platform: bluesky
    service: ${pds.url}
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
    pace: { minGap: "0" }
    timeout: 10s
${third}feeds:
  - id: news
    url: ${feeds.url}${feedPath}
    hashtags: [IA]
    firstRun: all
    maxAge: "0"
${extra}`,
      );
      return file;
    },
    async close() {
      await Promise.allSettled([feeds.close(), x.close(), mastodon.close(), pds.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { serveFeed };

/** An RSS feed of `count` short French explainers with accents, apostrophes and emoji, linking to /articles/<prefix>-<n>. */
export function explainerFeed(prefix: string, count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const n = count - i;
    return `<item>
  <title>L’IA et l’école ${prefix} n°${n} : ce qui change 🎓</title>
  <link>https://explainers.example/articles/${prefix}-${n}</link>
  <guid isPermaLink="false">${prefix}-${n}</guid>
  <pubDate>${new Date(Date.UTC(2026, 10, 1, 8, n)).toUTCString()}</pubDate>
  <category>Éducation</category>
  <description>Les établissements d’Europe révisent leurs règles sur l’intelligence artificielle, épisode ${n}. Un changement qui touche élèves et enseignants.</description>
</item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Explainers ${prefix}</title><link>https://explainers.example/</link><description>test</description><language>fr</language>
${items}
</channel></rss>`;
}
