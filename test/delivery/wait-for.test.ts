import { describe, expect, it } from 'vitest';
import { decideFailure, type FailureDecision } from '../../src/delivery/decide-failure.js';
import { waitFor, type Wait, type WaitInput } from '../../src/delivery/wait-for.js';
import { HerautError } from '../../src/errors.js';
import type { AccountState } from '../../src/queue/stores.js';
import { makeConfig, makeJob } from '../queue/fixtures/queue-fixtures.js';

const now = new Date('2026-03-02T08:00:00.000Z');
const config = makeConfig({
  accounts: {
    bsky: { platform: 'bluesky', pace: { minGap: '10m', maxPerDay: 2 } },
    slots: { platform: 'bluesky', pace: { minGap: '0', slots: ['0 9 * * *'] } },
    x: { platform: 'x', pace: { minGap: '0' }, budget: { monthly: 1, pricePerPost: 0.5 } },
  },
});
const fresh = (extra: Partial<AccountState> = {}): AccountState => ({ postsByDay: {}, spentByMonth: {}, ...extra });

function input(account: 'bsky' | 'slots' | 'x', state: AccountState, target: Record<string, unknown> = {}, extra: Partial<WaitInput> = {}): WaitInput {
  const job = makeJob('blog', 1, [{ name: account, platform: account === 'x' ? 'x' : 'bluesky' }], '2026-03-02T07:00:00.000Z');
  Object.assign(job.targets[account]!, target);
  return { job, target: job.targets[account]!, account: config.accounts[account]!, state, now, timezone: 'UTC', ...extra };
}

describe('waitFor', () => {
  const cases: Array<[string, WaitInput, Wait | undefined]> = [
    ['nothing in the way', input('bsky', fresh()), undefined],
    ['account needs attention', input('bsky', fresh({ attention: { code: 'platform-auth', message: 'bad token', at: '' } })), { reason: 'attention', error: 'bad token' }],
    ['account rate limited', input('bsky', fresh({ holdUntil: '2026-03-02T08:30:00.000Z', holdReason: 'rate-limit' })), { reason: 'rate-limit', until: new Date('2026-03-02T08:30:00.000Z') }],
    ['a rate limit that passed', input('bsky', fresh({ holdUntil: '2026-03-02T07:30:00.000Z', holdReason: 'rate-limit' })), undefined],
    ['target backing off', input('bsky', fresh(), { notBefore: '2026-03-02T08:05:00.000Z', waitReason: 'backoff' }), { reason: 'backoff', until: new Date('2026-03-02T08:05:00.000Z') }],
    ['backoff ignored by heraut post', input('bsky', fresh(), { notBefore: '2026-03-02T08:05:00.000Z', waitReason: 'backoff' }, { ignorePacing: true }), undefined],
    ['a stored gap is worked out afresh', input('bsky', fresh(), { notBefore: '2026-03-02T09:00:00.000Z', waitReason: 'gap' }), undefined],
    ['minimum gap', input('bsky', fresh({ lastPostAt: '2026-03-02T07:55:00.000Z' })), { reason: 'gap', until: new Date('2026-03-02T08:05:00.000Z') }],
    ['gap ignored by heraut post', input('bsky', fresh({ lastPostAt: '2026-03-02T07:55:00.000Z' }), {}, { ignorePacing: true }), undefined],
    ['daily cap', input('bsky', fresh({ postsByDay: { '2026-03-02': 2 } })), { reason: 'max-per-day', until: new Date('2026-03-03T00:00:00.000Z') }],
    ['next slot', input('slots', fresh()), { reason: 'slot', until: new Date('2026-03-02T09:00:00.000Z') }],
    ['monthly budget', input('x', fresh({ spentByMonth: { '2026-03': 0.6 } })), { reason: 'budget', until: new Date('2026-04-01T00:00:00.000Z'), error: 'monthly budget of $1 reached ($0.6 spent)' }],
    ['budget ignored with --force', input('x', fresh({ spentByMonth: { '2026-03': 0.6 } }), {}, { ignoreBudget: true }), undefined],
    ['budget exactly enough', input('x', fresh({ spentByMonth: { '2026-03': 0.5 } })), undefined],
  ];
  it.each(cases)('%s', (_name, given, expected) => {
    expect(waitFor(given)).toEqual(expected);
  });
});

describe('decideFailure', () => {
  const base = { attempts: 1, maxAttempts: 3, now, baseDelayMs: 30_000, maxDelayMs: 60_000, random: () => 0.5 };
  const cases: Array<[string, unknown, number, FailureDecision]> = [
    ['bad credentials', new HerautError('platform-auth', 'token revoked'), 1, { action: 'attention', message: 'token revoked' }],
    ['config missing', new HerautError('config-invalid', 'set X_APP_KEY'), 1, { action: 'attention', message: 'set X_APP_KEY' }],
    ['rejected post', new HerautError('platform-rejected', 'too long'), 1, { action: 'fail', message: 'too long', bug: false }],
    ['rate limit with a time', new HerautError('platform-rate-limited', '429', { retryAt: Date.parse('2026-03-02T08:15:00.000Z') }), 1, { action: 'hold', until: new Date('2026-03-02T08:15:00.000Z'), message: '429' }],
    ['rate limit without a time', new HerautError('platform-rate-limited', '429'), 1, { action: 'hold', until: new Date('2026-03-02T08:00:22.500Z'), message: '429' }],
    ['rate limit in the past', new HerautError('platform-rate-limited', '429', { retryAt: Date.parse('2026-03-01T00:00:00.000Z') }), 1, { action: 'hold', until: now, message: '429' }],
    ['platform down', new HerautError('platform-unavailable', '503'), 2, { action: 'backoff', until: new Date('2026-03-02T08:00:45.000Z'), message: '503', stopAccount: true }],
    ['another retryable error', new HerautError('queue-busy', 'locked'), 1, { action: 'backoff', until: new Date('2026-03-02T08:00:22.500Z'), message: 'locked', stopAccount: false }],
    ['attempts ran out', new HerautError('platform-unavailable', '503'), 3, { action: 'fail', message: 'gave up after 3 attempts: 503', bug: false }],
    ['a bug in heraut', new TypeError('x is undefined'), 1, { action: 'fail', message: 'unexpected error, a bug in heraut (please report it): x is undefined', bug: true }],
    ['something thrown that is not an error', 'boom', 1, { action: 'fail', message: 'unexpected error, a bug in heraut (please report it): boom', bug: true }],
  ];
  it.each(cases)('%s', (_name, error, attempts, expected) => {
    expect(decideFailure({ ...base, error, attempts })).toEqual(expected);
  });
});
