import type { Alerts } from '../alerts/alerts.js';
import { parseDuration } from '../config/parse-duration.js';
import type { Account, Config } from '../config/schema.js';
import { errorMessage, isHerautError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PostRequest, PostResult, Publisher } from '../platforms/platform.js';
import { postPrice } from '../platforms/registry.js';
import type { Job, JobTarget, TargetState, WaitReason } from '../queue/job.js';
import { countPost } from '../queue/count-post.js';
import type { AccountLock, AccountState, JobClaim, Stores } from '../queue/stores.js';
import { decideFailure } from './decide-failure.js';
import { dayKey, monthKey } from './day-key.js';
import type { Wait } from './wait-for.js';

/** Pacing reads cron slots, whose parser is large: it is loaded when a first target is weighed, never by a cycle with nothing due. */
const loadWaitFor = () => import('./wait-for.js');

export interface DeliverOptions {
  stores: Stores;
  /** Created lazily by the caller, once per account and call. */
  publisher(account: string): Promise<Publisher>;
  accounts: Config['accounts'];
  retry: Config['retry'];
  timezone: string;
  now?: () => Date;
  log: Logger;
  /** Job ids: deliver just these (heraut post). */
  only?: string[];
  /** heraut post: past slots, gaps, daily caps and backoff, but still within rate limits and budget. */
  ignorePacing?: boolean;
  /** --force */
  ignoreBudget?: boolean;
  /** Stop taking new work when aborted. */
  signal?: AbortSignal;
  /** Jitter source for backoff; tests make it fixed. */
  random?: () => number;
  alerts?: Alerts;
}

export interface DeliveryOutcome {
  jobId: string;
  account: string;
  state: TargetState;
  postUrl?: string;
  error?: string;
  waitUntil?: string;
  waitReason?: WaitReason;
}

interface AccountTurn {
  lock?: AccountLock;
  state: AccountState;
  /** Set when this account takes no more work in this call. */
  stop?: Wait;
}

function isDeliverable(target: JobTarget): boolean {
  return target.state === 'pending' || target.state === 'publishing';
}

export function postRequestFor(job: Job, target: JobTarget, account: Account | undefined): PostRequest {
  return {
    jobId: job.id,
    text: target.teaser.text,
    facets: target.teaser.facets,
    langs: target.teaser.langs,
    link: { url: target.teaser.link || job.article.link, title: job.article.title, description: job.article.summary, image: job.article.image },
    postKey: target.postKey,
    media: target.media ?? account?.media ?? 'none',
    attempt: target.attempts,
  };
}

/**
 * Delivers every due target, oldest job first. Exactly once: a target is saved as 'publishing' (with its post key)
 * before the platform is called, under a claim on the job and a lease on the account; a target found 'publishing'
 * belonged to a process that died and is settled by retrying the same text and post key, which the platforms treat as
 * the same post.
 */
