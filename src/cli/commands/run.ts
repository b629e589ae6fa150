import { HerautError } from '../../errors.js';
import { readCycleConfig, sendCycleReport } from '../../service/cycle-protocol.js';
import { createRuntime } from '../../service/runtime.js';
import { runCycle } from '../../service/run-cycle.js';
import { cliLogger, loadCliConfig, splitList } from '../context.js';
import type { GlobalOptions, RunOptions } from '../options.js';
import { createProgress } from '../progress.js';

export async function runCommand(global: GlobalOptions, options: RunOptions): Promise<void> {
  const log = cliLogger(global);
  const handedOver = options.once ? readCycleConfig() : undefined;
  const inService = handedOver !== undefined;
  const loaded = await loadCliConfig(global, log, { dryRun: options.dryRun, text: handedOver, quiet: inService, cached: true, announce: options.once ? 'debug' : 'info' });
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now; the next start settles unfinished posts');
      process.exit(130);
    }
    log.info({ signal }, 'stopping: the post in flight is finished, nothing new is started');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (!options.once) {
      // Only the service schedules: a cycle (run --once) never loads node-cron.
      const { runService } = await import('../../service/run-service.js');
      const { loadConfig } = await import('../../config/load-config.js');
      await runService({
        loaded,
        log,
        signal: controller.signal,
        globalArgs: ['--config', loaded.file, '--log-level', global.logLevel],
        runArgs: options.dryRun ? ['--dry-run'] : [],
        reload: () => loadConfig({ file: loaded.file, dryRun: options.dryRun }),
        onReloadRequest: (callback) => process.on('SIGHUP', callback),
        page: loaded.config.health ? (await import('../../web/service-page.js')).servicePage(loaded, loaded.config.health.host, log) : undefined,
      });
      return;
    }
    const feedIds = splitList(options.feed);
    const known = loaded.config.feeds.map((feed) => feed.id);
    for (const id of feedIds ?? []) {
      if (!known.includes(id)) throw new HerautError('usage', `--feed: no feed with id "${id}"; must be one of: ${known.join(', ') || '(no feeds configured)'}`);
    }
    const feeds = options.poll === false ? [] : loaded.config.feeds.filter((feed) => !feedIds || feedIds.includes(feed.id));
    const runtime = await createRuntime(loaded, { log, retryAttention: !options.keepAttention });
    const progress = createProgress();
    try {
      const report = await runCycle(runtime, {
        feeds,
        signal: controller.signal,
        onPoll: (poll, done, total) => progress.update(`polled ${done}/${total} feeds (${poll.feedId}: ${poll.status}${poll.queued ? `, ${poll.queued} new` : ''}); publishing comes next`),
      });
      progress.done();
      sendCycleReport(report);
      const failedPolls = report.polls.filter((poll) => poll.status === 'failed').length;
      const published = report.deliveries.filter((d) => d.state === 'published').length;
      const failed = report.deliveries.filter((d) => d.state === 'failed');
      const attention: string[] = [];
      for (const account of Object.keys(loaded.config.accounts)) {
        const state = await runtime.stores.accounts.get(account);
        if (state.attention) attention.push(account);
      }
      const queued = report.polls.reduce((n, p) => n + p.queued, 0);
      // From cron, a run that changed nothing writes nothing (cron mails whatever a job prints); --log-level debug shows it.
      const changed = queued > 0 || report.deliveries.length > 0 || failedPolls > 0 || attention.length > 0;
      log[inService || !changed ? 'debug' : 'info']({ config: loaded.file, feeds: report.polls.length, failedPolls, queued, published, failed: failed.length, attention }, 'cycle done');
      if (attention.length > 0 && !inService) log.error({ accounts: attention }, 'accounts need attention; see heraut status, fix their credentials, then run again');
      // Cron and CI runners only see the exit code: a feed that could not be read, a post that failed for good or an account that waits for a person says 1.
      if (failed.length > 0 || failedPolls > 0 || attention.length > 0) process.exitCode = 1;
    } finally {
      progress.done();
      await runtime.close();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
