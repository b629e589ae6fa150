const baseDelayMs = 60_000;
const maxDelayMs = 6 * 3_600_000;

/**
 * When to poll a feed again after it failed `consecutiveFailures` times in a row (1 = the first failure):
 * 1 min, 2 min, 4 min, ... capped at 6 h, and never before the server's Retry-After (`retryAt`, ms since epoch).
 */
export function nextPollAfterFailure(consecutiveFailures: number, now: Date, retryAt?: number): Date {
  const exponent = Math.max(0, Math.floor(consecutiveFailures) - 1);
  const delay = exponent >= 30 ? maxDelayMs : Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
  const at = now.getTime() + delay;
  return new Date(retryAt !== undefined && Number.isFinite(retryAt) && retryAt > at ? retryAt : at);
}
