import type { PostRequest, PostResult, Publisher } from '../platform.js';
import { platformSpec } from '../registry.js';

export interface DryRunOptions {
  name: string;
  platform: string;
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

export function formatDryRunPost(account: string, platform: string, request: PostRequest, mode = 'dry run'): string {
  const lines = [`── ${account} (${platform}, ${mode}) · ${request.jobId} ──`, request.text, '', ...platformSpec(platform).describePost(request)];
  return `${lines.join('\n')}\n\n`;
}
