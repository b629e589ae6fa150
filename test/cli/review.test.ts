import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/run-cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-review-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sample = path.join(repoRoot, 'config/sample-feed.xml');

function reviewConfig(): string {
  const dir = path.join(work, 'review');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heraut.yaml');
  writeFileSync(file, `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\n  bluesky: { platform: bluesky }\nfeeds:\n  - id: explainers\n    url: ${JSON.stringify(sample)}\n    firstRun: all\n    maxAge: "0"\n    review: true\n`);
  return file;
}

const seedUrl = 'https://explainers.example/2025/02/john-schulman-quitte-anthropic';
const schoolsUrl = 'https://explainers.example/2026/11/schools-ai-tutors-homework-rules';
const energyUrl = 'https://explainers.example/2026/11/centres-de-donnees-electricite-reseau';

describe('review: new jobs wait for a person', () => {
  it('approve, skip and edit (checked against the limits) decide what is published', async () => {
    const config = reviewConfig();
    const first = await runCli(['--config', config, 'run', '--once']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain('dry run');
    let status = JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout);
    expect(status.accounts.x.review).toBe(5);
    expect(status.accounts.bluesky.review).toBe(5);

    // An edit that breaks X's limit is refused and changes nothing.
    const tooLong = await runCli(['--config', config, 'edit', seedUrl, '--to', 'x'], { env: { EDITOR: `node -e "const f=process.argv[1];require('fs').writeFileSync(f,'${'Très long. '.repeat(40)}'+require('fs').readFileSync(f,'utf8'))"` } });
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/\d+ weighted characters, X allows 280/);

    const edited = await runCli(['--config', config, 'edit', seedUrl], { env: { EDITOR: `node -e "require('fs').writeFileSync(process.argv[1],'À lire : John Schulman quitte Anthropic après cinq mois. #IA ${seedUrl}')"` } });
    expect(edited.code, edited.stderr).toBe(0);
    expect((await runCli(['--config', config, 'approve', seedUrl])).code).toBe(0);
    const skipped = await runCli(['--config', config, 'skip', schoolsUrl]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/x: skipped, bluesky: skipped/);
    expect((await runCli(['--config', config, 'approve', energyUrl, '--to', 'bluesky'])).code).toBe(0);

    const second = await runCli(['--config', config, 'run', '--once']);
    expect(second.code, second.stderr).toBe(0);
    const posts = second.stdout.split(/^── /m).filter(Boolean);
    expect(posts).toHaveLength(3);
    expect(posts.filter((post) => post.includes('À lire : John Schulman'))).toHaveLength(2);
    expect(second.stdout).not.toContain('Schools rewrite');
    expect(posts.filter((post) => post.includes('centres-de-donnees'))).toHaveLength(1);
    expect(posts.find((post) => post.includes('centres-de-donnees'))).toMatch(/^bluesky/);

    status = JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout);
    expect(status.accounts.x).toMatchObject({ published: 1, review: 3 });
    expect(status.accounts.bluesky).toMatchObject({ published: 2, review: 2 });
    const job = JSON.parse(readFileSync(path.join(path.dirname(config), 'queue/dry-run/jobs', readdirJob(config, seedUrl)), 'utf8'));
    expect(job.targets.x.teaser.edited).toBe(true);
  });

  it('an unknown job is a clear error', async () => {
    const result = await runCli(['--config', reviewConfig(), 'approve', 'https://explainers.example/nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no job matches .*heraut status/);
  });
});

function readdirJob(config: string, link: string): string {
  const dir = path.join(path.dirname(config), 'queue/dry-run/jobs');
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.json') && readFileSync(path.join(dir, file), 'utf8').includes(`"link": "${link}"`)) return file;
  }
  throw new Error(`no job file for ${link}`);
}
