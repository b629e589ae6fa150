import type { LoadedConfig } from '../config/load-config.js';
import { errorMessage, HerautError, isHerautError } from '../errors.js';
import type { Logger } from '../log.js';
import { monthlyBudget } from '../platforms/registry.js';
import type { Job, JobTarget } from '../queue/job.js';
import { monthKey } from '../delivery/day-key.js';
import { queueView } from '../queue/queue-view.js';
import { reviewableFrom } from '../queue/transitions.js';
import { createRuntime } from '../service/runtime.js';
import { measureFor } from '../teaser/fit-teaser.js';
import type { TeaserLength } from '../teaser/teaser.js';
import { checkEditedTeaser } from '../teaser/write-teasers.js';
import { postParts } from './post-parts.js';
import { byReviewOrder, jobState, type JobView, type Measure, type ReviewAction, type ReviewModel, type TargetView } from './review-model.js';


/** The review page over the queue's stores: reads with a queue view, changes a job through its claim's named transitions, as `heraut approve` does. */
export function queueReviewModel(options: { loaded: LoadedConfig; log: Logger; now?: () => Date }): ReviewModel {
  const { loaded, log } = options;
  const { config } = loaded;
  const now = options.now ?? (() => new Date());
  const view = queueView({ dir: loaded.queueUrl ?? loaded.queueDir, namespace: config.dryRun ? 'dry-run' : 'live', log });
  // The link and platform of each listed target, so that measuring a draft while it is typed reads no file.
  const known = new Map<string, Pick<JobTarget, 'platform' | 'teaser'>>();

  function targetView(job: Job, target: JobTarget): TargetView {
    const { teaser } = target;
    known.set(`${job.id}/${target.account}`, { platform: target.platform, teaser });
    const waiting = target.state === 'pending' && target.notBefore && Date.parse(target.notBefore) > now().getTime();
    return {
      account: target.account,
      platform: target.platform,
      state: target.state,
      text: teaser.text,
      parts: postParts(target.platform, teaser.text, teaser.link, teaser.facets),
      measure: measure(target, teaser.text),
      media: target.media ?? config.accounts[target.account]?.media ?? 'none',
      edited: teaser.edited === true,
      ...(waiting ? { waitingUntil: target.notBefore, waitReason: target.waitReason } : {}),
      ...(target.lastError ? { lastError: target.lastError.message } : {}),
      ...(target.postUrl ? { postUrl: target.postUrl } : {}),
    };
  }

  function jobView(job: Job): JobView {
    const targets = Object.values(job.targets).map((target) => targetView(job, target));
    const { article } = job;
    return {
      id: job.id,
      feedId: job.feedId,
      createdAt: job.createdAt,
      state: jobState(targets.map((target) => target.state)),
      article: { title: article.title, link: article.link, summary: article.summary, ...(article.image ? { image: article.image } : {}) },
      targets,
    };
  }

  async function change(jobId: string, account: string | undefined, action: ReviewAction | 'edit', text?: string): Promise<JobView> {
    const runtime = await createRuntime(loaded, { log, now });
    try {
      const claim = await runtime.stores.jobs.claim(jobId);
      if (!claim) throw new HerautError('queue-busy', `job ${jobId} is being published right now; try again in a moment`);
      try {
        const names = account ? [account] : Object.keys(claim.job.targets);
        for (const name of names) {
          const target = claim.job.targets[name];
          if (!target) throw new HerautError('usage', `job ${jobId} has no target "${name}"; it has: ${Object.keys(claim.job.targets).join(', ')}`);
          if (!reviewableFrom[action].includes(target.state)) {
            if (account) throw new HerautError('usage', `${name} of job ${jobId} is ${target.state}; only a target in ${reviewableFrom[action].join(' or ')} can be changed this way`);
            continue;
          }
          if (action === 'edit') await claim.edit(name, { ...checkEditedTeaser(target.platform, text ?? '', target.teaser.link, target.teaser.langs), writer: target.teaser.writer });
          else await claim[action](name);
        }
        const job = claim.job;
        log.info({ jobId, account, action }, 'job changed from the review page');
        return jobView(job);
      } finally {
        await claim.release();
      }
    } finally {
      await runtime.close();
    }
  }

  /** The check a Save makes, and its length; measured once (twitter-text is the costly part while typing). */
  function measure(target: Pick<JobTarget, 'platform' | 'teaser'>, text: string): Measure {
    let length: TeaserLength;
    let refusal: string | undefined;
    try {
      length = checkEditedTeaser(target.platform, text, target.teaser.link, target.teaser.langs).length;
    } catch (error) {
      if (!isHerautError(error, 'teaser-invalid')) throw error;
      refusal = errorMessage(error);
      length = (error.details?.length as TeaserLength | undefined) ?? measureFor(target.platform, text);
    }
    return { used: length.weighted ?? length.graphemes ?? 0, limit: length.limit, ...(refusal ? { refusal } : {}) };
  }

  async function list(): Promise<JobView[]> {
    return (await view.listJobs()).map(jobView).sort(byReviewOrder);
  }

  return {
    list,
    async health() {
      const [feeds, accounts] = await Promise.all([view.feedStates(), view.accountStates()]);
      const month = monthKey(now(), config.timezone);
      return {
        feeds: config.feeds.map((feed) => {
          const state = feeds[feed.id];
          return { id: feed.id, lastPollAt: state?.lastPollAt, lastSuccessAt: state?.lastSuccessAt, consecutiveFailures: state?.consecutiveFailures ?? 0, lastError: state?.lastError };
        }),
        accounts: Object.entries(config.accounts).map(([name, account]) => ({
          name,
          platform: account.platform,
          needsAttention: accounts[name]?.attention?.message,
          spentThisMonth: accounts[name]?.spentByMonth?.[month] ?? 0,
          monthlyBudget: monthlyBudget(account),
        })),
      };
    },
    approve: (jobId, account) => change(jobId, account, 'approve'),
    skip: (jobId, account) => change(jobId, account, 'skip'),
    retry: (jobId, account) => change(jobId, account, 'retry'),
    edit: (jobId, account, text) => change(jobId, account, 'edit', text),
    async measure(jobId, account, text) {
      let target = known.get(`${jobId}/${account}`);
      if (!target) {
        await list();
        target = known.get(`${jobId}/${account}`);
      }
      if (!target) throw new HerautError('article-not-found', `job ${jobId} has no target "${account}"; reload the page`);
      return measure(target, text);
    },
  };
}
