/** Exponential backoff with equal jitter: between half and all of baseDelay * 2^(attempts-1), capped at maxDelay. */
export function backoffDelay(attempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
