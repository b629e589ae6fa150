/** Things a person must hear about without looking at `status`. */
export const alertKinds = ['account-attention', 'post-failed', 'feed-failing', 'budget-reached', 'worker-crashed'] as const;
export type AlertKind = (typeof alertKinds)[number];

export interface Alert {
  kind: AlertKind;
  /**
   * Names one occurrence: the same key is sent once, however many cycles raise it
   * (e.g. "account-attention:x-main:<since>", "budget-reached:x-main:2026-12").
   */
  key: string;
  /** The account, feed or worker concerned. */
  subject: string;
  /** What happened, one line. */
  message: string;
  /** What to do about it, one line. */
  fix: string;
  link?: string;
  at: number;
}

export const alertTitles: Record<AlertKind, string> = {
  'account-attention': 'heraut: an account needs attention',
  'post-failed': 'heraut: a post failed for good',
  'feed-failing': 'heraut: a feed keeps failing',
  'budget-reached': 'heraut: monthly budget reached',
  'worker-crashed': 'heraut: a worker restarted after a crash',
};
