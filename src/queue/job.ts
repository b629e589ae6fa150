import type { Article } from '../feeds/article.js';
import type { PlatformId } from '../platforms/platform.js';
import type { Teaser } from '../teaser/teaser.js';

/** review: waits for a person; publishing: claimed by a process, outcome unknown until settled. */
export type TargetState = 'pending' | 'review' | 'publishing' | 'published' | 'failed' | 'skipped';

/**
 * Why a target or an account waits. backoff and rate-limit are stored and kept until their time; the others come from
 * the account's situation and are worked out afresh on each delivery (the stored time is only for status).
 */
export type WaitReason = 'backoff' | 'rate-limit' | 'gap' | 'slot' | 'max-per-day' | 'budget' | 'attention' | 'busy' | 'no-account' | 'no-publisher';

export const waitReasons = ['backoff', 'rate-limit', 'gap', 'slot', 'max-per-day', 'budget', 'attention', 'busy', 'no-account', 'no-publisher'] as const satisfies readonly WaitReason[];

export interface JobTarget {
  account: string;
  platform: PlatformId;
  teaser: Teaser;
  /** Chosen before the first attempt; every attempt reuses it (Bluesky record key). */
  postKey: string;
  state: TargetState;
  attempts: number;
  /** ISO time before which no attempt is made (backoff, rate limit, pacing). */
  notBefore?: string;
  waitReason?: WaitReason;
  lastError?: { code: string; message: string; at: string };
  postId?: string;
  postUrl?: string;
  publishedAt?: string;
  /** Attach the article's image (X) or use it as the card thumb (Bluesky); chosen when the job is made. Default: the account's setting. */
  media?: 'none' | 'image';
}

/** One article, the teaser per target account, and where each account stands. */
export interface Job {
  version: 1;
  id: string;
  feedId: string;
  articleKey: string;
  canonicalLink: string;
  article: Article;
  createdAt: string;
  dryRun: boolean;
  targets: Record<string, JobTarget>;
}

export function isSettled(target: JobTarget): boolean {
  return target.state === 'published' || target.state === 'failed' || target.state === 'skipped';
}

export function isJobDone(job: Job): boolean {
  return Object.values(job.targets).every(isSettled);
}
