import type { FeedConfig } from '../config/schema.js';
import { parseDuration } from '../config/parse-duration.js';
import { errorMessage, isHerautError, policyFor } from '../errors.js';
import { readFeed, type RejectedItem } from '../feeds/read-feed.js';
import { nextPollAfterFailure } from '../net/backoff.js';
import { isTooOld, matchesFilters } from '../feeds/select-articles.js';
import type { Article } from '../feeds/article.js';
import type { AccountLock, ArticleRecord } from '../queue/stores.js';
import type { Runtime } from './runtime.js';

export interface PollOutcome {
  feedId: string;
  /** polled-elsewhere: another worker on the same database holds the feed's poll lease. */
  status: 'ok' | 'not-modified' | 'failed' | 'backing-off' | 'polled-elsewhere';
  items: number;
  queued: number;
  baseline: number;
  skipped: number;
  /** Articles that could not become jobs; recorded with their reason, status lists them. */
  failed: number;
  durationMs?: number;
  error?: string;
}

/** One poll of one feed: fetch, pick what is new, write teasers, store jobs. Never throws: a bad feed stops only itself. */
export async function pollFeed(runtime: Runtime, feed: FeedConfig, options: { signal?: AbortSignal } = {}): Promise<PollOutcome> {
  const started = performance.now();
  const empty = { feedId: feed.id, items: 0, queued: 0, baseline: 0, skipped: 0, failed: 0 };
  const failed = (error: unknown): PollOutcome => {
    // Only the feed's own state could not be read or written: the next poll tries again from the same validators.
    runtime.log.error({ feed: feed.id, err: errorMessage(error) }, 'feed poll failed');
    return { ...empty, status: 'failed', error: errorMessage(error) };
  };
  const { feeds } = runtime.stores;
  let lease: AccountLock | undefined;
  try {
    lease = await feeds.lease?.(feed.id);
  } catch (error) {
    return failed(error);
  }
  if (feeds.lease && !lease) return { ...empty, status: 'polled-elsewhere' };
  try {
    const outcome = await pollFeedOnce(runtime, feed, options).catch(failed);
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  } finally {
    await lease?.release().catch(() => undefined);
  }
}

async function pollFeedOnce(runtime: Runtime, feed: FeedConfig, options: { signal?: AbortSignal }): Promise<PollOutcome> {
  const { stores, log: rootLog } = runtime;
  const log = rootLog.child({ feed: feed.id });
  const now = runtime.now();
  const state = await stores.feeds.get(feed.id);
  const outcome: PollOutcome = { feedId: feed.id, status: 'ok', items: 0, queued: 0, baseline: 0, skipped: 0, failed: 0 };
  if (state.nextPollAt && Date.parse(state.nextPollAt) > now.getTime()) {
    log.debug({ until: state.nextPollAt }, 'feed is backing off');
    return { ...outcome, status: 'backing-off' };
  }
  state.lastPollAt = now.toISOString();
  try {
    const result = await readFeed(feed, { baseDir: runtime.loaded.baseDir, state: { etag: state.etag, lastModified: state.lastModified, movedTo: state.movedTo }, timezone: runtime.loaded.config.timezone, signal: options.signal, log: rootLog });
    if (result.status !== 'not-modified') {
      if (result.movedTo && result.movedTo !== state.movedTo) {
        log.warn({ url: feed.url, movedTo: result.movedTo }, 'feed moved permanently; update its url in the configuration');
        state.movedTo = result.movedTo;
      }
      outcome.items = result.articles.length;
      Object.assign(outcome, await takeNewArticles(runtime, feed, result.articles));
      outcome.failed += await recordRejected(runtime, feed, result.rejected);
    }
    // The validators only once every article of this document is queued or recorded: until then the next poll reads it again.
    Object.assign(state, { etag: result.state.etag, lastModified: result.state.lastModified });
    state.lastSuccessAt = now.toISOString();
    if (state.consecutiveFailures > 0) await runtime.alerts.resolve(`feed-failing:${feed.id}`);
    state.consecutiveFailures = 0;
    state.lastError = undefined;
    state.nextPollAt = undefined;
    await stores.feeds.put(feed.id, state);
    return result.status === 'not-modified' ? { ...outcome, status: 'not-modified' } : outcome;
  } catch (error) {
    state.consecutiveFailures = (state.consecutiveFailures ?? 0) + 1;
    state.lastError = errorMessage(error);
    const retryAt = isHerautError(error) ? error.retryAt : undefined;
    state.nextPollAt = nextPollAfterFailure(state.consecutiveFailures, now, retryAt).toISOString();
    await stores.feeds.put(feed.id, state);
    if (state.consecutiveFailures >= feedFailuresBeforeAlert)
      await runtime.alerts.raise({ kind: 'feed-failing', key: `feed-failing:${feed.id}`, subject: feed.id, message: `feed ${feed.id} failed ${state.consecutiveFailures} polls in a row: ${state.lastError}`, fix: 'Check that its url still serves a feed (heraut preview URL); heraut keeps trying with backoff.' });
    log.warn({ url: feed.url, code: isHerautError(error) ? error.code : 'unexpected', err: errorMessage(error), failures: state.consecutiveFailures, nextPollAt: state.nextPollAt }, 'feed poll failed');
    return { ...outcome, status: 'failed', error: errorMessage(error) };
  }
}

