import { XAccount } from '../../../src/platforms/x/x-account.js';
import { createXClient } from '../../../src/platforms/x/x-client.js';
import { startXEmulator, type XEmulator } from '../../support/x-emulator.js';
import type { HarnessAccount, PlatformHarness } from '../conformance/harness.js';
import { makeSecrets } from './x-test-kit.js';

/** X: one emulator per account, since X's credentials are the emulator's. */
export const xHarness: PlatformHarness = {
  platform: 'x',
  async start() {
    const emulators = new Map<HarnessAccount, XEmulator>();
    const emulatorOf = (account: HarnessAccount) => emulators.get(account)!;
    return {
      async account(options = {}) {
        const secrets = makeSecrets();
        const emulator = await startXEmulator({ ...secrets });
        const given = options.badCredentials ? { ...secrets, accessSecret: makeSecrets().accessSecret } : secrets;
        const account = XAccount.parse({ platform: 'x', apiBaseUrl: emulator.url, timeout: '3s', ...given });
        const created: HarnessAccount = { account, secrets: Object.values(given) };
        emulators.set(created, emulator);
        return created;
      },
      failNextPost(account, fault) {
        const mode = ({ 'lose-answer': 'lose-response', '5xx': '500', '429': '429', 'echo-authorization': 'echo-authorization' } as const)[fault];
        emulatorOf(account).failNext(mode);
      },
      async posts(account) {
        return emulatorOf(account).posts.map((post) => post.text);
      },
      async acceptsText(account, text) {
        const emulator = emulatorOf(account);
        const x = createXClient({ credentials: makeCredentials(account), apiBaseUrl: emulator.url, timeoutMs: 3_000 });
        return x.api.v2.tweet({ text }).then(
          () => true,
          () => false,
        );
      },
      async close() {
        await Promise.all([...emulators.values()].map((emulator) => emulator.close()));
      },
    };
  },
};

function makeCredentials({ account }: HarnessAccount) {
  const x = account as XAccount;
  return { appKey: x.appKey!, appSecret: x.appSecret!, accessToken: x.accessToken!, accessSecret: x.accessSecret! };
}
