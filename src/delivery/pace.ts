import { nextCronTime, previousCronTime } from '../config/cron.js';
import { HerautError } from '../errors.js';
import { parseDuration } from '../config/parse-duration.js';
import type { Pace } from '../config/schema.js';
import type { AccountState } from '../queue/stores.js';
import { dayKey } from './day-key.js';

export type PaceReason = 'gap' | 'max-per-day' | 'slot';

export interface PaceWait {
  reason: PaceReason;
  until: Date;
}

export const defaultMinGap = '5m';

function slotNear(expression: string, at: Date, timezone: string, direction: 'next' | 'previous'): Date {
  try {
    return direction === 'next' ? nextCronTime(expression, at, timezone) : previousCronTime(expression, at, timezone);
  } catch (error) {
    throw new HerautError('config-invalid', `pace slot "${expression}" is not a cron expression; use five fields such as "0 9,12,18 * * *"`, { cause: error });
  }
}

/** Start of the next calendar day in `timezone`. */
export function nextDayStart(now: Date, timezone: string): Date {
  return nextCronTime('0 0 * * *', now, timezone);
}

/** Start of the next calendar month in `timezone`. */
export function nextMonthStart(now: Date, timezone: string): Date {
  return nextCronTime('0 0 1 * *', now, timezone);
}

export interface PaceInput {
  now: Date;
  timezone: string;
  /** When the target became due: a slot only counts if it came at or after this minute. */
  dueAt: Date;
}

/**
 * Whether the account may post now under its pace, else until when it waits (the latest of the reasons that hold).
 * Slots: one post per slot time, at or after the slot; a slot missed while heraut was down counts once, and never for a job that arrived later.
 */
export function nextAllowedAt(pace: Pace | undefined, state: AccountState, input: PaceInput): PaceWait | undefined {
  const { now, timezone } = input;
  const waits: PaceWait[] = [];
  const lastPost = state.lastPostAt ? new Date(state.lastPostAt) : undefined;
  if (pace?.maxPerDay !== undefined && (state.postsByDay[dayKey(now, timezone)] ?? 0) >= pace.maxPerDay) {
    waits.push({ reason: 'max-per-day', until: nextDayStart(now, timezone) });
  }
  const gap = parseDuration(pace?.minGap ?? defaultMinGap);
  if (gap > 0 && lastPost && now.getTime() < lastPost.getTime() + gap) {
    waits.push({ reason: 'gap', until: new Date(lastPost.getTime() + gap) });
  }
  if (pace?.slots && pace.slots.length > 0) {
    const dueMinute = Math.floor(input.dueAt.getTime() / 60_000) * 60_000;
    const justAfterNow = new Date(now.getTime() + 1);
    const lastSlot = Math.max(...pace.slots.map((slot) => slotNear(slot, justAfterNow, timezone, 'previous').getTime()));
    const slotOpen = lastSlot >= dueMinute && (!lastPost || lastPost.getTime() < lastSlot);
    if (!slotOpen) {
      const next = Math.min(...pace.slots.map((slot) => slotNear(slot, now, timezone, 'next').getTime()));
      waits.push({ reason: 'slot', until: new Date(next) });
    }
  }
  if (waits.length === 0) return undefined;
  return waits.reduce((latest, wait) => (wait.until > latest.until ? wait : latest));
}
