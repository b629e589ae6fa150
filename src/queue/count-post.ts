import type { AccountState } from './stores.js';

/** Post keys an account remembers as counted, so a post settled again after a crash is not counted twice. */
export const recentPostKeysKept = 50;

/** What a published post adds to its account: counted once per post key, in the step that marks the target published. */
export interface PostCount {
  /** The post's calendar day and month in the configured time zone (YYYY-MM-DD, YYYY-MM). */
  day: string;
  month: string;
  /** What the post cost; 0 on a free platform. */
  spentUsd: number;
}

export interface CountedPost extends PostCount {
  account: string;
  postKey: string;
  at: string;
}

/** Money to a millionth of a dollar, as the database keeps it (numeric(14, 6)). */
export function roundMoney(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}

/** The account after the post: counted unless its key was counted already; the latest post time; a rate-limit or budget hold lifted. Pure. */
export function countPost(state: AccountState, post: CountedPost): AccountState {
  const next: AccountState = { ...state, postsByDay: { ...state.postsByDay }, spentByMonth: { ...state.spentByMonth } };
  if (!state.recentPostKeys?.includes(post.postKey)) {
    next.postsByDay[post.day] = (next.postsByDay[post.day] ?? 0) + 1;
    if (post.spentUsd > 0) next.spentByMonth[post.month] = roundMoney((next.spentByMonth[post.month] ?? 0) + post.spentUsd);
    next.recentPostKeys = [...(state.recentPostKeys ?? []), post.postKey].slice(-recentPostKeysKept);
  }
  if (!state.lastPostAt || Date.parse(state.lastPostAt) < Date.parse(post.at)) next.lastPostAt = post.at;
  delete next.holdReason;
  delete next.holdUntil;
  return next;
}
