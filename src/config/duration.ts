import { z } from 'zod';
import { maxTimerMs, parseDuration } from './parse-duration.js';

export { maxTimerMs, parseDuration } from './parse-duration.js';

const durationPattern = /^(0|\d+(\.\d+)?(ms|s|m|h|d|w))$/;
const durationHint = 'must be a duration such as "30s", "5m", "2h", "7d" or 0';

/** "90s", "5m", "2h", "7d", "1w", "0", or a number of seconds (0 as people write it in YAML). */
export const Duration = z.union([z.number().min(0, durationHint).max(315_576_000, 'must be at most 10 years (in seconds); write a duration such as "7d"'), z.string().regex(durationPattern, durationHint)]);
export type Duration = z.infer<typeof Duration>;

/** A duration that becomes a timer: 0 allowed (no delay) but nothing a timer cannot hold. */
export const TimerDelay = Duration.refine((value) => parseDuration(value) <= maxTimerMs, 'must be less than 24 days, the longest a timer can wait; e.g. "30s" or "1h"');

/** A time limit: more than 0 (a limit of 0 would fail every call) and less than 24 days. */
export const Timeout = Duration.refine((value) => parseDuration(value) > 0 && parseDuration(value) <= maxTimerMs, 'must be more than 0 and less than 24 days; e.g. "30s"');
