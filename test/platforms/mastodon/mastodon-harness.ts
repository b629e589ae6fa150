import { randomBytes } from 'node:crypto';
import { MastodonAccount } from '../../../src/platforms/mastodon/mastodon-account.js';
import { startMastodonEmulator, type MastodonEmulator } from '../../support/mastodon-emulator.js';
import type { HarnessAccount, PlatformHarness } from '../conformance/harness.js';

/** Mastodon: one emulator (one instance, one account) per account. */
export const mastodonHarness: PlatformHarness = {
  platform: 'mastodon',
  async start() {
    const emulators = new Map<HarnessAccount, { emulator: MastodonEmulator; token: string }>();
    const of = (account: HarnessAccount) => emulators.get(account)!;
    return {
      async account(options = {}) {
        const token = `tok${randomBytes(16).toString('hex')}`;
        const emulator = await startMastodonEmulator({ accessToken: token });
        const given = options.badCredentials ? `tok${randomBytes(16).toString('hex')}` : token;
        const created: HarnessAccount = { account: MastodonAccount.parse({ platform: 'mastodon', instance: emulator.url, accessToken: given, timeout: '3s' }), secrets: [given] };
        emulators.set(created, { emulator, token });
        return created;
      },
      failNextPost(account, fault) {
        const mode = ({ 'lose-answer': 'lose-response', '5xx': '500', '429': '429', 'echo-authorization': 'echo-authorization' } as const)[fault];
        of(account).emulator.failNext(mode, 1, 'POST /api/v1/statuses');
      },
      async posts(account) {
        return of(account).emulator.statuses.map((status) => status.text);
      },
      async acceptsText(account, text) {
        const { emulator, token } = of(account);
        const response = await fetch(`${emulator.url}/api/v1/statuses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ status: text }),
        });
        return response.ok;
      },
      async close() {
        await Promise.all([...emulators.values()].map(({ emulator }) => emulator.close()));
      },
    };
  },
};
