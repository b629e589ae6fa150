import { errorMessage, isHerautError, policyFor } from '../errors.js';
import { backoffDelay } from '../net/backoff.js';

/**
 * What a failed attempt leads to, decided by the error (policyFor):
 * attention: the target waits and the account needs a person; hold: the account waits until a known time;
 * backoff: the target is tried again later, unless attempts ran out; fail: for good. An error heraut does not know is a
 * bug: it fails the post, says so, and is never retried as an outage.
 */
export type FailureDecision =
  | { action: 'attention'; message: string }
  | { action: 'hold'; until: Date; message: string }
  | { action: 'backoff'; until: Date; message: string; stopAccount: boolean }
  | { action: 'fail'; message: string; bug: boolean };

export interface FailureInput {
  error: unknown;
  /** Attempts made so far, this one included. */
  attempts: number;
  maxAttempts: number;
  now: Date;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

export function decideFailure(input: FailureInput): FailureDecision {
  const { error, now } = input;
  const message = errorMessage(error);
  const policy = policyFor(error);
  switch (policy.action) {
    case 'attention':
      return { action: 'attention', message };
    case 'hold-until': {
      const until = policy.until ?? now.getTime() + backoffDelay(1, input.baseDelayMs, input.maxDelayMs, input.random);
      return { action: 'hold', until: new Date(Math.max(until, now.getTime())), message };
    }
    case 'backoff':
      if (input.attempts >= input.maxAttempts) return { action: 'fail', message: `gave up after ${input.attempts} attempts: ${message}`, bug: false };
      return {
        action: 'backoff',
        until: new Date(now.getTime() + backoffDelay(input.attempts, input.baseDelayMs, input.maxDelayMs, input.random)),
        message,
        // The platform is down for everyone: the account's other posts would only fail the same way.
        stopAccount: isHerautError(error, 'platform-unavailable'),
      };
    case 'fail':
      return policy.bug ? { action: 'fail', message: `unexpected error, a bug in heraut (please report it): ${message}`, bug: true } : { action: 'fail', message, bug: false };
  }
}
