import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-cli.js';

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
  it('a run --once that polls and finds nothing new loads no parser, teaser code, platform client or metrics', () => {
    const sources = loadedBy('dist/cli/run.mjs');
    expect(sources).toContain('src/service/poll-feed.ts');
    const forbidden = /src\/feeds\/parse-feed|src\/teaser\/|src\/platforms\/[\w-]+\/([\w-]+-publisher|x-client|card-thumb|saved-session|download-image)|node_modules\/(@atproto|twitter-api-v2|twitter-text|htmlparser2|html-to-text|rss-parser|prom-client|sharp)\//;
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
