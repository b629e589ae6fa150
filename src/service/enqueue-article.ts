import { randomUUID } from 'node:crypto';
import type { Article } from '../feeds/article.js';
import type { FeedConfig } from '../config/schema.js';
import { errorMessage, isHerautError, policyFor } from '../errors.js';
import type { PlatformId } from '../platforms/platform.js';
import { newPostKey } from '../platforms/registry.js';
import { jobIdFor } from '../queue/file/history-file.js';
import type { Job, JobTarget } from '../queue/job.js';
import type { Teaser } from '../teaser/teaser.js';
import { withUtm, writeTeasers } from '../teaser/write-teasers.js';
import type { Runtime } from './runtime.js';

export function feedTargets(runtime: Runtime, feed: FeedConfig): string[] {
  return feed.targets ?? Object.keys(runtime.loaded.config.accounts);
}

type Written = Partial<Record<PlatformId, Teaser | { error: unknown }>>;

/**
 * The teasers per platform. When one platform's cannot be written (a link X counts in full), the others still are: the
 * article is posted where it fits. A transient fault, or no platform at all, fails the whole article.
 */
async function writeEach(runtime: Runtime, feed: FeedConfig, article: Article, platforms: PlatformId[]): Promise<Written> {
  const context = { feed, llm: runtime.loaded.config.llm, log: runtime.log.child({ feed: feed.id }) };
  try {
    return await writeTeasers(article, platforms, context);
  } catch (error) {
    if (platforms.length === 1 || policyFor(error).action === 'backoff') throw error;
  }
  const written: Written = {};
  for (const platform of platforms) {
    try {
      written[platform] = (await writeTeasers(article, [platform], context))[platform];
    } catch (error) {
      if (policyFor(error).action === 'backoff') throw error;
      written[platform] = { error };
    }
  }
  const failures = Object.values(written).filter((value) => value && 'error' in value) as Array<{ error: unknown }>;
  if (failures.length === platforms.length) throw failures[0]!.error;
  return written;
}

/** Writes the teasers once, chooses each target's post key, and stores the job before anything is published. */
export async function buildJob(runtime: Runtime, feed: FeedConfig, article: Article, options: { review?: boolean; accounts?: string[] } = {}): Promise<Job> {
  const { config } = runtime.loaded;
  const accounts = options.accounts ?? feedTargets(runtime, feed);
  const platforms = [...new Set(accounts.map((name) => config.accounts[name]!.platform))] as PlatformId[];
  const teasers = await writeEach(runtime, feed, article, platforms);
  const id = jobIdFor(feed.id, article.key);
  const createdAt = runtime.now().toISOString();
  const targets: Record<string, JobTarget> = {};
  for (const account of accounts) {
    const { platform, utm } = config.accounts[account]!;
    const written = teasers[platform];
    if (!written) continue;
    const target: JobTarget = {
      account,
      platform,
      teaser: 'error' in written ? { platform, text: '', link: article.link, hashtags: [], emojis: [], langs: [], length: { limit: 0, valid: false }, writer: feed.writer ?? 'extractive' } : utm ? withUtm(written, utm) : written,
      // A dry run never reaches a platform, so it needs no real record key (and skips loading the Bluesky library).
      postKey: config.dryRun ? `dry-run-${randomUUID()}` : await newPostKey(platform),
      state: options.review ?? feed.review ? 'review' : 'pending',
      attempts: 0,
      ...(feed.media ? { media: feed.media } : {}),
    };
    if ('error' in written) {
      target.state = 'failed';
      const code = isHerautError(written.error) ? written.error.code : 'bug';
      target.lastError = { code, message: `${errorMessage(written.error)}; or write this post yourself: heraut edit ${id} --to ${account}, then heraut retry ${id} --to ${account}`, at: createdAt };
    }
    targets[account] = target;
  }
  return { version: 1, id, feedId: feed.id, articleKey: article.key, canonicalLink: article.canonicalLink, article, createdAt, dryRun: config.dryRun, targets };
}
