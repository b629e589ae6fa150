import { monthlyBudget, postPrice } from '../../platforms/registry.js';
import type { JobTarget } from '../../queue/job.js';
import type { Holding } from '../../queue/stores.js';
import { nextCronTime } from '../../config/cron.js';
import { dayKey, monthKey } from '../../delivery/day-key.js';
import { openRuntime } from '../context.js';
import type { GlobalOptions, StatusOptions } from '../options.js';

interface AccountSummary {
  platform: string;
  pending: number;
  review: number;
  /** Ids of the jobs waiting for review, for heraut approve / skip. */
  reviewJobs: string[];
  waiting: Array<{ job: string; until?: string; reason?: string }>;
  publishing: number;
  failed: Array<{ job: string; error?: string }>;
  published: number;
  publishedToday: number;
  lastPostAt?: string;
  needsAttention?: string;
  spentThisMonth: number;
  budgetLeft?: number;
  nextSlot?: string;
}

export async function statusCommand(global: GlobalOptions, options: StatusOptions): Promise<void> {
  const runtime = await openRuntime({ ...global, logLevel: global.logLevel === 'info' ? 'warn' : global.logLevel }, { dryRun: options.dryRun });
  const { config } = runtime.loaded;
  const { timezone } = config;
  const now = runtime.now();
  const today = dayKey(now, timezone);
  const month = monthKey(now, timezone);
  const { stores } = runtime;
  const jobs = await stores.jobs.list();
  const accounts: Record<string, AccountSummary> = {};
  for (const [name, account] of Object.entries(config.accounts)) {
    const state = await stores.accounts.get(name);
    const spent = state.spentByMonth?.[month] ?? 0;
    const budget = monthlyBudget(account);
    accounts[name] = {
      platform: account.platform,
      pending: 0,
      review: 0,
      reviewJobs: [],
      waiting: [],
      publishing: 0,
      failed: [],
      published: 0,
      publishedToday: state.postsByDay?.[today] ?? 0,
      lastPostAt: state.lastPostAt,
      needsAttention: state.attention?.message,
      spentThisMonth: round(spent),
      budgetLeft: budget !== undefined ? round(budget - spent) : undefined,
      nextSlot: earliest((account.pace?.slots ?? []).map((slot) => nextCronTime(slot, now, timezone))),
    };
  }
  const feeds: Record<string, { jobs: number; lastPollAt?: string; lastSuccessAt?: string; lastError?: string; consecutiveFailures: number; nextPoll?: string; backingOffUntil?: string; movedTo?: string; failedArticles: Array<{ link: string; reason: string; at: string }> }> = {};
  for (const feed of config.feeds) {
    const state = await stores.feeds.get(feed.id);
    const failedArticles = (await stores.history.failures(feed.id)).map(({ link, reason, at }) => ({ link, reason, at }));
    const backoff = state.nextPollAt && Date.parse(state.nextPollAt) > now.getTime() ? new Date(state.nextPollAt) : undefined;
    // The next scheduled poll that the backoff (if any) lets through.
    const nextPoll = nextCronTime(feed.schedule, backoff ? new Date(backoff.getTime() - 1) : now, timezone);
    feeds[feed.id] = { jobs: 0, lastPollAt: state.lastPollAt, lastSuccessAt: state.lastSuccessAt, lastError: state.lastError, consecutiveFailures: state.consecutiveFailures ?? 0, nextPoll: nextPoll.toISOString(), backingOffUntil: backoff?.toISOString(), movedTo: state.movedTo, failedArticles };
  }
  for (const job of jobs) {
    if (feeds[job.feedId]) feeds[job.feedId]!.jobs++;
    for (const target of Object.values(job.targets)) {
      const summary = accounts[target.account];
      if (summary) count(summary, job.id, target, now);
    }
  }
  const holders = await stores.holders();
  const report = { config: runtime.loaded.file, mode: config.dryRun ? 'dry-run' : 'live', queue: stores.location, feeds, accounts, holders };
  if (options.json) {
    runtime.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [`heraut status (${report.mode}) — ${report.config}`, `queue: ${report.queue}`, '', 'Feeds:'];
    for (const [id, feed] of Object.entries(feeds)) {
      lines.push(`  ${id}: ${feed.jobs} jobs; last success ${feed.lastSuccessAt ?? 'never'}${feed.consecutiveFailures ? `; ${feed.consecutiveFailures} failures in a row, last: ${feed.lastError}` : ''}; next poll ${feed.nextPoll}${feed.backingOffUntil ? ` (backing off until ${feed.backingOffUntil})` : ''}${feed.movedTo ? `; moved to ${feed.movedTo} (update the config)` : ''}`);
      for (const failure of feed.failedArticles.slice(-5)) lines.push(`    not queued: ${shortLink(failure.link)}: ${failure.reason}`);
    }
    lines.push('', 'Accounts:');
    for (const [name, a] of Object.entries(accounts)) {
      lines.push(`  ${name} (${a.platform}): ${a.published} published (${a.publishedToday} today), ${a.pending} pending, ${a.review} in review, ${a.waiting.length} waiting, ${a.publishing} publishing, ${a.failed.length} failed`);
      if (a.nextSlot) lines.push(`    next posting slot: ${a.nextSlot}`);
      if (a.reviewJobs.length > 0) lines.push(`    in review: ${a.reviewJobs.slice(0, 10).join(', ')} (heraut approve <id>, heraut skip <id>)`);
      if (a.needsAttention) lines.push(`    NEEDS ATTENTION: ${a.needsAttention}`);
      if (postPrice(config.accounts[name]!) > 0) lines.push(`    spent this month: $${a.spentThisMonth.toFixed(2)}${a.budgetLeft !== undefined ? `, $${a.budgetLeft.toFixed(2)} left of the budget` : ''}`);
      for (const w of a.waiting.slice(0, 5)) lines.push(`    waiting: ${w.job}${w.until ? ` until ${w.until}` : ''}${w.reason ? ` (${w.reason})` : ''}`);
      for (const f of a.failed.slice(0, 5)) lines.push(`    failed: ${f.job}: ${f.error ?? 'unknown error'} (heraut retry ${f.job})`);
    }
    lines.push('', `Held now:${holders.length === 0 ? ' nothing' : ''}`);
    for (const holding of holders) lines.push(`  ${holding.kind} ${holding.id}: ${heldAs[holding.kind]} by ${holding.worker} (lease until ${holding.until})`);
    runtime.write(`${lines.join('\n')}\n`);
  }
  await runtime.close();
}

const heldAs: Record<Holding['kind'], string> = { job: 'claimed', feed: 'polled', account: 'posting' };

function count(summary: AccountSummary, jobId: string, target: JobTarget, now: Date): void {
  switch (target.state) {
    case 'published':
      summary.published++;
      break;
    case 'failed':
      summary.failed.push({ job: jobId, error: target.lastError?.message });
      break;
    case 'review':
      summary.review++;
      summary.reviewJobs.push(jobId);
      break;
    case 'publishing':
      summary.publishing++;
      break;
    case 'pending':
      if (target.notBefore && Date.parse(target.notBefore) > now.getTime()) summary.waiting.push({ job: jobId, until: target.notBefore, reason: target.waitReason });
      else summary.pending++;
      break;
    default:
      break;
  }
}

function earliest(dates: Date[]): string | undefined {
  if (dates.length === 0) return undefined;
  return new Date(Math.min(...dates.map((date) => date.getTime()))).toISOString();
}

function shortLink(link: string): string {
  return link.length > 120 ? `${link.slice(0, 117)}...` : link;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
