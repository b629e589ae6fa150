import { HerautError } from '../../errors.js';
import type { XAccount } from './x-account.js';

export const X_CREDENTIAL_ENV = {
  appKey: 'X_APP_KEY',
  appSecret: 'X_APP_SECRET',
  accessToken: 'X_ACCESS_TOKEN',
  accessSecret: 'X_ACCESS_SECRET',
} as const;

export type XCredentialKey = keyof typeof X_CREDENTIAL_ENV;
export const xCredentialKeys = Object.keys(X_CREDENTIAL_ENV) as XCredentialKey[];

export type XCredentials = Record<XCredentialKey, string>;

/** The four OAuth 1.0a keys, or a platform-auth error naming the ones missing and the variables to export. */
export function xCredentials(name: string, account: XAccount): XCredentials {
  const missing = xCredentialKeys.filter((key) => !account[key]);
  if (missing.length > 0) {
    const verb = missing.length === 1 ? 'is' : 'are';
    const exports = missing.map((key) => X_CREDENTIAL_ENV[key]).join(', ');
    const settings = missing.map((key) => `${key}: \${${X_CREDENTIAL_ENV[key]}}`).join(', ');
    throw new HerautError(
      'platform-auth',
      `account ${name}: ${missing.join(', ')} ${verb} not set; export ${exports} (from the X developer portal, app "Keys and tokens") and set ${settings} under accounts.${name} in the config`,
      { details: { account: name, missing } },
    );
  }
  return { appKey: account.appKey!, appSecret: account.appSecret!, accessToken: account.accessToken!, accessSecret: account.accessSecret! };
}
