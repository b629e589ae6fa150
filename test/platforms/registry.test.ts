import { execFileSync } from 'node:child_process';
import { XRPCError } from '@atproto/api';
import { describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { isHerautError, policyFor } from '../../src/errors.js';
import { registerSecret } from '../../src/log.js';
import { monthlyBudget, platformError, platformIds, platformSpec, postPrice } from '../../src/platforms/registry.js';

describe('platform registry', () => {
  it('names the platforms it knows when asked for another', () => {
    expect(() => platformSpec('mastodon-typo')).toThrow(/platform "mastodon-typo" is not supported; must be one of: x, bluesky/);
  });

  it('composes the config from the registered platforms: accounts and template keys', () => {
    const config = Config.parse({
      accounts: Object.fromEntries(platformIds.map((id) => [`a-${id}`, { platform: id }])),
      feeds: [{ id: 'f', url: 'feed.xml', writer: 'template', template: Object.fromEntries(platformIds.map((id) => [id, `{hook} ${id} {link}`])) }],
    });
    expect(Object.values(config.accounts).map((account) => account.platform)).toEqual(platformIds);
    expect(Config.safeParse({ accounts: { a: { platform: 'myspace' } } }).success).toBe(false);
    expect(Config.safeParse({ feeds: [{ id: 'f', url: 'u', template: { myspace: '{link}' } }] }).success).toBe(false);
  });

  it('loads no platform client to read the config, write teasers or map an error', () => {
    const script = `
      const { createRequire } = await import('node:module');
      const { loadConfig } = await import('./src/config/load-config.ts');
      const { fitTeaser } = await import('./src/teaser/fit-teaser.ts');
      const { platformSpec, platformIds } = await import('./src/platforms/registry.ts');
      for (const id of platformIds) platformSpec(id).mapError(new Error('x'), { account: 'a', action: 'post' });
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => /twitter-text|twitter-api-v2|@atproto/.test(file));
      process.stdout.write(JSON.stringify(loaded));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });

  it('prices posts and caps budgets only where the platform says so', () => {
    const config = Config.parse({ accounts: { x: { platform: 'x', budget: { monthly: 10 } }, b: { platform: 'bluesky' } } });
    expect(postPrice(config.accounts.x!)).toBe(0.2);
    expect(monthlyBudget(config.accounts.x!)).toBe(10);
    expect(postPrice(config.accounts.b!)).toBe(0);
    expect(monthlyBudget(config.accounts.b!)).toBeUndefined();
  });
});

describe('platformError', () => {
  const context = { account: 'main', action: 'post' };

  it.each(platformIds)('%s: an error the platform does not know is a bug, not an outage to retry', (id) => {
    const error = platformError(platformSpec(id), new TypeError("Cannot read properties of undefined (reading 'id')"), context);
    expect(isHerautError(error)).toBe(false);
    expect(policyFor(error)).toEqual({ action: 'fail', bug: true });
    expect(error.name).toBe('TypeError');
  });

  it('keeps what Bluesky reports for a network failure retryable', () => {
    const error = platformError(platformSpec('bluesky'), new XRPCError(1, 'Unknown', 'fetch failed'), context);
    expect(policyFor(error)).toEqual({ action: 'backoff' });
  });

  it('scrubs registered secrets and echoed credentials from message and details, and drops the cause', () => {
    registerSecret('app-password-1234');
    const echoed = new XRPCError(400, 'InvalidRequest', 'bad (Authorization: Bearer eyJhbGciOi.abc.def) password app-password-1234');
    const error = platformError(platformSpec('bluesky'), echoed, context);
    expect(isHerautError(error, 'platform-rejected')).toBe(true);
    expect(error.message).not.toContain('app-password-1234');
    expect(error.message).not.toContain('eyJhbGciOi');
    expect(error.message).toContain('[redacted]');
    expect(error.cause).toBeUndefined();
  });
});
