import { parseDuration, type Account, type Config } from '../config/schema.js';
import { errorMessage, isHerautError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PostRequest, PostResult, Publisher } from '../platforms/platform.js';
import { monthlyBudget, postPrice } from '../platforms/registry.js';
import { backoffDelay } from './backoff.js';
import type { FileLock } from './file-lock.js';
import type { Job, JobTarget, TargetState } from './job.js';
import { dayKey, monthKey, nextAllowedAt, nextMonthStart } from './pace.js';
import type { AccountState, Claim, Queue } from './queue.js';

export interface DeliverOptions {
  queue: Queue;
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
}

export interface DeliveryOutcome {
  jobId: string;
  account: string;
  state: TargetState;
  postUrl?: string;
  error?: string;
  waitUntil?: string;
  waitReason?: string;
}


interface Wait {
  reason: string;
  until?: Date;
  error?: string;
}

/** Waits that come from the account's situation; they are worked out afresh each time, the stored notBefore is only for status. */
const recomputedReasons = new Set(['gap', 'slot', 'max-per-day', 'budget', 'attention', 'busy', 'no-account', 'no-publisher']);
const recentPostKeysKept = 50;

interface AccountSession {
  lock?: FileLock;
  state: AccountState;
  /** Set when this account takes no more work in this call. */
  stop?: Wait;
}

function isDeliverable(target: JobTarget): boolean {
  return target.state === 'pending' || target.state === 'publishing';
}


