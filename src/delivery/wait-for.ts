import type { Account } from '../config/schema.js';
import { monthlyBudget, postPrice } from '../platforms/registry.js';
import type { Job, JobTarget, WaitReason } from '../queue/job.js';
import type { AccountState } from '../queue/stores.js';
import { monthKey } from './day-key.js';
import { nextAllowedAt, nextMonthStart } from './pace.js';
import { roundMoney } from '../queue/count-post.js';

export interface Wait {
  reason: WaitReason;
  until?: Date;
  error?: string;
}

/** Waits that come from the account's situation; they are worked out afresh each time, the stored notBefore is only for status. */
const recomputed = new Set<WaitReason>(['gap', 'slot', 'max-per-day', 'budget', 'attention', 'busy', 'no-account', 'no-publisher']);

export interface WaitInput {
  job: Job;
  target: JobTarget;
  account: Account;
  state: AccountState;
  now: Date;
  timezone: string;
  /** heraut post: past slots, gaps, daily caps and backoff, but still within rate limits and budget. */
  ignorePacing?: boolean;
  ignoreBudget?: boolean;
}

/** Why this target may not be posted now, or undefined when it may. Pure: the same input gives the same answer. */
export function waitFor(input: WaitInput): Wait | undefined {
  const { job, target, account, state, now, timezone } = input;
  if (state.attention) return { reason: 'attention', error: state.attention.message };
  if (state.holdUntil && Date.parse(state.holdUntil) > now.getTime()) return { reason: state.holdReason ?? 'rate-limit', until: new Date(state.holdUntil) };
  const stored = target.notBefore ? Date.parse(target.notBefore) : NaN;
  const reason = target.waitReason ?? 'backoff';
  if (stored > now.getTime() && !recomputed.has(reason) && !(input.ignorePacing && reason === 'backoff')) return { reason, until: new Date(stored) };
  if (!input.ignorePacing) {
    const created = Date.parse(job.createdAt);
    const dueAt = new Date(Math.min(now.getTime(), Math.max(created, Number.isFinite(stored) ? stored : created)));
    const pace = nextAllowedAt(account.pace, state, { now, timezone, dueAt });
    if (pace) return pace;
  }
  const monthly = monthlyBudget(account);
  if (monthly !== undefined && !input.ignoreBudget) {
    const spent = state.spentByMonth[monthKey(now, timezone)] ?? 0;
    if (spent + postPrice(account) > monthly + 1e-9) {
      return { reason: 'budget', until: nextMonthStart(now, timezone), error: `monthly budget of $${monthly} reached ($${roundMoney(spent)} spent)` };
    }
  }
  return undefined;
}
