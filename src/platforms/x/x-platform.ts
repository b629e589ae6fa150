import { randomUUID } from 'node:crypto';
import { definePlatform } from '../platform.js';
import type { XAccount } from './x-account.js';
import { X_CREDENTIAL_ENV } from './x-credentials.js';
import { mapXError } from './x-error.js';
import { isXHashtag, measureX } from './x-limits.js';

export const xPlatform = definePlatform<'x', XAccount>({
  id: 'x',
  label: 'X',
  credentialEnv: X_CREDENTIAL_ENV,
  measure: measureX,
  fits: (text) => measureX(text).valid,
  describeLength: (length) => `${length.weighted} weighted characters, X allows ${length.limit} (a link counts 23, emoji and CJK count 2)`,
  showLink: (url) => url,
  facets: false,
  linksHashtag: isXHashtag,
  newPostKey: async () => randomUUID(),
  async createPublisher(context) {
    const { createXPublisher } = await import('./x-publisher.js');
    return createXPublisher(context);
  },
  describePost(request) {
    const length = measureX(request.text);
    const lines = [`   length: ${length.weighted}/${length.limit} weighted · ${length.valid ? 'valid' : 'TOO LONG'}`];
    if (request.media === 'image' && request.link.image) lines.push(`   image: ${request.link.image} (alt text: ${request.link.title})`);
    return lines;
  },
  postPrice: (account) => account.budget?.pricePerPost ?? 0.2,
  monthlyBudget: (account) => account.budget?.monthly,
  mapError: (error, context) => mapXError(error, { ...context, timedOut: false, aborted: false }),
});
