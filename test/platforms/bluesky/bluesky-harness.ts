import { TID } from '@atproto/common-web';
import { BlueskyAccount } from '../../../src/platforms/bluesky/bluesky-account.js';
import { startPds, type PdsAccount } from '../../support/pds.js';
import type { HarnessAccount, PlatformHarness } from '../conformance/harness.js';

const PUT_RECORD = 'com.atproto.repo.putRecord';

/** Bluesky: a real PDS; a fault on the next putRecord hits whichever account posts next. */
export const blueskyHarness: PlatformHarness = {
  platform: 'bluesky',
  async start() {
    const pds = await startPds();
    const owners = new Map<HarnessAccount, PdsAccount>();
    let count = 0;
    return {
      async account(options = {}) {
        const owner = await pds.createAccount(`conf-${++count}`);
        const password = options.badCredentials ? `${owner.password}x` : owner.password;
        const account = BlueskyAccount.parse({ platform: 'bluesky', service: pds.url, identifier: owner.handle, password, timeout: '10s' });
        const created: HarnessAccount = { account, secrets: [password, owner.accountPassword] };
        owners.set(created, owner);
        return created;
      },
      failNextPost(_account, fault) {
        if (fault === 'lose-answer') pds.loseNextAnswer(PUT_RECORD);
        else if (fault === '5xx') pds.failNext(PUT_RECORD, { status: 502, body: { error: 'UpstreamFailure', message: 'upstream failed' } });
        else if (fault === '429') pds.failNext(PUT_RECORD, { status: 429, headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) }, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } });
        else pds.failNext(PUT_RECORD, { status: 400, echoAuthorization: true });
      },
      async posts(account) {
        const owner = owners.get(account)!;
        const reader = await pds.reader(owner);
        const listed = await reader.com.atproto.repo.listRecords({ repo: owner.did, collection: 'app.bsky.feed.post', limit: 100 });
        return listed.data.records.map((record) => (record.value as { text: string }).text);
      },
      async acceptsText(account, text) {
        const owner = owners.get(account)!;
        const writer = await pds.reader(owner);
        const record = { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() };
        return writer.com.atproto.repo.putRecord({ repo: owner.did, collection: 'app.bsky.feed.post', rkey: TID.nextStr(), record }).then(
          () => true,
          () => false,
        );
      },
      close: () => pds.close(),
    };
  },
};
