// Benchmark 6: heraut against feed2toot (Debian's long-standing RSS-to-Mastodon bot), both in dry run, same local feed.
// First run: both record the feed's 5,000 items as seen without posting (heraut firstRun: baseline, feed2toot --populate-cache).
// Nothing new: both read the same feed again with that history (feed2toot --dry-run; heraut run --once), once with the
// server's ETag (heraut then gets a 304) and once without it, so that heraut parses everything as feed2toot does.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FeedServer } from '../support/feed-server.js';
import { serveFeed } from '../support/feed-server.js';
import { generateFeed } from './generate-feed.js';

interface Measure {
  ms: number;
  code: number | null;
  stderr: string;
}

export interface PeerContext {
  baseUrl: string;
  server: FeedServer;
  work: string;
  repeats: number;
  heraut(args: string[]): Promise<Measure>;
  runProcess(command: string, args: string[]): Promise<Measure>;
  median(values: number[]): number;
  report(name: string, value: string, target?: string, ok?: boolean): void;
  configFile(name: string, feedUrl: string, extra?: string): { file: string; queue: string };
}

function feed2tootConfig(dir: string, feedUrl: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'user.secret'), 'unused\n');
  writeFileSync(path.join(dir, 'client.secret'), 'unused\n');
  const file = path.join(dir, 'feed2toot.ini');
  writeFileSync(
    file,
    `[mastodon]\ninstance_url=http://127.0.0.1:9\nuser_credentials=${dir}/user.secret\nclient_credentials=${dir}/client.secret\ntoot_visibility=unlisted\n\n[cache]\ncachefile=${dir}/cache.db\ncache_limit=100000\n\n[lock]\nlock_file=${dir}/feed2toot.lock\n\n[rss]\nuri=${feedUrl}\ntoot={title} {link}\n`,
  );
  return file;
}

export async function runPeer(context: PeerContext): Promise<void> {
  const { server, repeats, median, report } = context;
  server.route('/peer-etag.xml', serveFeed({ body: generateFeed(5000), etag: '"peer"' }));
  server.route('/peer-plain.xml', serveFeed({ body: generateFeed(5000) }));
  const times = { herautFirst: [] as number[], peerFirst: [] as number[], herautAgain304: [] as number[], herautAgain: [] as number[], peerAgain: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    for (const [variant, feedPath] of [['etag', '/peer-etag.xml'], ['plain', '/peer-plain.xml']] as const) {
      const { file } = context.configFile(`peer-${variant}-${i}`, `${context.baseUrl}${feedPath}`, '    firstRun: baseline\n');
      const first = await context.heraut(['--config', file, 'run', '--once']);
      if (first.code !== 0) throw new Error(`heraut failed: ${first.stderr}`);
      const again = await context.heraut(['--config', file, 'run', '--once']);
      if (again.code !== 0) throw new Error(`heraut failed: ${again.stderr}`);
      if (variant === 'etag') {
        times.herautFirst.push(first.ms);
        times.herautAgain304.push(again.ms);
      } else times.herautAgain.push(again.ms);
    }
    const ini = feed2tootConfig(path.join(context.work, `feed2toot-${i}`), `${context.baseUrl}/peer-plain.xml`);
    const populate = await context.runProcess('feed2toot', ['-c', ini, '--populate-cache']);
    if (populate.code !== 0) throw new Error(`feed2toot failed: ${populate.stderr}`);
    times.peerFirst.push(populate.ms);
    const again = await context.runProcess('feed2toot', ['-c', ini, '--dry-run', '--limit', '100000']);
    if (again.code !== 0) throw new Error(`feed2toot failed: ${again.stderr}`);
    times.peerAgain.push(again.ms);
  }
  const m = Object.fromEntries(Object.entries(times).map(([key, values]) => [key, median(values)])) as Record<keyof typeof times, number>;
  const ratio = (peer: number, ours: number) => peer / ours;
  report('6. first run, 5,000 items recorded as seen: feed2toot / heraut', `${m.peerFirst.toFixed(0)} ms / ${m.herautFirst.toFixed(0)} ms = ${ratio(m.peerFirst, m.herautFirst).toFixed(1)}×`, '≥ 5×', ratio(m.peerFirst, m.herautFirst) >= 5);
  report('6. nothing new, feed re-parsed (no ETag): feed2toot / heraut', `${m.peerAgain.toFixed(0)} ms / ${m.herautAgain.toFixed(0)} ms = ${ratio(m.peerAgain, m.herautAgain).toFixed(1)}×`, '≥ 5×', ratio(m.peerAgain, m.herautAgain) >= 5);
  report('6. nothing new, heraut with conditional GET (304): feed2toot / heraut', `${m.peerAgain.toFixed(0)} ms / ${m.herautAgain304.toFixed(0)} ms = ${ratio(m.peerAgain, m.herautAgain304).toFixed(1)}×`, '≥ 5×', ratio(m.peerAgain, m.herautAgain304) >= 5);
}
