/** Exponential backoff with equal jitter: between half and all of baseDelay * 2^(attempts-1), capped at maxDelay. */
export function backoffDelay(attempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempts) - 1), 52);
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const feedBaseDelayMs = 60_000;
const feedMaxDelayMs = 6 * 3_600_000;
/** Longest a server's Retry-After is obeyed: one answer must not park a feed for days (or until the year 3000). */
export const maxRetryAfterMs = 6 * 3_600_000;

/** A server's Retry-After (ms since epoch) held to at most maxRetryAfterMs from now. */
export function capRetryAt(retryAt: number, now: number): number {
  return Math.min(retryAt, now + maxRetryAfterMs);
}

/**
 * When to poll a feed again after it failed `consecutiveFailures` times in a row (1 = the first failure):
 * 1 min, 2 min, 4 min, ... capped at 6 h, and never before the server's Retry-After (`retryAt`, ms since epoch),
 * itself capped at 6 h from now.
 */
export function nextPollAfterFailure(consecutiveFailures: number, now: Date, retryAt?: number): Date {
  const at = now.getTime() + backoffDelay(consecutiveFailures, feedBaseDelayMs, feedMaxDelayMs, () => 1);
  if (retryAt === undefined || !Number.isFinite(retryAt)) return new Date(at);
  return new Date(Math.max(at, capRetryAt(retryAt, now.getTime())));
}
