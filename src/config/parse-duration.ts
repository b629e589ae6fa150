// Apart from the duration schema so that code that only reads durations (a cycle, the service) never loads zod.

/** The longest delay a Node timer can wait (about 24.8 days); a longer one fires at once. */
export const maxTimerMs = 2 ** 31 - 1;

/** Milliseconds of a duration as the config writes it ("90s", "5m", "2h", "7d", "1w", "0"); a bare number is seconds. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unit!);
}
