import { HerautError } from '../errors.js';
import type { Teaser } from '../teaser/teaser.js';
import type { CountedPost } from './count-post.js';
import type { Job, JobTarget, TargetState } from './job.js';
import type { JobClaim, WaitInput } from './stores.js';

type ErrorInput = { code: string; message: string; at: Date };

/** Every change a job's target can go through once the job exists; stores apply them with `applyTransition`. */
export type Transition =
  | { name: 'approve' }
  | { name: 'skip' }
  | { name: 'retry' }
  | { name: 'edit'; teaser: Teaser }
  | { name: 'publishing' }
  | { name: 'published'; post: { id: string; url: string; at: Date } }
  | { name: 'failed'; error: ErrorInput }
  | { name: 'postpone'; wait: WaitInput; error?: ErrorInput };

export const allowedFrom: Record<Transition['name'], readonly TargetState[]> = {
  approve: ['review', 'pending'],
  skip: ['review', 'pending', 'failed'],
  retry: ['failed'],
  edit: ['review', 'pending', 'failed'],
  publishing: ['pending', 'publishing'],
  published: ['publishing'],
  failed: ['pending', 'publishing'],
  postpone: ['pending', 'publishing'],
};

/** What a person's approve, skip, retry or edit acts on: approving is for what waits for review; a pending post goes out with `heraut post`. */
export const reviewableFrom: Record<'approve' | 'skip' | 'retry' | 'edit', readonly TargetState[]> = { ...allowedFrom, approve: ['review'] };

function clearWait(target: JobTarget): void {
  delete target.notBefore;
  delete target.waitReason;
}

function storedError(error: ErrorInput): JobTarget['lastError'] {
  return { code: error.code, message: error.message, at: error.at.toISOString() };
}

/** The job after the transition; throws a 'usage' error when the target's state does not allow it. Pure. */
export function applyTransition(job: Job, account: string, transition: Transition): Job {
  const current = job.targets[account];
  if (!current) throw new HerautError('usage', `job ${job.id} has no target "${account}"; it has: ${Object.keys(job.targets).join(', ')}`);
  if (!allowedFrom[transition.name].includes(current.state)) {
    throw new HerautError('usage', `job ${job.id}: ${account} is ${current.state}, so it cannot ${transition.name}; heraut status shows each target's state`);
  }
  const next = structuredClone(job);
  const target = next.targets[account]!;
  switch (transition.name) {
    case 'approve':
      target.state = 'pending';
      clearWait(target);
      break;
    case 'skip':
      target.state = 'skipped';
      clearWait(target);
      break;
    case 'retry':
      target.state = 'pending';
      target.attempts = 0;
      clearWait(target);
      break;
    case 'edit':
      target.teaser = transition.teaser;
      break;
    case 'publishing':
      target.state = 'publishing';
      target.attempts += 1;
      clearWait(target);
      break;
    case 'published':
      target.state = 'published';
      target.postId = transition.post.id;
      target.postUrl = transition.post.url;
      target.publishedAt = transition.post.at.toISOString();
      break;
    case 'failed':
      target.state = 'failed';
      target.lastError = storedError(transition.error);
      clearWait(target);
      break;
    case 'postpone':
      target.state = 'pending';
      target.waitReason = transition.wait.reason;
      if (transition.wait.until) target.notBefore = transition.wait.until.toISOString();
      else delete target.notBefore;
      if (transition.error) target.lastError = storedError(transition.error);
      break;
  }
  return next;
}

export interface Lease {
  /** Moves the lease on; false when it was lost to another holder. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * A claim over any store: each transition is checked, then the lease renewed (a holder that lost it writes nothing),
 * then the job saved, with the post's count when it was published. Stores supply how a job is saved and how their lease works.
 */
export function claimedJob(job: Job, lease: Lease, save: (job: Job, counted?: CountedPost) => Promise<void>): JobClaim {
  let current = job;
  async function apply(account: string, transition: Transition, counted?: CountedPost): Promise<Job> {
    const next = applyTransition(current, account, transition);
    if (!(await lease.renew())) {
      throw new HerautError('queue-busy', `another heraut process took over job "${job.id}" (this one was thought dead); run one heraut per queue, or give it more time`);
    }
    await save(next, counted);
    current = next;
    return next;
  }
  return {
    get job() {
      return current;
    },
    approve: (account) => apply(account, { name: 'approve' }),
    skip: (account) => apply(account, { name: 'skip' }),
    retry: (account) => apply(account, { name: 'retry' }),
    edit: (account, teaser) => apply(account, { name: 'edit', teaser }),
    publishing: (account) => apply(account, { name: 'publishing' }),
    published(account, post, count) {
      const target = current.targets[account];
      const counted = count && target ? { ...count, account: target.account, postKey: target.postKey, at: post.at.toISOString() } : undefined;
      return apply(account, { name: 'published', post }, counted);
    },
    failed: (account, error) => apply(account, { name: 'failed', error }),
    postpone: (account, wait, error) => apply(account, { name: 'postpone', wait, error }),
    renew: () => lease.renew(),
    release: () => lease.release(),
  };
}
