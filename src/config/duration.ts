import { z } from 'zod';

const durationPattern = /^(0|\d+(\.\d+)?(ms|s|m|h|d|w))$/;
const durationHint = 'must be a duration such as "30s", "5m", "2h", "7d" or 0';

/** "90s", "5m", "2h", "7d", "1w", "0", or a number of seconds (0 as people write it in YAML). */
export const Duration = z.union([z.number().min(0, durationHint).max(315_576_000, 'must be at most 10 years (in seconds); write a duration such as "7d"'), z.string().regex(durationPattern, durationHint)]);
export type Duration = z.infer<typeof Duration>;

/** The longest delay a Node timer can wait (about 24.8 days); a longer one fires at once. */
export const maxTimerMs = 2 ** 31 - 1;

/** A duration that becomes a timer: 0 allowed (no delay) but nothing a timer cannot hold. */
export const TimerDelay = Duration.refine((value) => parseDuration(value) <= maxTimerMs, 'must be less than 24 days, the longest a timer can wait; e.g. "30s" or "1h"');

/** A time limit: more than 0 (a limit of 0 would fail every call) and less than 24 days. */
export const Timeout = Duration.refine((value) => parseDuration(value) > 0 && parseDuration(value) <= maxTimerMs, 'must be more than 0 and less than 24 days; e.g. "30s"');

/** Milliseconds of a duration; a bare number is seconds. */
export function parseDuration(value: Duration): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unit!);
}
