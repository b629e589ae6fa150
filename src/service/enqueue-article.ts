import { randomUUID } from 'node:crypto';
import type { Article } from '../feeds/article.js';
import type { FeedConfig } from '../config/schema.js';
import type { PlatformId } from '../platforms/platform.js';
import { newPostKey } from '../platforms/registry.js';
import { jobIdFor } from '../queue/queue.js';
import type { Job, JobTarget } from '../queue/job.js';
import { withUtm, writeTeasers } from '../teaser/write-teasers.js';
import type { Runtime } from './runtime.js';

export function feedTargets(runtime: Runtime, feed: FeedConfig): string[] {
  return feed.targets ?? Object.keys(runtime.loaded.config.accounts);
}

/** Writes the teasers once, chooses each target's post key, and stores the job before anything is published. */
export async function buildJob(runtime: Runtime, feed: FeedConfig, article: Article, options: { review?: boolean; accounts?: string[] } = {}): Promise<Job> {
  const { config } = runtime.loaded;
  const accounts = options.accounts ?? feedTargets(runtime, feed);
  const platforms = [...new Set(accounts.map((name) => config.accounts[name]!.platform))] as PlatformId[];
  const teasers = await writeTeasers(article, platforms, { feed, llm: config.llm, log: runtime.log.child({ feed: feed.id }) });
  const targets: Record<string, JobTarget> = {};
  for (const account of accounts) {
    const { platform, utm } = config.accounts[account]!;
    const teaser = teasers[platform];
    if (!teaser) continue;
    targets[account] = {
      account,
      platform,
      teaser: utm ? withUtm(teaser, utm) : teaser,
      // A dry run never reaches a platform, so it needs no real record key (and skips loading the Bluesky library).
      postKey: config.dryRun ? `dry-run-${randomUUID()}` : await newPostKey(platform),
      state: options.review ?? feed.review ? 'review' : 'pending',
      attempts: 0,
      ...(feed.media ? { media: feed.media } : {}),
    };
  }
  return {
    version: 1,
    id: jobIdFor(feed.id, article.key),
    feedId: feed.id,
    articleKey: article.key,
    canonicalLink: article.canonicalLink,
    article,
    createdAt: runtime.now().toISOString(),
    dryRun: config.dryRun,
    targets,
  };
}