async function takeNewArticles(runtime: Runtime, feed: FeedConfig, articles: Article[]): Promise<Pick<PollOutcome, 'queued' | 'baseline' | 'skipped' | 'failed'>> {
  const { history, jobs } = runtime.stores;
  const log = runtime.log.child({ feed: feed.id });
  const firstTime = !(await history.hasSeenFeed(feed.id));
  const unique = dedupeWithin(await history.unknownOf(articles, feed.dedupe));
  let toPost = unique;
  const records: ArticleRecord[] = [];
  const recordAs = (article: Article, outcome: ArticleRecord['outcome']) => records.push({ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome });
  if (firstTime && feed.firstRun !== 'all') {
    const keep = feed.firstRun.startsWith('latest:') ? Number(feed.firstRun.slice('latest:'.length)) : 0;
    toPost = keep > 0 ? unique.slice(-keep) : [];
    const baseline = unique.slice(0, unique.length - toPost.length);
    for (const article of baseline) recordAs(article, 'baseline');
    log.info({ recorded: baseline.length, posting: toPost.length, firstRun: feed.firstRun }, 'first poll of this feed: existing items recorded as seen, not posted');
  }
  const maxAgeMs = parseDuration(feed.maxAge);
  const now = runtime.now();
  let skipped = 0;
  let failedFilters = 0;
  const posting: Article[] = [];
  for (const article of toPost) {
    if (isTooOld(article, maxAgeMs, now)) {
      recordAs(article, 'skipped');
      skipped++;
    } else {
      let matches: boolean;
      try {
        matches = matchesFilters(article, feed);
      } catch (error) {
        records.push({ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome: 'failed', reason: errorMessage(error), link: article.link });
        failedFilters++;
        continue;
      }
      if (matches) posting.push(article);
      else {
        recordAs(article, 'filtered');
        skipped++;
      }
    }
  }
  const baseline = records.length - skipped - failedFilters;
  if (records.length > 0) await history.record(records);
  if (firstTime) await history.markFeedSeen(feed.id);
  // Writing teasers loads the teaser modules and dictionaries: only when there is something to post.
  const { buildJob } = posting.length > 0 ? await import('./enqueue-article.js') : { buildJob: undefined };
  let queued = 0;
  let failed = failedFilters;
  for (const article of posting) {
    let job;
    try {
      job = await buildJob!(runtime, feed, article);
    } catch (error) {
      // A transient fault (the LLM is down) fails the poll, so the document is read again; anything else is this article's alone.
      if (policyFor(error).action === 'backoff') throw error;
      const reason = errorMessage(error);
      await history.record([{ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome: 'failed', reason, link: article.link }]);
      failed++;
      log.warn({ link: article.link.slice(0, 200), code: isHerautError(error) ? error.code : 'bug', reason }, 'article could not be queued; recorded with its reason');
      continue;
    }
    await jobs.add(job);
    queued++;
    log.info({ job: job.id, title: article.title }, 'new article queued');
  }
  if (skipped > 0) log.info({ skipped, maxAge: feed.maxAge }, 'items too old or filtered out, recorded as skipped');
  return { queued, skipped, baseline, failed };
}

const feedFailuresBeforeAlert = 3;

/** Items the parser set aside (too deep, too large, unreadable) are recorded once, with their reason, so status shows them. */
async function recordRejected(runtime: Runtime, feed: FeedConfig, rejected: RejectedItem[]): Promise<number> {
  const { history } = runtime.stores;
  const candidates = rejected.map((item): ArticleRecord => ({ feedId: feed.id, key: `rejected:${item.link ?? item.reason}`, canonicalLink: item.link ?? `rejected:${item.reason}`, outcome: 'failed', reason: item.reason, link: item.link ?? feed.url }));
  const records = await history.unknownOf(candidates, 'feed');
  if (records.length > 0) await history.record(records);
  return records.length;
}

/** A feed can list the same article twice (same key or same link); only the first counts. */
function dedupeWithin(articles: Article[]): Article[] {
  const keys = new Set<string>();
  const links = new Set<string>();
  return articles.filter((article) => {
    if (keys.has(article.key) || links.has(article.canonicalLink)) return false;
    keys.add(article.key);
    links.add(article.canonicalLink);
    return true;
  });
}
