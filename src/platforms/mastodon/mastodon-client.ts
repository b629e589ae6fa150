import { createRestAPIClient, type mastodon } from 'masto';
import type { MastodonAccount } from '../../config/schema.js';
import { HerautError } from '../../errors.js';

export type MastodonClient = mastodon.rest.Client;

/** The account's access token, or a platform-auth error saying how to make one. */
export function mastodonToken(name: string, account: MastodonAccount): string {
  if (account.accessToken) return account.accessToken;
  throw new HerautError(
    'platform-auth',
    `account ${name}: accessToken is not set; on ${account.instance} open Preferences > Development > New application with scopes write:statuses, write:media and read:accounts, export its token as MASTODON_ACCESS_TOKEN and set accessToken: \${MASTODON_ACCESS_TOKEN} under accounts.${name} in the config`,
    { details: { account: name, missing: ['accessToken'] } },
  );
}

export function createMastodonClient(name: string, account: MastodonAccount, timeoutMs: number): MastodonClient {
  return createRestAPIClient({ url: account.instance, accessToken: mastodonToken(name, account), timeout: timeoutMs, log: 'error' });
}
