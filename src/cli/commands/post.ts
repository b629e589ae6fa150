import { HerautError } from '../../errors.js';
import { canonicalLink } from '../../feeds/canonical-link.js';
import { readFeed } from '../../feeds/read-feed.js';
import type { Article } from '../../feeds/article.js';
import type { FeedConfig } from '../../config/schema.js';
import { buildJob, feedTargets } from '../../service/enqueue-article.js';
import type { DeliveryOutcome } from '../../delivery/deliver-jobs.js';
import { deliverDue } from '../../service/run-cycle.js';
import type { Runtime } from '../../service/runtime.js';
import { sleep } from '../../service/sleep.js';
import { openRuntime, splitList } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { createProgress } from '../progress.js';

/** The manual trigger: find the article, write its teaser, publish it now (past pacing, within rate limits and budget). */
export async function postCommand(global: GlobalOptions, query: string, options: { to?: string; dryRun?: boolean; force?: boolean }): Promise<void> {
  const runtime = await openRuntime(global, { dryRun: options.dryRun, retryAttention: true });
  try {
    const { feed, article } = await findArticle(runtime, query);
    const accounts = splitList(options.to) ?? feedTargets(runtime, feed);
    for (const account of accounts) {
      if (!runtime.loaded.config.accounts[account]) {
        throw new HerautError('usage', `--to: no account named "${account}"; must be one of: ${Object.keys(runtime.loaded.config.accounts).join(', ')}`);
      }
    }
    // The history, not only the jobs still kept, decides "already posted": a compacted job still counts.
    const seen = await runtime.stores.history.lookup(article, 'link');
    const posted = accounts.flatMap((account) => {
      const target = seen?.jobs.map((job) => job.targets[account]).find((t) => t?.state === 'published');
      return target ? [`${account}${target.postUrl ? ` (${target.postUrl})` : ''}`] : [];
    });
    if (posted.length > 0 && !options.force) throw new HerautError('already-posted', `"${article.title}" was already posted to ${posted.join(', ')}; add --force to post it again`);
    if (seen?.outcome === 'queued' && seen.jobs.length === 0 && !options.force) {
      throw new HerautError('already-posted', `"${article.title}" was queued before, but its job is no longer kept, so heraut cannot tell where it was posted; add --force to post it again`);
    }
    const live = (await Promise.all((seen?.jobs ?? []).map((job) => runtime.stores.jobs.get(job.id)))).find((job) => job !== undefined);
    let jobId: string;
    if (live && !options.force && accounts.every((account) => live.targets[account])) {
      // The service already queued it: publish that job now rather than making a second one.
      jobId = live.id;
      const claim = await runtime.stores.jobs.claim(jobId);
      if (!claim) throw new HerautError('queue-busy', `job ${jobId} is being published by another heraut process right now; run heraut status in a moment`);
      try {
        for (const account of accounts) {
          const target = claim.job.targets[account]!;
          if (target.state === 'review' || (target.state === 'pending' && target.notBefore)) await claim.approve(account);
        }
      } finally {
        await claim.release();
      }
    } else {
      const job = await buildJob(runtime, feed, article, { accounts, review: false });
      if (seen?.jobs.some((earlier) => earlier.id === job.id)) job.id = `${job.id}-${runtime.now().getTime().toString(36)}`;
      await runtime.stores.jobs.add(job);
      jobId = job.id;
    }
    const outcomes = await deliverWaitingOnRateLimits(runtime, jobId, options.force === true);
    for (const outcome of outcomes) {
      if (outcome.state === 'published') runtime.write(`${outcome.account}: ${outcome.postUrl ?? 'published'}\n`);
      else runtime.write(`${outcome.account}: ${outcome.state}${outcome.waitUntil ? ` until ${outcome.waitUntil}` : ''}${outcome.waitReason ? ` (${outcome.waitReason})` : ''}${outcome.error ? `: ${outcome.error}` : ''}\n`);
    }
    if (outcomes.some((outcome) => outcome.state !== 'published')) process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}

const longestRateLimitWait = 15 * 60_000;

/**
 * Publishes the job now; a platform rate limit that lifts within 15 minutes is waited out (with a countdown on a
 * terminal, Ctrl-C stops waiting) rather than leaving the post to the service.
 */
async function deliverWaitingOnRateLimits(runtime: Runtime, jobId: string, force: boolean): Promise<DeliveryOutcome[]> {
  const latest = new Map<string, DeliveryOutcome>();
  const progress = createProgress();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    for (let round = 0; round < 4 && !stop.signal.aborted; round++) {
      for (const outcome of await deliverDue(runtime, { only: [jobId], ignorePacing: true, ignoreBudget: force })) latest.set(outcome.account, outcome);
      const waiting = [...latest.values()].filter((o) => o.state === 'pending' && o.waitReason === 'rate-limit' && o.waitUntil && Date.parse(o.waitUntil) - runtime.now().getTime() <= longestRateLimitWait);
      if (waiting.length === 0) break;
      const until = Math.max(...waiting.map((o) => Date.parse(o.waitUntil!)));
      const who = waiting.map((o) => o.account).join(', ');
      while (!stop.signal.aborted && runtime.now().getTime() < until) {
        progress.update(`waiting for the rate limit of ${who} to lift: ${Math.ceil((until - runtime.now().getTime()) / 1000)} s (Ctrl-C leaves it to the service)`);
        await sleep(Math.min(1_000, until - runtime.now().getTime()), stop.signal);
      }
      progress.done();
    }
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
  }
  return [...latest.values()];
}

async function findArticle(runtime: Runtime, query: string): Promise<{ feed: FeedConfig; article: Article }> {
  let wanted: string | undefined;
  try {
    wanted = canonicalLink(query);
  } catch {
    wanted = undefined;
  }
  const errors: string[] = [];
  for (const feed of runtime.loaded.config.feeds) {
    try {
      const result = await readFeed(feed, { baseDir: runtime.loaded.baseDir, log: runtime.log });
      if (result.status !== 'ok') continue;
      const article = result.articles.find((item) => item.key === query || item.link === query || (wanted !== undefined && item.canonicalLink === wanted));
      if (article) return { feed, article };
    } catch (error) {
      errors.push(`${feed.id}: ${(error as Error).message}`);
    }
  }
  const note = errors.length > 0 ? ` (unreadable feeds: ${errors.join('; ')})` : '';
  throw new HerautError('article-not-found', `no configured feed has an item with URL or guid "${query}"${note}; check the URL, or run heraut preview to list the feeds' items`);
}
