import type { PlatformId } from '../platforms/platform.js';

/** Where a job or one of its targets stands; a job shows the state of its least advanced target. */
export type ReviewState = 'review' | 'pending' | 'publishing' | 'published' | 'failed' | 'skipped';

/** A piece of a post's text as the platform shows it: plain, or a link or hashtag it highlights. */
export interface TextPart {
  text: string;
  kind?: 'link' | 'tag';
  href?: string;
}

export interface Measure {
  used: number;
  limit: number;
  /** Why the text cannot be saved (too long, empty, no link); absent when it can. */
  refusal?: string;
}

export interface TargetView {
  account: string;
  platform: PlatformId;
  state: ReviewState;
  text: string;
  parts: TextPart[];
  measure: Measure;
  media: 'none' | 'image';
  edited: boolean;
  waitingUntil?: string;
  waitReason?: string;
  lastError?: string;
  postUrl?: string;
}

export interface JobView {
  id: string;
  feedId: string;
  createdAt: string;
  state: ReviewState;
  article: { title: string; link: string; summary: string; image?: string };
  targets: TargetView[];
}

export interface HealthView {
  feeds: Array<{ id: string; lastPollAt?: string; lastSuccessAt?: string; consecutiveFailures: number; lastError?: string }>;
  accounts: Array<{ name: string; platform: PlatformId; needsAttention?: string; spentThisMonth: number; monthlyBudget?: number }>;
}

/**
 * What the review page needs from the queue, and nothing more. Actions throw a HerautError: teaser-invalid (the
 * refusal is shown to the person), article-not-found, queue-busy (someone else holds the job), usage (no such target).
 */
export interface ReviewModel {
  /** Jobs waiting for review, then pending, failed, published and skipped ones; newest first within each. */
  list(): Promise<JobView[]>;
  health(): Promise<HealthView>;
  approve(jobId: string, account?: string): Promise<JobView>;
  skip(jobId: string, account?: string): Promise<JobView>;
  retry(jobId: string, account?: string): Promise<JobView>;
  edit(jobId: string, account: string, text: string): Promise<JobView>;
  /** Measures a draft exactly as heraut will when it is saved. */
  measure(jobId: string, account: string, text: string): Promise<Measure>;
}

export type ReviewAction = 'approve' | 'skip' | 'retry';

const progress: ReviewState[] = ['review', 'publishing', 'pending', 'failed', 'published', 'skipped'];

/** The job's state for the page: the first of its targets' states in the order a person has to act on them. */
export function jobState(states: ReviewState[]): ReviewState {
  return progress.find((state) => states.includes(state)) ?? 'skipped';
}

/** Review first, then what is still to come, what failed and what is done; newest first within a group. */
export function byReviewOrder(a: JobView, b: JobView): number {
  return progress.indexOf(a.state) - progress.indexOf(b.state) || (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);
}
