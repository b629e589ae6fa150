import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleConfigPath, findConfigFile, loadConfig, packageRoot, parseConfigText } from '../../src/config/load-config.js';
import { parseDuration } from '../../src/config/schema.js';
import { HerautError } from '../../src/errors.js';
import { scrubSecrets } from '../../src/log.js';

const file = path.join(tmpdir(), 'heraut-test.yaml');

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, file, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(HerautError);
    expect((error as HerautError).code).toBe('config-invalid');
    return (error as HerautError).message.split('\n');
  }
  throw new Error('expected the configuration to be rejected');
}

const feed = (extra = '') => `feeds:\n  - id: news\n    url: feed.xml\n${extra}`;

describe('bad configurations: one line each, with file:line:col, key, what and how', () => {
  const cases: Array<{ name: string; yaml: string; env?: NodeJS.ProcessEnv; line: number; col: number; mentions: string[] }> = [
    { name: 'misspelt key suggests the nearest', yaml: `dryRun: true\n${feed('    shedule: "*/5 * * * *"\n')}`, line: 5, col: 5, mentions: ['feeds[0].shedule', 'unknown key', 'did you mean "schedule"'] },
    { name: 'misspelt top-level key', yaml: `dryrun: true\n${feed()}`, line: 1, col: 1, mentions: ['dryrun', 'did you mean "dryRun"'] },
    { name: 'wrong type', yaml: `dryRun: "yes"\n${feed()}`, line: 1, col: 9, mentions: ['dryRun', 'must be boolean'] },
    { name: 'missing required key', yaml: 'dryRun: true\nfeeds:\n  - id: news\n', line: 3, col: 5, mentions: ['feeds[0].url', 'is required'] },
    { name: 'bad cron', yaml: `dryRun: true\n${feed('    schedule: "61 * * * *"\n')}`, line: 5, col: 15, mentions: ['feeds[0].schedule', 'not a valid cron expression'] },
    { name: 'bad firstRun', yaml: `dryRun: true\n${feed('    firstRun: newest\n')}`, line: 5, col: 15, mentions: ['feeds[0].firstRun', 'latest:N'] },
    { name: 'bad duration', yaml: `dryRun: true\n${feed('    maxAge: a week\n')}`, line: 5, col: 13, mentions: ['feeds[0].maxAge', 'duration'] },
    { name: 'unknown platform', yaml: 'dryRun: true\naccounts:\n  m:\n    platform: threads\nfeeds: []\n', line: 4, col: 15, mentions: ['accounts.m.platform', 'must be "x", "bluesky" or "mastodon"'] },
    { name: 'target names no account', yaml: `dryRun: true\naccounts:\n  x: { platform: x }\n${feed('    targets: [x, bsky]\n')}`, line: 7, col: 18, mentions: ['feeds[0].targets[1]', 'no account named "bsky"', 'x'] },
    { name: 'unset environment variable when live', yaml: `accounts:\n  x:\n    platform: x\n    appKey: \${HERAUT_T_KEY}\n    appSecret: s\n    accessToken: t\n    accessSecret: u\n${feed()}`, line: 4, col: 13, mentions: ['accounts.x.appKey', 'HERAUT_T_KEY is not set', 'export HERAUT_T_KEY'] },
    { name: 'missing credential when live', yaml: `accounts:\n  b:\n    platform: bluesky\n    identifier: me.example\n${feed()}`, line: 3, col: 5, mentions: ['accounts.b.password', 'is required to post for real'] },
    { name: 'duplicate feed ids', yaml: 'dryRun: true\nfeeds:\n  - { id: a, url: a.xml }\n  - { id: a, url: b.xml }\n', line: 4, col: 11, mentions: ['feeds[1].id', 'used twice'] },
    { name: 'invalid YAML', yaml: 'dryRun: true\nfeeds: [\n', line: 3, col: 1, mentions: ['invalid YAML'] },
    { name: 'invalid regex', yaml: `dryRun: true\n${feed('    include: ["(unclosed"]\n')}`, line: 5, col: 15, mentions: ['feeds[0].include[0]', 'regular expression'] },
    { name: 'catastrophic regex', yaml: `dryRun: true\n${feed('    exclude: ["(a+)+$"]\n')}`, line: 5, col: 15, mentions: ['feeds[0].exclude[0]', 'repetition inside a repetition', 'rewrite it'] },
    { name: 'timeout of 0', yaml: `dryRun: true\n${feed('    timeout: "0"\n')}`, line: 5, col: 14, mentions: ['feeds[0].timeout', 'more than 0', '"30s"'] },
    { name: 'timeout beyond a timer', yaml: `dryRun: true\n${feed('    timeout: 25d\n')}`, line: 5, col: 14, mentions: ['feeds[0].timeout', 'less than 24 days'] },
    { name: 'account timeout of 0 seconds', yaml: 'dryRun: true\naccounts:\n  b:\n    platform: bluesky\n    timeout: 0\nfeeds: []\n', line: 5, col: 14, mentions: ['accounts.b.timeout', 'more than 0'] },
    { name: 'jitter beyond a timer', yaml: `dryRun: true\n${feed('    jitter: 4w\n')}`, line: 5, col: 13, mentions: ['feeds[0].jitter', 'less than 24 days'] },
    { name: 'negative number as duration', yaml: `dryRun: true\n${feed('    maxAge: -1\n')}`, line: 5, col: 13, mentions: ['feeds[0].maxAge', 'duration'] },
    { name: 'seven-field cron', yaml: `dryRun: true\n${feed('    schedule: "0 0 */5 * * * 2024"\n')}`, line: 5, col: 15, mentions: ['feeds[0].schedule', 'has 7 fields', 'five fields', 'six with seconds first'] },
    { name: 'four-field cron', yaml: `dryRun: true\n${feed('    schedule: "* * * *"\n')}`, line: 5, col: 15, mentions: ['feeds[0].schedule', 'has 4 fields', 'five fields'] },
    { name: 'bad pace slot', yaml: 'dryRun: true\naccounts:\n  x:\n    platform: x\n    pace: { slots: ["0 25 * * *"] }\nfeeds: []\n', line: 5, col: 21, mentions: ['accounts.x.pace.slots[0]', 'not a valid cron expression'] },
    { name: 'bad time zone', yaml: `dryRun: true\ntimezone: Mars/Olympus\n${feed()}`, line: 2, col: 11, mentions: ['timezone', 'IANA'] },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const problems = problemsOf(testCase.yaml, testCase.env);
      const line = problems[0]!;
      expect(line.startsWith(`${file}:${testCase.line}:${testCase.col}: `), line).toBe(true);
      for (const mention of testCase.mentions) expect(line).toContain(mention);
      expect(line).not.toMatch(/\n|\s{2,}at /);
    });
  }

  it('reports every problem at once', () => {
    const problems = problemsOf(`dryRun: true\nfeeds:\n  - id: a\n    url: a.xml\n    shedule: x\n    firstRun: nope\n`);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('shedule');
    expect(problems.join('\n')).toContain('firstRun');
  });
});

