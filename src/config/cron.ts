import { CronExpressionParser } from 'cron-parser';
import { validate } from 'node-cron';
import { maxTimerMs } from './parse-duration.js';

// heraut's one cron dialect: five fields (minute hour day-of-month month day-of-week), six with seconds first, or a
// macro (@daily). cron-parser computes every slot (pacing, health, the service's timers), so what is accepted is what
// runs; node-cron must read an expression too, so a configuration stays valid for tools that use it.
const macros = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Why `expression` is not a schedule heraut can run, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!macros.has(trimmed.toLowerCase()) && fields !== 5 && fields !== 6) return `has ${fields} field${fields === 1 ? '' : 's'}`;
  try {
    CronExpressionParser.parse(trimmed, { tz: 'UTC' });
    return validate(trimmed) ? undefined : 'node-cron does not read it';
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** The last slot of `expression` strictly before `before`, on `timezone`'s wall clock. */
export function previousCronTime(expression: string, before: Date, timezone: string): Date {
  return CronExpressionParser.parse(expression.trim(), { currentDate: before, tz: timezone }).prev().toDate();
}

/** The first slot of `expression` strictly after `after`, on `timezone`'s wall clock. */
export function nextCronTime(expression: string, after: Date, timezone: string): Date {
  return CronExpressionParser.parse(expression.trim(), { currentDate: after, tz: timezone }).next().toDate();
}

/** Calls `run` at every slot of `expression` in `timezone` until stopped; a slot further than one timer can wait is reached in several waits. */
export function scheduleCron(expression: string, timezone: string, run: () => void, now: () => number = Date.now): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // A timer may fire a little early: the next slot is looked for after the one just reached, never before it.
  const arm = (after: number) => {
    if (stopped) return;
    const slot = nextCronTime(expression, new Date(Math.max(now(), after)), timezone).getTime();
    const wait = (at: number) => {
      const delay = at - now();
      if (delay > maxTimerMs) timer = setTimeout(() => wait(at), maxTimerMs);
      else
        timer = setTimeout(() => {
          if (stopped) return;
          run();
          arm(at);
        }, Math.max(0, delay));
    };
    wait(slot);
  };
  arm(now());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
