import type { PlatformId, PostRequest, PostResult, Publisher } from '../platform.js';
import { measureBluesky, BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES } from '../bluesky/limits.js';
import { measureX, X_MAX_WEIGHTED_LENGTH } from '../x/limits.js';

export interface DryRunOptions {
  name: string;
  platform: PlatformId;
  /** Where the would-be posts are printed; stdout by default. */
  write?: (text: string) => void;
}

/** Stands in for a platform in dry-run: prints exactly what would be posted and how it measures. */
export function createDryRunPublisher(options: DryRunOptions): Publisher {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  return {
    platform: options.platform,
    account: options.name,
    async publish(request: PostRequest): Promise<PostResult> {
      write(formatDryRunPost(options.name, options.platform, request));
      return { id: `dry-run:${request.postKey}`, url: `dry-run://${options.name}/${request.jobId}` };
    },
    async verify() {
      return { handle: `${options.name} (dry run)` };
    },
  };
}

export function formatDryRunPost(account: string, platform: PlatformId, request: PostRequest, mode = 'dry run'): string {
  const lines = [`── ${account} (${platform}, ${mode}) · ${request.jobId} ──`, request.text, ''];
  if (platform === 'x') {
    const length = measureX(request.text);
    lines.push(`   length: ${length.weightedLength}/${X_MAX_WEIGHTED_LENGTH} weighted · ${length.valid ? 'valid' : 'TOO LONG'}`);
    if (request.media === 'image' && request.link.image) lines.push(`   image: ${request.link.image} (alt text: ${request.link.title})`);
  } else {
    const length = measureBluesky(request.text);
    lines.push(`   length: ${length.graphemes}/${BLUESKY_MAX_GRAPHEMES} graphemes, ${length.bytes}/${BLUESKY_MAX_BYTES} bytes · ${length.valid ? 'valid' : 'TOO LONG'}`);
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
  }
  return `${lines.join('\n')}\n\n`;
}