function roundMoney(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
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
 * Delivers every due target of the queue, oldest job first. Exactly once: a target is saved as
 * 'publishing' (with its postKey) before the platform is called, under a per-job claim; a target
 * found 'publishing' belonged to a process that died and is settled by retrying the same text
 * and postKey, which the platforms treat as the same post.
 */
export async function deliverJobs(options: DeliverOptions): Promise<DeliveryOutcome[]> {
  const { queue, log, timezone } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const baseDelay = parseDuration(options.retry.baseDelay);
  const maxDelay = parseDuration(options.retry.maxDelay);
  const only = options.only ? new Set(options.only) : undefined;
  const sessions = new Map<string, AccountSession>();
  const publishers = new Map<string, Publisher>();
  const outcomes: DeliveryOutcome[] = [];

  async function session(account: string): Promise<AccountSession> {
    let found = sessions.get(account);
    if (found) return found;
    const lock = await queue.lockAccount(account);
    if (lock) {
      found = { lock, state: await queue.loadAccountState(account) };
    } else {
      found = { state: queue.accountState(account), stop: { reason: 'busy', error: 'another heraut process is posting for this account' } };
    }
    sessions.set(account, found);
    return found;
  }

  async function saveAccount(account: string, current: AccountSession): Promise<void> {
    await queue.saveAccountState(account, current.state);
  }

  function waitFor(job: Job, target: JobTarget, config: Account, current: AccountSession): Wait | undefined {
    const at = now();
    const { state } = current;
    if (state.attention) return { reason: 'attention', error: state.attention.message };
    if (state.holdUntil && Date.parse(state.holdUntil) > at.getTime()) return { reason: state.holdReason ?? 'rate-limit', until: new Date(state.holdUntil) };
    const stored = target.notBefore ? Date.parse(target.notBefore) : NaN;
    const reason = target.waitReason ?? 'backoff';
    if (stored > at.getTime() && !recomputedReasons.has(reason) && !(options.ignorePacing && reason === 'backoff')) {
      return { reason, until: new Date(stored) };
    }
    if (!options.ignorePacing) {
      const created = Date.parse(job.createdAt);
      const dueAt = new Date(Math.min(at.getTime(), Math.max(created, Number.isFinite(stored) ? stored : created)));
      const pace = nextAllowedAt(config.pace, state, { now: at, timezone, dueAt });
      if (pace) return pace;
    }
    const monthly = monthlyBudget(config);
    if (monthly !== undefined && !options.ignoreBudget) {
      const spent = state.spentByMonth[monthKey(at, timezone)] ?? 0;
      if (spent + postPrice(config) > monthly + 1e-9) {
        return { reason: 'budget', until: nextMonthStart(at, timezone), error: `monthly budget of $${monthly} reached ($${roundMoney(spent)} spent)` };
      }
    }
    return undefined;
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

  async function recordWait(claim: Claim, targetId: string, wait: Wait): Promise<void> {
    const target = claim.job.targets[targetId]!;
    const until = wait.until?.toISOString();
    if (wait.reason === 'busy' || (target.notBefore === until && target.waitReason === wait.reason)) return;
    const job = structuredClone(claim.job);
    const updated = job.targets[targetId]!;
    updated.waitReason = wait.reason;
    if (until) updated.notBefore = until;
    else delete updated.notBefore;
    await claim.save(job);
  }

  async function publisherFor(account: string, current: AccountSession): Promise<Publisher | undefined> {
    const cached = publishers.get(account);
    if (cached) return cached;
    try {
      const created = await options.publisher(account);
      publishers.set(account, created);
      return created;
    } catch (error) {
      const message = errorMessage(error);
      if (isHerautError(error, 'platform-auth') || isHerautError(error, 'config-invalid')) {
        current.state.attention = { code: error.code, message, at: now().toISOString() };
        await saveAccount(account, current);
        log.error({ account, code: error.code, error: message }, 'account needs attention');
        current.stop = { reason: 'attention', error: message };
      } else {
        log.warn({ account, error: message }, 'publisher unavailable');
        current.stop = { reason: 'no-publisher', error: message };
      }
      return undefined;
    }
  }

  async function publishTarget(claim: Claim, targetId: string, config: Account, current: AccountSession, publisher: Publisher): Promise<void> {
    const account = claim.job.targets[targetId]!.account;
    const job = structuredClone(claim.job);
    const target = job.targets[targetId]!;
    if (target.state === 'publishing') log.info({ jobId: job.id, account, postKey: target.postKey }, 'settling a post left publishing');
    target.state = 'publishing';
    target.attempts += 1;
    delete target.notBefore;
    delete target.waitReason;
    await claim.save(job);

    let result: PostResult | undefined;
    let failure: unknown;
    try {
      result = await publisher.publish(postRequestFor(job, target, config), options.signal);
    } catch (error) {
      failure = error;
    }
    const at = now();
    const after = structuredClone(job);
    const settled = after.targets[targetId]!;
    const { state } = current;

    if (result) {
      // The account is saved first: a crash between the two saves can only over-count spending, never under-count it.
      if (!state.recentPostKeys?.includes(target.postKey)) {
        const day = dayKey(at, timezone);
        const month = monthKey(at, timezone);
        state.postsByDay[day] = (state.postsByDay[day] ?? 0) + 1;
        const price = postPrice(config);
        if (price > 0) state.spentByMonth[month] = roundMoney((state.spentByMonth[month] ?? 0) + price);
        state.recentPostKeys = [...(state.recentPostKeys ?? []), target.postKey].slice(-recentPostKeysKept);
      }
      state.lastPostAt = at.toISOString();
      if (state.holdReason) delete state.holdReason;
      delete state.holdUntil;
      await saveAccount(account, current);
      settled.state = 'published';
      settled.postId = result.id;
      settled.postUrl = result.url;
      settled.publishedAt = at.toISOString();
      await claim.save(after);
      log.info({ jobId: job.id, account, postUrl: result.url, alreadyPosted: result.alreadyPosted ?? false }, 'published');
      return;
    }

    const message = errorMessage(failure);
    const code = isHerautError(failure) ? failure.code : 'unknown';
    settled.lastError = { code, message, at: at.toISOString() };
    if (code === 'platform-auth' || code === 'config-invalid') {
      settled.state = 'pending';
      state.attention = { code, message, at: at.toISOString() };
      await saveAccount(account, current);
      current.stop = { reason: 'attention', error: message };
      log.error({ jobId: job.id, account, code, error: message }, 'account needs attention');
    } else if (code === 'platform-rejected' || code === 'teaser-invalid') {
      settled.state = 'failed';
      log.warn({ jobId: job.id, account, code, error: message }, 'post rejected');
    } else if (code === 'platform-rate-limited') {
      const retryAt = isHerautError(failure) && failure.retryAt ? failure.retryAt : at.getTime() + backoffDelay(1, baseDelay, maxDelay, random);
      const until = new Date(Math.max(retryAt, at.getTime()));
      settled.state = 'pending';
      settled.notBefore = until.toISOString();
      settled.waitReason = 'rate-limit';
      state.holdUntil = until.toISOString();
      state.holdReason = 'rate-limit';
      await saveAccount(account, current);
      current.stop = { reason: 'rate-limit', until, error: message };
      log.warn({ jobId: job.id, account, until: until.toISOString() }, 'rate limited');
    } else if (settled.attempts >= options.retry.maxAttempts) {
      settled.state = 'failed';
      settled.lastError.message = `gave up after ${settled.attempts} attempts: ${message}`;
      log.warn({ jobId: job.id, account, code, attempts: settled.attempts, error: message }, 'post failed');
    } else {
      const until = new Date(at.getTime() + backoffDelay(settled.attempts, baseDelay, maxDelay, random));
      settled.state = 'pending';
      settled.notBefore = until.toISOString();
      settled.waitReason = 'backoff';
      if (code === 'platform-unavailable') current.stop = { reason: 'backoff', until, error: message };
      log.warn({ jobId: job.id, account, code, attempts: settled.attempts, until: until.toISOString(), error: message }, 'post will be retried');
    }
    await claim.save(after);
  }

  async function deliverTarget(getClaim: () => Promise<Claim | undefined>, listed: Job, targetId: string): Promise<DeliveryOutcome | undefined> {
    const snapshot = listed.targets[targetId]!;
    if (!isDeliverable(snapshot)) return only ? outcome(listed, snapshot) : undefined;
    const account = snapshot.account;
    const config = options.accounts[account];
    if (!config) {
      return outcome(listed, snapshot, { reason: 'no-account', error: `no account named "${account}" in the config; add it back, or the target waits` });
    }
    const current = await session(account);
    if (current.stop) return outcome(listed, snapshot, current.stop);
    const claim = await getClaim();
    if (!claim) return outcome(listed, snapshot, { reason: 'busy', error: 'another heraut process holds this job' });
    const target = claim.job.targets[targetId];
    if (!target || !isDeliverable(target)) return target ? outcome(claim.job, target) : undefined;
    const wait = waitFor(claim.job, target, config, current);
    if (wait) {
      if (wait.reason === 'budget' && current.state.holdReason !== 'budget') {
        log.warn({ account, error: wait.error }, 'budget reached; posts wait');
        current.state.holdReason = 'budget';
        await saveAccount(account, current);
      }
      await recordWait(claim, targetId, wait);
      return outcome(claim.job, claim.job.targets[targetId]!, wait);
    }
    const publisher = await publisherFor(account, current);
    if (!publisher) return outcome(claim.job, target, current.stop);
    await publishTarget(claim, targetId, config, current, publisher);
    return outcome(claim.job, claim.job.targets[targetId]!);
  }

  try {
    for (const listed of await queue.listJobs()) {
      if (options.signal?.aborted) break;
      if (only && !only.has(listed.id)) continue;
      let claim: Claim | undefined;
      let claimTried = false;
      const getClaim = async () => {
        if (!claimTried) {
          claimTried = true;
          claim = await queue.claim(listed.id).catch((error: unknown) => {
            log.warn({ jobId: listed.id, error: errorMessage(error) }, 'job skipped');
            return undefined;
          });
        }
        return claim;
      };
      try {
        for (const targetId of Object.keys(listed.targets)) {
          if (options.signal?.aborted) break;
          try {
            const result = await deliverTarget(getClaim, listed, targetId);
            if (result) outcomes.push(result);
          } catch (error) {
            // Nothing was published unless the 'publishing' state was saved first, so skipping is safe; the next call settles it.
            const target = listed.targets[targetId]!;
            log.error({ jobId: listed.id, account: target.account, error: errorMessage(error) }, 'delivery step failed');
            outcomes.push({ jobId: listed.id, account: target.account, state: target.state, error: errorMessage(error) });
          }
        }
      } finally {
        await (claim as Claim | undefined)?.release();
      }
    }
  } finally {
    for (const current of sessions.values()) await current.lock?.release();
  }
  return outcomes;
}
