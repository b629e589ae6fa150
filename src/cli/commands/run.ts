import { loadConfig } from '../../config/load-config.js';
import { createRuntime } from '../../service/runtime.js';
import { runCycle } from '../../service/run-cycle.js';
import { runService } from '../../service/run-service.js';
import { cliLogger, loadCliConfig } from '../context.js';
import { createProgress } from '../progress.js';
import type { GlobalOptions } from '../main.js';

export async function runCommand(global: GlobalOptions, options: { once?: boolean; dryRun?: boolean }): Promise<void> {
  const log = cliLogger(global);
  const runtime = await createRuntime(loadCliConfig(global, log, { dryRun: options.dryRun }), { log, retryAttention: true });
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now; the next start settles unfinished posts');
      process.exit(130);
    }
    log.info({ signal }, 'stopping');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (options.once) {
      const progress = createProgress();
      const report = await runCycle(runtime, {
        signal: controller.signal,
        onPoll: (poll, done, total) => progress.update(`polled ${done}/${total} feeds (${poll.feedId}: ${poll.status}${poll.queued ? `, ${poll.queued} new` : ''}); publishing comes next`),
      });
      progress.done();
      const failedPolls = report.polls.filter((poll) => poll.status === 'failed').length;
      const published = report.deliveries.filter((d) => d.state === 'published').length;
      const failed = report.deliveries.filter((d) => d.state === 'failed');
      log.info({ feeds: report.polls.length, failedPolls, queued: report.polls.reduce((n, p) => n + p.queued, 0), published, failed: failed.length }, 'cycle done');
      await runtime.close();
      // Cron and CI runners only see the exit code: a feed that could not be read or a post that failed for good says 1.
      if (failed.length > 0 || failedPolls > 0) process.exitCode = 1;
      return;
    }
    await runService(runtime, {
      signal: controller.signal,
      reload: async () => createRuntime(loadConfig({ file: global.config, dryRun: options.dryRun }), { log, retryAttention: true }),
      onReloadRequest: (callback) => process.on('SIGHUP', callback),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
