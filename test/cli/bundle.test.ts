import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serveFeed, startFeedServer } from '../support/feed-server.js';
import { repoRoot, runCli } from '../support/run-cli.js';

interface Meta {
  outputs: Record<string, { imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }>;
}

/** dist/meta.json is esbuild's account of the bundle that globalSetup built: which sources each file holds and imports. */
const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Meta;

/** The sources a start of this file evaluates: its own and those of every file it imports statically, not the lazy ones. */
function loadedBy(file: string): string[] {
  const seen = new Set<string>();
  const stack = [file];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current) || !meta.outputs[current]) continue;
    seen.add(current);
    for (const imported of meta.outputs[current]!.imports) if (imported.kind !== 'dynamic-import') stack.push(imported.path.startsWith('./') ? path.join(path.dirname(current), imported.path) : imported.path);
  }
  return [...seen].flatMap((output) => Object.keys(meta.outputs[output]!.inputs));
}

describe('the bundle loads only what a command uses', () => {
  it('heraut --help reads one file: the argument parser and main.ts', () => {
    const sources = loadedBy('dist/cli/main.js');
    expect(sources.filter((source) => source.startsWith('src/'))).toEqual(['src/cli/main.ts']);
    expect(sources.every((source) => source.startsWith('src/') || source.includes('node_modules/commander/'))).toBe(true);
    expect(meta.outputs['dist/cli/main.js']!.imports.every((imported) => imported.kind === 'dynamic-import' || imported.path.startsWith('node:') || !imported.path.startsWith('.'))).toBe(true);
  });

  // The config's account schemas come from the platform specs, which load their clients only when a post is made.
  it('a run --once that polls and finds nothing new loads no parser, schema, teaser code, platform client or metrics', () => {
    const sources = loadedBy('dist/cli/run.mjs');
    expect(sources).toContain('src/service/poll-feed.ts');
    const forbidden = /node_modules\/(yaml|zod|cron-parser|luxon|node-cron|safe-regex2)\/|src\/config\/(load-config|schema)\.ts|src\/feeds\/parse-feed|src\/teaser\/|src\/platforms\/[\w-]+\/([\w-]+-publisher|x-client|card-thumb|saved-session|download-image)|node_modules\/(@atproto|twitter-api-v2|twitter-text|htmlparser2|html-to-text|rss-parser|prom-client|sharp)\//;
    expect(sources.filter((source) => forbidden.test(source))).toEqual([]);
  });
});

describe('the CLI\'s modules', () => {
  it('commands take their option types from cli/options.ts, never from main.ts, whose top level runs the CLI', () => {
    const dir = path.join(repoRoot, 'src/cli/commands');
    for (const file of readdirSync(dir)) expect(readFileSync(path.join(dir, file), 'utf8'), file).not.toMatch(/from '\.\.\/main\.js'/);
  });

  it('the parent/child cycle protocol lives in one module', () => {
    const sources = ['src/service/run-service.ts', 'src/cli/commands/run.ts'].map((file) => readFileSync(path.join(repoRoot, file), 'utf8'));
    for (const source of sources) {
      expect(source).toMatch(/from '[./]*service\/cycle-protocol\.js'|from '\.\/cycle-protocol\.js'/);
      expect(source).not.toMatch(/HERAUT_CYCLE|HERAUT_REPORT_FD|HERAUT_CONFIG_SNAPSHOT|writeSync\(|spawn\(/);
    }
  });
});

describe('a run --once answered 304, with the configuration cached', () => {
  it('loads no YAML parser, schema library, cron parser, undici or logger code: only what a poll and a delivery check need', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'heraut-bundle-304-'));
    const server = await startFeedServer({ '/feed.xml': serveFeed({ body: readFileSync(path.join(repoRoot, 'config/sample-feed.xml')), etag: '"v1"' }) });
    try {
      const file = path.join(dir, 'heraut.yaml');
      writeFileSync(file, `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\nfeeds:\n  - { id: news, url: "${server.url}/feed.xml", firstRun: baseline, maxAge: "0" }\n`);
      const env = { XDG_CACHE_HOME: path.join(dir, 'cache'), HERAUT_LOG_LEVEL: 'warn' };
      const first = await runCli(['--config', file, 'run', '--once'], { env });
      expect(first.code, first.stderr).toBe(0);
      const modules = path.join(dir, 'modules.txt');
      const report = { ...env, HERAUT_TEST_MODULES: modules, NODE_OPTIONS: `--import=${path.join(repoRoot, 'test/support/report-modules.mjs')}` };
      const second = await runCli(['--config', file, 'run', '--once'], { env: { ...report, HERAUT_TEST_MODULES_ESM: '1' } });
      expect(second.code, second.stderr).toBe(0);
      expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
      const chunks = readFileSync(modules, 'utf8')
        .split('\n')
        .filter((url) => url.startsWith('file:') && url.includes('/dist/cli/'))
        .map((url) => `dist/cli/${path.basename(fileURLToPath(url))}`);
      expect(chunks).toContain('dist/cli/run.mjs');
      const sources = chunks.flatMap((chunk) => Object.keys(meta.outputs[chunk]!.inputs));
      expect(sources).toContain('src/config/config-cache.ts');
      expect(sources.filter((source) => /node_modules\/(yaml|zod|cron-parser|luxon|node-cron|safe-regex2)\/|src\/config\/(load-config|schema)\.ts/.test(source))).toEqual([]);

      // Without the loader hook, whose thread would hide it: pino's code, which loads worker_threads, did not run either.
      const third = await runCli(['--config', file, 'run', '--once'], { env: report });
      expect(third.code, third.stderr).toBe(0);
      const builtins = readFileSync(modules, 'utf8').split('\n');
      expect(builtins).toContain('node:NativeModule http');
      // An http:// feed answered without a body needs neither TLS nor zlib (commander, in main.js, loads child_process).
      expect(builtins.filter((name) => /undici|NativeModule (https|tls|zlib|worker_threads)$/.test(name))).toEqual([]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