export async function deliverJobs(options: DeliverOptions): Promise<DeliveryOutcome[]> {
  const { stores, log, timezone } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const baseDelayMs = parseDuration(options.retry.baseDelay);
  const maxDelayMs = parseDuration(options.retry.maxDelay);
  const only = options.only ? new Set(options.only) : undefined;
  const turns = new Map<string, AccountTurn>();
  const publishers = new Map<string, Publisher>();
  const outcomes: DeliveryOutcome[] = [];

  async function turnFor(account: string): Promise<AccountTurn> {
    let found = turns.get(account);
    if (found) return found;
    const lock = await stores.accounts.lock(account);
    const state = await stores.accounts.get(account);
    found = lock ? { lock, state } : { state, stop: { reason: 'busy', error: 'another heraut process is posting for this account' } };
    turns.set(account, found);
    return found;
  }

  async function needAttention(account: string, turn: AccountTurn, code: string, message: string): Promise<void> {
    turn.state.attention = { code, message, at: now().toISOString() };
    // One alert per episode: every cycle tries such an account again, and the key is only freed by a post that succeeds.
    await options.alerts?.raise({ kind: 'account-attention', key: `account-attention:${account}`, subject: account, message: `account ${account} needs attention: ${message}`, fix: 'Fix its credentials or permissions, check with `heraut check --online`, then `heraut retry` its posts.' });
    await stores.accounts.put(account, turn.state);
    turn.stop = { reason: 'attention', error: message };
  }

  function outcome(job: Job, target: JobTarget, wait?: Wait): DeliveryOutcome {
    return {
      jobId: job.id,
      account: target.account,
      state: target.state,
      postUrl: target.postUrl,
      error: wait?.error ?? (target.state === 'failed' || target.state === 'pending' ? target.lastError?.message : undefined),
      waitUntil: wait ? wait.until?.toISOString() : target.state === 'pending' ? target.notBefore : undefined,
      waitReason: wait ? wait.reason : target.state === 'pending' ? target.waitReason : undefined,
    };
  }

  async function recordWait(claim: JobClaim, account: string, wait: Wait): Promise<void> {
    const target = claim.job.targets[account]!;
    if (wait.reason === 'busy' || (target.notBefore === wait.until?.toISOString() && target.waitReason === wait.reason)) return;
    await claim.postpone(account, { reason: wait.reason, until: wait.until });
  }

  async function publisherFor(account: string, turn: AccountTurn): Promise<Publisher | undefined> {
    const cached = publishers.get(account);
    if (cached) return cached;
    try {
      const created = await options.publisher(account);
      publishers.set(account, created);
      return created;
    } catch (error) {
      const message = errorMessage(error);
      if (isHerautError(error, 'platform-auth') || isHerautError(error, 'config-invalid')) {
        await needAttention(account, turn, error.code, message);
        log.error({ account, code: error.code, error: message }, 'account needs attention');
      } else {
        log.warn({ account, error: message }, 'publisher unavailable');
        turn.stop = { reason: 'no-publisher', error: message };
      }
      return undefined;
    }
  }

  async function publishTarget(claim: JobClaim, account: string, config: Account, turn: AccountTurn, publisher: Publisher): Promise<void> {
    const targetLog = log.child({ jobId: claim.job.id, account });
    if (claim.job.targets[account]!.state === 'publishing') targetLog.info({ postKey: claim.job.targets[account]!.postKey }, 'settling a post left publishing');
    const job = await claim.publishing(account);
    const target = job.targets[account]!;
    let result: PostResult | undefined;
    let failure: unknown;
    try {
      // The stop signal ends the loop, not the post in flight: an aborted post is one whose fate is unknown until the next start.
      result = await publisher.publish(postRequestFor(job, target, config));
    } catch (error) {
      failure = error;
    }
    const at = now();
    if (result) {
      // The store counts the post in the step that marks it published, once per post key; the turn's copy follows, for pacing.
      const count = { day: dayKey(at, timezone), month: monthKey(at, timezone), spentUsd: postPrice(config) };
      await claim.published(account, { id: result.id, url: result.url, at }, count);
      turn.state = countPost(turn.state, { ...count, account, postKey: target.postKey, at: at.toISOString() });
      await options.alerts?.resolve(`account-attention:${account}`);
      targetLog.info({ postUrl: result.url, alreadyPosted: result.alreadyPosted ?? false }, 'published');
      return;
    }
    const code = isHerautError(failure) ? failure.code : 'bug';
    const decision = decideFailure({ error: failure, attempts: target.attempts, maxAttempts: options.retry.maxAttempts, now: at, baseDelayMs, maxDelayMs, random });
    const error = { code, message: decision.message, at };
    switch (decision.action) {
      case 'attention':
        await needAttention(account, turn, code, decision.message);
        await claim.postpone(account, { reason: 'attention' }, error);
        targetLog.error({ code, error: decision.message }, 'account needs attention');
        break;
      case 'hold':
        turn.state.holdUntil = decision.until.toISOString();
        turn.state.holdReason = 'rate-limit';
        await stores.accounts.put(account, turn.state);
        await claim.postpone(account, { reason: 'rate-limit', until: decision.until }, error);
        turn.stop = { reason: 'rate-limit', until: decision.until, error: decision.message };
        targetLog.warn({ until: decision.until.toISOString() }, 'rate limited');
        break;
      case 'backoff':
        await claim.postpone(account, { reason: 'backoff', until: decision.until }, error);
        if (decision.stopAccount) turn.stop = { reason: 'backoff', until: decision.until, error: decision.message };
        targetLog.warn({ code, attempts: target.attempts, until: decision.until.toISOString(), error: decision.message }, 'post will be retried');
        break;
      case 'fail':
        await claim.failed(account, error);
        await options.alerts?.raise({ kind: 'post-failed', key: `post-failed:${claim.job.id}:${account}`, subject: account, message: `a post of job ${claim.job.id} to ${account} failed for good: ${decision.message}`, fix: `See \`heraut status\`; \`heraut edit ${claim.job.id}\` then \`heraut retry ${claim.job.id}\` to try again.`, link: claim.job.article.link });
        if (decision.bug) targetLog.error({ err: failure }, 'post failed on an unexpected error');
        else targetLog.warn({ code, attempts: target.attempts, error: decision.message }, 'post failed');
        break;
    }
  }

  async function deliverTarget(getClaim: () => Promise<JobClaim | undefined>, listed: Job, account: string): Promise<DeliveryOutcome | undefined> {
    const snapshot = listed.targets[account]!;
    if (!isDeliverable(snapshot)) return only ? outcome(listed, snapshot) : undefined;
    const config = options.accounts[account];
    if (!config) return outcome(listed, snapshot, { reason: 'no-account', error: `no account named "${account}" in the config; add it back, or the target waits` });
    const turn = await turnFor(account);
    if (turn.stop) return outcome(listed, snapshot, turn.stop);
    const claim = await getClaim();
    if (!claim) return outcome(listed, snapshot, { reason: 'busy', error: 'another heraut process holds this job' });
    const target = claim.job.targets[account];
    if (!target || !isDeliverable(target)) return target ? outcome(claim.job, target) : undefined;
    const { waitFor } = await loadWaitFor();
    const wait = waitFor({ job: claim.job, target, account: config, state: turn.state, now: now(), timezone, ignorePacing: options.ignorePacing, ignoreBudget: options.ignoreBudget });
    if (wait) {
      if (wait.reason === 'budget' && turn.state.holdReason !== 'budget') {
        log.warn({ account, error: wait.error }, 'budget reached; posts wait');
        turn.state.holdReason = 'budget';
        await stores.accounts.put(account, turn.state);
        await options.alerts?.raise({ kind: 'budget-reached', key: `budget-reached:${account}:${monthKey(now(), timezone)}`, subject: account, message: `account ${account} reached its monthly budget: ${wait.error}`, fix: 'Raise budget.monthly in the configuration, or its posts wait until next month.' });
      }
      await recordWait(claim, account, wait);
      return outcome(claim.job, claim.job.targets[account]!, wait);
    }
    const publisher = await publisherFor(account, turn);
    if (!publisher) return outcome(claim.job, target, turn.stop);
    // The account's lease is renewed before each post: pacing and budget only hold while no one else posts for it.
    if (!(await turn.lock!.renew())) {
      turn.stop = { reason: 'busy', error: 'another heraut process took over this account (this one was thought dead)' };
      log.warn({ account }, 'account lock lost; its posts are left to the other process');
      return outcome(claim.job, target, turn.stop);
    }
    await publishTarget(claim, account, config, turn, publisher);
    return outcome(claim.job, claim.job.targets[account]!);
  }

  try {
    for (const listed of await stores.jobs.list()) {
      if (options.signal?.aborted) break;
      if (only && !only.has(listed.id)) continue;
      let claim: JobClaim | undefined;
      let claimTried = false;
      const getClaim = async () => {
        if (!claimTried) {
          claimTried = true;
          claim = await stores.jobs.claim(listed.id).catch((error: unknown) => {
            log.warn({ jobId: listed.id, error: errorMessage(error) }, 'job skipped');
            return undefined;
          });
        }
        return claim;
      };
      try {
        for (const account of Object.keys(listed.targets)) {
          if (options.signal?.aborted) break;
          try {
            const result = await deliverTarget(getClaim, listed, account);
            if (result) outcomes.push(result);
          } catch (error) {
            // Nothing was published unless the 'publishing' state was saved first, so skipping is safe; the next call settles it.
            const target = listed.targets[account]!;
            log.error({ jobId: listed.id, account, error: errorMessage(error) }, 'delivery step failed');
            outcomes.push({ jobId: listed.id, account, state: target.state, error: errorMessage(error) });
          }
        }
      } finally {
        await (claim as JobClaim | undefined)?.release();
      }
    }
  } finally {
    for (const turn of turns.values()) await turn.lock?.release();
  }
  return outcomes;
}
