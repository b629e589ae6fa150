import { describe, expect, it } from 'vitest';
import { backoffDelay, capRetryAt, maxRetryAfterMs, nextPollAfterFailure } from '../../src/net/backoff.js';

describe('nextPollAfterFailure', () => {
  const now = new Date('2024-06-10T12:00:00Z');
  const minute = 60_000;
  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [6, 32],
    [9, 256],
    [10, 360],
    [1000, 360],
  ])('after %i failures waits %i minutes', (failures, minutes) => {
    expect(nextPollAfterFailure(failures, now).getTime() - now.getTime()).toBe(minutes * minute);
  });

  it('never polls before retryAt, and ignores a retryAt already passed', () => {
    const later = now.getTime() + 3 * 3_600_000;
    expect(nextPollAfterFailure(1, now, later).getTime()).toBe(later);
    expect(nextPollAfterFailure(3, now, now.getTime() - 1000).getTime()).toBe(now.getTime() + 4 * minute);
  });

  it('holds a Retry-After to at most 6 hours, however far the server asks', () => {
    const year3000 = Date.parse('3000-01-01T00:00:00Z');
    expect(nextPollAfterFailure(1, now, year3000).getTime()).toBe(now.getTime() + 6 * 3_600_000);
    expect(capRetryAt(year3000, now.getTime())).toBe(now.getTime() + maxRetryAfterMs);
  });
});

describe('backoffDelay', () => {
  it('stays between half and all of the doubled delay, capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffDelay(100, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(2_000, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