describe('valid configurations', () => {
  it('fills defaults and interpolates ${VAR} from the environment', () => {
    const config = parseConfigText(
      `accounts:\n  x:\n    platform: x\n    appKey: \${K}\n    appSecret: \${S}\n    accessToken: \${T}\n    accessSecret: \${U}\n${feed()}`,
      file,
      { env: { K: 'key-1234', S: 'secret-5678', T: 'token-9012', U: 'tsecret-3456' } },
    );
    expect(config.dryRun).toBe(false);
    expect(config.accounts.x).toMatchObject({ platform: 'x', appKey: 'key-1234', apiBaseUrl: 'https://api.x.com' });
    expect(config.feeds[0]).toMatchObject({ schedule: '*/15 * * * *', firstRun: 'baseline', maxAge: '7d', writer: 'extractive' });
    // Interpolated credentials are known secrets: the logger scrubs them wherever they appear.
    expect(scrubSecrets('token=secret-5678')).toBe('token=[redacted]');
  });

  it('accepts durations written as numbers: 0 turns a delay off, other numbers are seconds', () => {
    const config = parseConfigText(
      `dryRun: true\naccounts:\n  b:\n    platform: bluesky\n    timeout: 45\n    pace: { minGap: 0 }\n${feed('    maxAge: 0\n    jitter: 0\n    timeout: 30\n')}`,
      file,
      { env: {} },
    );
    expect(config.feeds[0]).toMatchObject({ maxAge: 0, jitter: 0, timeout: 30 });
    expect(config.accounts.b).toMatchObject({ timeout: 45, pace: { minGap: 0 } });
    expect(parseDuration(config.feeds[0]!.timeout)).toBe(30_000);
    expect(parseDuration(config.feeds[0]!.maxAge)).toBe(0);
  });

  it('accepts five-field cron expressions and macros, and a harmless regex', () => {
    const config = parseConfigText(`dryRun: true\n${feed('    schedule: "0 9-18/3 * * mon-fri"\n    include: ["\\\\b(brexit|élection)s?\\\\b"]\n')}`, file, { env: {} });
    expect(config.feeds[0]!.schedule).toBe('0 9-18/3 * * mon-fri');
    expect(config.feeds[0]!.include).toEqual(['\\b(brexit|élection)s?\\b']);
    expect(parseConfigText(`dryRun: true\n${feed('    schedule: "@hourly"\n')}`, file, { env: {} }).feeds[0]!.schedule).toBe('@hourly');
    expect(parseConfigText(`dryRun: true\n${feed('    schedule: "*/30 * * * * *"\n')}`, file, { env: {} }).feeds[0]!.schedule).toBe('*/30 * * * * *');
  });

  it('in dry-run, unset credentials are allowed', () => {
    const config = parseConfigText(`dryRun: true\naccounts:\n  b:\n    platform: bluesky\n    identifier: \${NOT_SET_ID}\n    password: \${NOT_SET_PW}\n${feed()}`, file, { env: {} });
    expect(config.accounts.b).toMatchObject({ platform: 'bluesky' });
    expect((config.accounts.b as { password?: string }).password).toBeUndefined();
  });

  it('the bundled example is valid, dry-run, with both platforms', () => {
    const loaded = loadConfig({ file: exampleConfigPath, env: {} });
    expect(loaded.config.dryRun).toBe(true);
    expect(Object.values(loaded.config.accounts).map((a) => a.platform).sort()).toEqual(['bluesky', 'x']);
    expect(loaded.queueDir).toBe(path.join(packageRoot, 'queue'));
  });
});

describe('config lookup order', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'heraut-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('--config, then HERAUT_CONFIG, then the example', () => {
    const a = path.join(dir, 'a.yaml');
    writeFileSync(a, 'dryRun: true\n');
    expect(findConfigFile({ file: a, env: { HERAUT_CONFIG: '/nope.yaml' } })).toEqual({ file: a, source: 'option' });
    expect(findConfigFile({ env: { HERAUT_CONFIG: a } })).toEqual({ file: a, source: 'env' });
    const fallback = findConfigFile({ env: {} });
    expect(['default', 'example']).toContain(fallback.source);
  });
  it('a missing file is a config-not-found error that says how to fix it', () => {
    expect(() => loadConfig({ file: path.join(dir, 'missing.yaml') })).toThrow(/cannot read the configuration \(ENOENT\); check the --config path/);
  });
});
