import type { FeedConfig } from '../config/schema.js';
import { parseDuration } from '../config/schema.js';
import { errorMessage, isHerautError } from '../errors.js';
import { nextPollAfterFailure } from '../feeds/feed-backoff.js';
import { readFeed } from '../feeds/read-feed.js';
import { isTooOld, matchesFilters } from '../feeds/select-articles.js';
import type { Article } from '../feeds/article.js';
import type { Runtime } from './runtime.js';

export interface PollOutcome {
  feedId: string;
  status: 'ok' | 'not-modified' | 'failed' | 'backing-off';
  items: number;
  queued: number;
  baseline: number;
  skipped: number;
  durationMs?: number;
  error?: string;
}

/** One poll of one feed: fetch, pick what is new, write teasers, store jobs. Never throws: a bad feed stops only itself. */
export async function pollFeed(runtime: Runtime, feed: FeedConfig, options: { signal?: AbortSignal } = {}): Promise<PollOutcome> {
  const started = performance.now();
  const outcome = await pollFeedOnce(runtime, feed, options);
  return { ...outcome, durationMs: Math.round(performance.now() - started) };
}

async function pollFeedOnce(runtime: Runtime, feed: FeedConfig, options: { signal?: AbortSignal }): Promise<PollOutcome> {
  const { queue, log: rootLog } = runtime;
  const log = rootLog.child({ feed: feed.id });
  const now = runtime.now();
  const state = { ...queue.feedState(feed.id) };
  const outcome: PollOutcome = { feedId: feed.id, status: 'ok', items: 0, queued: 0, baseline: 0, skipped: 0 };
  if (state.nextPollAt && Date.parse(state.nextPollAt) > now.getTime()) {
    log.debug({ until: state.nextPollAt }, 'feed is backing off');
    return { ...outcome, status: 'backing-off' };
  }
  state.lastPollAt = now.toISOString();
  try {
    const result = await readFeed(feed, { baseDir: runtime.loaded.baseDir, state: { etag: state.etag, lastModified: state.lastModified, movedTo: state.movedTo }, signal: options.signal, log: rootLog });
    Object.assign(state, { etag: result.state.etag, lastModified: result.state.lastModified });
    state.lastSuccessAt = now.toISOString();
    state.consecutiveFailures = 0;
    state.lastError = undefined;
    state.nextPollAt = undefined;
    if (result.status === 'not-modified') {
      await queue.saveFeedState(feed.id, state);
      return { ...outcome, status: 'not-modified' };
    }
    if (result.movedTo && result.movedTo !== state.movedTo) {
      log.warn({ url: feed.url, movedTo: result.movedTo }, 'feed moved permanently; update its url in the configuration');
      state.movedTo = result.movedTo;
    }
    outcome.items = result.articles.length;
    Object.assign(outcome, await takeNewArticles(runtime, feed, result.articles));
    await queue.saveFeedState(feed.id, state);
    return outcome;
  } catch (error) {
    state.consecutiveFailures = (state.consecutiveFailures ?? 0) + 1;
    state.lastError = errorMessage(error);
    const retryAt = isHerautError(error) ? error.retryAt : undefined;
    state.nextPollAt = nextPollAfterFailure(state.consecutiveFailures, now, retryAt).toISOString();
    await queue.saveFeedState(feed.id, state);
    log.warn({ url: feed.url, code: isHerautError(error) ? error.code : 'unexpected', err: errorMessage(error), failures: state.consecutiveFailures, nextPollAt: state.nextPollAt }, 'feed poll failed');
    return { ...outcome, status: 'failed', error: errorMessage(error) };
  }
}

async function takeNewArticles(runtime: Runtime, feed: FeedConfig, articles: Article[]): Promise<Pick<PollOutcome, 'queued' | 'baseline' | 'skipped'>> {
  const { queue } = runtime;
  const log = runtime.log.child({ feed: feed.id });
  const firstTime = !queue.hasSeenFeed(feed.id);
  const fresh = articles.filter((article) => !queue.isKnown(feed.id, article.key, article.canonicalLink, feed.dedupe));
  const unique = dedupeWithin(fresh);
  let toPost = unique;
  const remember: Parameters<typeof queue.remember>[0] = [];
  if (firstTime && feed.firstRun !== 'all') {
    const keep = feed.firstRun.startsWith('latest:') ? Number(feed.firstRun.slice('latest:'.length)) : 0;
    toPost = keep > 0 ? unique.slice(-keep) : [];
    const baseline = unique.slice(0, unique.length - toPost.length);
    for (const article of baseline) remember.push({ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome: 'baseline' });
    log.info({ recorded: baseline.length, posting: toPost.length, firstRun: feed.firstRun }, 'first poll of this feed: existing items recorded as seen, not posted');
  }
  const maxAgeMs = parseDuration(feed.maxAge);
  const now = runtime.now();
  let queued = 0;
  let skipped = 0;
  const posting: Article[] = [];
  for (const article of toPost) {
    if (isTooOld(article, maxAgeMs, now)) {
      remember.push({ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome: 'skipped' });
      skipped++;
    } else if (!matchesFilters(article, feed)) {
      remember.push({ feedId: feed.id, key: article.key, canonicalLink: article.canonicalLink, outcome: 'filtered' });
      skipped++;
    } else posting.push(article);
  }
  if (remember.length > 0) await queue.remember(remember);
  if (firstTime) await queue.markFeedSeen(feed.id);
  // Writing teasers loads the teaser modules and dictionaries: only when there is something to post.
  const { buildJob } = posting.length > 0 ? await import('./enqueue-article.js') : { buildJob: undefined };
  for (const article of posting) {
    const job = await buildJob!(runtime, feed, article);
    await queue.addJob(job);
    queued++;
    log.info({ job: job.id, title: article.title }, 'new article queued');
  }
  if (skipped > 0) log.info({ skipped, maxAge: feed.maxAge }, 'items too old or filtered out, recorded as skipped');
  return { queued, skipped, baseline: remember.filter((entry) => entry.outcome === 'baseline').length };
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
