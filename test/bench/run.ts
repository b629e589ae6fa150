// npm run bench: whole-process benchmarks of the built CLI, medians of repeated runs. Not part of npm test.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStores } from '../../src/queue/open-stores.js';
import { startFeedServer, serveFeed } from '../support/feed-server.js';
import { generateFeed } from './generate-feed.js';
import { benchStoreCycle } from './store-cycle-bench.js';
import { benchWorkers } from './workers-bench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli/main.js');
const usagePreload = path.join(root, 'test/bench/report-usage.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'heraut-bench-'));
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const only = process.argv.slice(2);
const databaseUrl = process.env.HERAUT_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Measure {
  ms: number;
  maxRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // The configuration cache goes in the benchmark's folder, not the user's.
    const child = spawn(command, args, { cwd: root, env: { ...process.env, HERAUT_LOG_LEVEL: 'warn', XDG_CACHE_HOME: path.join(work, 'cache'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const usage = /HERAUT_BENCH_USAGE (\{.*\})/.exec(stderr);
      const maxRssMb = usage ? JSON.parse(usage[1]!).maxRssKb / 1024 : NaN;
      resolve({ ms, maxRssMb, code, stdout, stderr });
    });
  });
}

/** Runs the installed `heraut` executable as a user would (its shebang's node flags included). */
function heraut(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measure> {
  return runProcess(cli, args, { NODE_OPTIONS: `--import=${usagePreload}`, ...env });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rows: Array<{ name: string; value: string; target?: string; ok?: boolean }> = [];
function report(name: string, value: string, target?: string, ok?: boolean): void {
  rows.push({ name, value, target, ok });
  console.log(`${name}: ${value}${target ? ` (target ${target}: ${ok ? 'met' : 'MISSED'})` : ''}`);
}

function configFile(name: string, feedUrl: string, extra = ''): { file: string; queue: string } {
  const dir = path.join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  // The generated feed is larger than the default 10 MB limit, as some real archives are.
  writeFileSync(file, `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\n  bluesky: { platform: bluesky }\nfeeds:\n  - id: bench\n    url: ${feedUrl}\n    maxAge: "0"\n    maxBytes: 33554432\n${extra}`);
  return { file, queue: path.join(dir, 'queue') };
}

const wants = (name: string) => only.length === 0 || only.includes(name);

async function main(): Promise<void> {
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const big = generateFeed(5000);
  const server = await startFeedServer({ '/big.xml': serveFeed({ body: big, etag: '"big-1"' }) });
  const bytesServed = () => server.requests.length;
  console.log(`heraut benchmarks — node ${process.version}, ${repeats} runs each, medians; feed ${(Buffer.byteLength(big) / 1e6).toFixed(1)} MB, 5,000 items`);
  try {
    if (wants('ingest')) {
      const first: Measure[] = [];
      const second: Measure[] = [];
      let requestsBefore = 0;
      for (let i = 0; i < repeats; i++) {
        const { file } = configFile(`ingest-${i}`, `${server.url}/big.xml`, '    firstRun: baseline\n');
        const a = await heraut(['--config', file, 'run', '--once']);
        if (a.code !== 0) throw new Error(`ingest run failed: ${a.stderr}`);
        first.push(a);
        requestsBefore = bytesServed();
        const b = await heraut(['--config', file, 'run', '--once']);
        if (b.code !== 0) throw new Error(`second run failed: ${b.stderr}`);
        second.push(b);
      }
      const last = server.requests.slice(requestsBefore);
      const conditional = last.length === 1 && last[0]!.headers['if-none-match'] === '"big-1"';
      const ingestMs = median(first.map((m) => m.ms));
      const ingestRss = median(first.map((m) => m.maxRssMb));
      report('1. ingest, first run (baseline), wall time', `${ingestMs.toFixed(0)} ms`, '< 1000 ms', ingestMs < 1000);
      report('1. ingest, first run (baseline), peak RSS', `${ingestRss.toFixed(0)} MB`, '< 200 MB', ingestRss < 200);
      report('2. unchanged feed, second run (304), wall time', `${median(second.map((m) => m.ms)).toFixed(0)} ms`);
      report('2. unchanged feed, second run: requests / body bytes read', `${last.length} conditional request${conditional ? ' (If-None-Match sent, 304)' : ''} / 0 bytes`);
    }

    if (wants('startup')) {
      // Start-up is measured as a ratio to a bare `node -e 0` run alongside, so a loaded or slower machine cancels out.
      const { file } = configFile('startup', `${server.url}/big.xml`, '    firstRun: baseline\n');
      const ingest = await heraut(['--config', file, 'run', '--once']);
      if (ingest.code !== 0) throw new Error(`startup ingest failed: ${ingest.stderr}`);
      const bare: number[] = [];
      const help: number[] = [];
      const unchanged: number[] = [];
      const preview: number[] = [];
      for (let i = 0; i < 3 * repeats + 2; i++) {
        bare.push((await runProcess(process.execPath, ['-e', '0'])).ms);
        help.push((await runProcess(cli, ['--help'])).ms);
        const once = await runProcess(cli, ['--config', file, 'run', '--once']);
        if (once.code !== 0) throw new Error(`run --once (304) failed: ${once.stderr}`);
        unchanged.push(once.ms);
        if (i < repeats + 2) {
          const p = await heraut(['preview', 'config/sample-feed.xml']);
          if (p.code !== 0) throw new Error(`preview failed: ${p.stderr}`);
          preview.push(p.ms);
        }
      }
      const bareMs = median(bare);
      const helpRatio = median(help) / bareMs;
      const onceRatio = median(unchanged) / bareMs;
      report('3. cold start, bare node -e 0', `${bareMs.toFixed(0)} ms`);
      report('3. cold start, heraut --help', `${median(help).toFixed(0)} ms = ${helpRatio.toFixed(2)}× node`, '≤ 1.3×', helpRatio <= 1.3);
      report('3. heraut run --once, unchanged 5,000-item feed (304)', `${median(unchanged).toFixed(0)} ms = ${onceRatio.toFixed(2)}× node`, '≤ 1.5×', onceRatio <= 1.5);
      report('3. cold start, heraut preview config/sample-feed.xml', `${median(preview).toFixed(0)} ms`);
    }

    if (wants('history')) {
      const feed100 = generateFeed(100);
      server.route('/hundred.xml', serveFeed({ body: feed100 }));
      const { file, queue: queueDir } = configFile('history', `${server.url}/hundred.xml`, '    firstRun: all\n');
      // 100,000 articles already in the history, as a long-running bot would have.
      const stores = await openStores({ location: queueDir, namespace: 'dry-run' });
      for (let batch = 0; batch < 100; batch++) {
        await stores.history.record(Array.from({ length: 1000 }, (_, i) => ({ feedId: 'bench', key: `old-${batch}-${i}`, canonicalLink: `https://news.example.org/old/${batch}/${i}`, outcome: 'queued' as const })));
      }
      const queueWork: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        const q = await openStores({ location: queueDir, namespace: 'dry-run' });
        await q.history.hasSeenFeed('bench');
        const opened = performance.now();
        const keys = Array.from({ length: 100 }, (_, k) => ({ feedId: 'bench', key: `probe-${i}-${k}`, canonicalLink: `https://news.example.org/probe/${i}/${k}`, outcome: 'skipped' as const }));
        if ((await q.history.unknownOf(keys, 'feed')).length !== keys.length) throw new Error('fresh probes were reported known');
        await q.history.record(keys);
        queueWork.push(performance.now() - opened);
        if (i === 0) report('4. 100,000-article history: opening the queue (once per process)', `${(opened - started).toFixed(0)} ms`);
      }
      const cycleMs = median(queueWork);
      report('4. 100,000-article history: queue work of a 100-item cycle (1 batch lookup + 1 batch write)', `${cycleMs.toFixed(1)} ms`, '< 50 ms', cycleMs < 50);
      const whole = await heraut(['--config', file, 'run', '--once']);
      if (whole.code !== 0) throw new Error(`history run failed: ${whole.stderr}`);
      report('4. 100,000-article history: whole run --once, 100 new items (dry run)', `${whole.ms.toFixed(0)} ms, ${whole.maxRssMb.toFixed(0)} MB`);
    }

    if (wants('soak')) {
      // Mostly 304s, as a real feed is between updates, and a new article every 50 polls.
      let polls = 0;
      let version = 0;
      let body = generateFeed(20);
      server.route('/soak.xml', (request, response) => {
        if (++polls % 50 === 0) body = generateFeed(20 + ++version);
        serveFeed({ body, etag: `"v${version}"` })(request, response);
      });
      const soak = await runProcess(process.execPath, ['--max-semi-space-size=4', '--expose-gc', path.join(root, 'test/bench/soak.mjs'), `${server.url}/soak.xml`, '2000']);
      if (soak.code !== 0) throw new Error(`soak failed: ${soak.stderr}`);
      const { rss } = JSON.parse(soak.stdout.trim().split('\n').pop()!) as { rss: Record<string, number> };
      const [at10, at1000, at2000] = [rss['10']!, rss['1000']!, rss['2000']!];
      const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
      const service = await serviceRss(server, Number(process.env.BENCH_SERVICE_POLLS ?? 1000));
      if (service) {
        report('5. heraut run (the service process), RSS after 10 polls', `${service.after10.toFixed(1)} MB`, '< 80 MB', service.after10 < 80);
        report('5. heraut run, RSS after the poll that posted a new article', `${service.afterPosting.toFixed(1)} MB`, '< 80 MB', service.afterPosting < 80);
        const growth = service.afterAll - service.after10;
        report(`5. heraut run, RSS after ${service.polls} polls (${service.seconds.toFixed(0)} s)`, `${service.afterAll.toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB since poll 10)`, 'no growth (< 5 MB)', growth < 5);
      }
      report('5b. the cycle code looped in one process (a leak check), RSS after 10 cycles', `${at10.toFixed(1)} MB`);
      report('5b. same, after 1,000 cycles', `${at1000.toFixed(1)} MB (${signed(at1000 - at10)} since cycle 10: warm-up)`);
      report('5b. same, after 2,000 cycles', `${at2000.toFixed(1)} MB (${signed(at2000 - at1000)} since cycle 1,000)`, 'no growth (< 5 MB)', at2000 - at1000 < 5);
    }

    if (wants('peer')) await comparePeer(server.url, server);
    if (wants('cycle')) await benchStoreCycle({ server, work, repeats, databaseUrl, heraut, median, report });
    if (wants('workers')) await benchWorkers({ server, work, cli, root, databaseUrl, median, report });
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\n| benchmark | result | target |\n| --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.name} | ${row.value} | ${row.target ? `${row.target}: ${row.ok ? 'met' : '**missed**'}` : ''} |`);
}

/**
 * Starts `heraut run` with three feeds polled every second and reads its RSS from /proc (Linux): after 10 polls, after
 * the poll that brought a new article, and after `total` polls. Mostly 304s, as real feeds are between updates.
 */
async function serviceRss(server: Awaited<ReturnType<typeof startFeedServer>>, total: number): Promise<{ after10: number; afterPosting: number; afterAll: number; polls: number; seconds: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  let polls = 0;
  let version = 0;
  let body = generateFeed(20);
  server.route('/service.xml', (request, response) => {
    polls++;
    if (polls === 15 || polls % 100 === 0) body = generateFeed(20 + ++version);
    serveFeed({ body, etag: `"v${version}"` })(request, response);
  });
  const feeds = ['a', 'b', 'c'].map((id) => `  - { id: ${id}, url: "${server.url}/service.xml", schedule: "* * * * * *", maxAge: "0", firstRun: all }`).join('\n');
  const dir = path.join(work, 'service');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(file, `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x, pace: { minGap: "0" } }\n  bluesky: { platform: bluesky }\nfeeds:\n${feeds}\n`);
  const started = performance.now();
  const child = spawn(cli, ['--config', file, 'run'], { cwd: root, env: { ...process.env, HERAUT_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
  const until = async (count: number) => {
    for (let i = 0; i < 20 * 60 * 10 && polls < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  try {
    await until(10);
    const after10 = rssMb();
    await until(25);
    const afterPosting = rssMb();
    await until(total);
    return { after10, afterPosting, afterAll: rssMb(), polls, seconds: (performance.now() - started) / 1000 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function comparePeer(baseUrl: string, server: Awaited<ReturnType<typeof startFeedServer>>): Promise<void> {
  const feed2toot = spawnSync('which', ['feed2toot']).stdout.toString().trim();
  if (!feed2toot) {
    report('6. feed2toot comparison', 'skipped: feed2toot is not installed (apt-get install feed2toot)');
    return;
  }
  const { runPeer } = await import('./peer.js');
  await runPeer({ baseUrl, server, work, repeats, heraut, runProcess, median, report, configFile });
}

await main();
