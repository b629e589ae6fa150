import { randomUUID } from 'node:crypto';
import { definePlatform } from '../platform.js';
import type { MastodonAccount } from './mastodon-account.js';
import { mapMastodonError } from './mastodon-error.js';
import { measureMastodon } from './mastodon-limits.js';

export const mastodonPlatform = definePlatform<'mastodon', MastodonAccount>({
  id: 'mastodon',
  label: 'Mastodon',
  credentialEnv: { accessToken: 'MASTODON_ACCESS_TOKEN' },
  measure: (text) => measureMastodon(text),
  fits: (text) => measureMastodon(text).valid,
  describeLength: (length) => `${length.weighted} characters, the instance allows ${length.limit} (a link counts as the instance says, 23 on most)`,
  showLink: (url) => url,
  facets: false,
  // The Idempotency-Key: any string up to Mastodon's limit, unique per post.
  newPostKey: async () => randomUUID(),
  async createPublisher(context) {
    const { createMastodonPublisher } = await import('./mastodon-publisher.js');
    return createMastodonPublisher(context);
  },
  describePost(request) {
    const length = measureMastodon(request.text);
    const lines = [`   length: ${length.weighted}/${length.limit} characters · ${length.valid ? 'valid' : 'TOO LONG'}`];
    if (request.langs[0]) lines.push(`   language: ${request.langs[0]}`);
    if (request.media === 'image' && request.link.image) lines.push(`   image: ${request.link.image} (description: ${request.link.title})`);
    return lines;
  },
  mapError: (error, context) => mapMastodonError(error, context),
});
