import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronProblem, nextCronTime, scheduleCron } from '../../src/config/cron.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the one cron dialect', () => {
  it('takes five fields, or six with seconds first, and refuses the rest', () => {
    expect(cronProblem('*/15 * * * *')).toBeUndefined();
    expect(cronProblem('@daily')).toBeUndefined();
    expect(cronProblem('0 */5 * * * *')).toBeUndefined();
    expect(cronProblem('* * * *')).toBe('has 4 fields');
    expect(cronProblem('0 0 0 * * * 2024')).toBe('has 7 fields');
    expect(cronProblem('61 * * * *')).toContain('61');
    expect(cronProblem('0 0 30 2 *')).toBeDefined();
  });

  it('reads day-of-month and day-of-week as either, like cron', () => {
    // 2024-01-02 is a Tuesday: the next "1st of the month or a Monday" is Monday 8 January.
    expect(nextCronTime('0 0 1 * 1', new Date('2024-01-02T12:00:00Z'), 'UTC').toISOString()).toBe('2024-01-08T00:00:00.000Z');
  });

  it('fires at each slot in the configured zone, once per slot', () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T07:59:30Z') });
    const fired: string[] = [];
    const task = scheduleCron('0 9,10 * * *', 'Europe/Paris', () => fired.push(new Date().toISOString()));
    vi.advanceTimersByTime(2 * 3_600_000);
    expect(fired).toEqual(['2024-01-01T08:00:00.000Z', '2024-01-01T09:00:00.000Z']);
    task.stop();
    vi.advanceTimersByTime(86_400_000);
    expect(fired).toHaveLength(2);
  });

  it('reaches a slot further away than one timer can wait', () => {
    vi.useFakeTimers({ now: new Date('2024-01-02T00:00:00Z') });
    let fired = 0;
    const task = scheduleCron('0 0 1 1 *', 'UTC', () => fired++);
    vi.advanceTimersByTime(360 * 86_400_000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(5 * 86_400_000);
    expect(fired).toBe(1);
    expect(new Date().getTime()).toBeGreaterThanOrEqual(Date.parse('2025-01-01T00:00:00Z'));
    task.stop();
  });
});
