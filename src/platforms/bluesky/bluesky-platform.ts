import { definePlatform } from '../platform.js';
import type { BlueskyAccount } from './bluesky-account.js';
import { mapBlueskyError } from './bluesky-error.js';
import { BLUESKY_MAX_BYTES, fitsBluesky, isBlueskyHashtag, measureBluesky, shortenLinkForDisplay } from './bluesky-limits.js';

export const blueskyPlatform = definePlatform<'bluesky', BlueskyAccount>({
  id: 'bluesky',
  label: 'Bluesky',
  credentialEnv: { identifier: 'BLUESKY_IDENTIFIER', password: 'BLUESKY_APP_PASSWORD' },
  measure: measureBluesky,
  fits: fitsBluesky,
  describeLength: (length) => `${length.graphemes} graphemes and ${length.bytes} bytes, Bluesky allows ${length.limit} graphemes and ${BLUESKY_MAX_BYTES} bytes`,
  showLink: shortenLinkForDisplay,
  facets: true,
  linksHashtag: isBlueskyHashtag,
  async newPostKey() {
    const { newBlueskyPostKey } = await import('./bluesky-publisher.js');
    return newBlueskyPostKey();
  },
  async createPublisher(context) {
    const { createBlueskyPublisher } = await import('./bluesky-publisher.js');
    return createBlueskyPublisher(context);
  },
  describePost(request) {
    const length = measureBluesky(request.text);
    const lines = [`   length: ${length.graphemes}/${length.limit} graphemes, ${length.bytes}/${BLUESKY_MAX_BYTES} bytes · ${length.valid ? 'valid' : 'TOO LONG'}`];
    const bytes = Buffer.from(request.text, 'utf8');
    for (const facet of request.facets ?? []) {
      const shown = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
      for (const feature of facet.features) {
        const target = feature.$type === 'app.bsky.richtext.facet#link' ? `link → ${feature.uri}` : `tag → #${feature.tag}`;
        lines.push(`   facet: bytes ${facet.index.byteStart}-${facet.index.byteEnd} "${shown}" ${target}`);
      }
    }
    if (request.langs.length > 0) lines.push(`   langs: ${request.langs.join(', ')}`);
    lines.push(`   card: ${request.link.title} <${request.link.url}>${request.link.image ? ` thumb ${request.link.image}` : ''}`);
    return lines;
  },
  mapError: mapBlueskyError,
});
