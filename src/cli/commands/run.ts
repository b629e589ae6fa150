import { writeSync } from 'node:fs';
import { loadConfig } from '../../config/load-config.js';
import { HerautError } from '../../errors.js';
import { createRuntime } from '../../service/runtime.js';
import { runCycle, type CycleReport } from '../../service/run-cycle.js';
import { configSnapshotVariable, reportFdVariable, runService } from '../../service/run-service.js';
import { cliLogger, loadCliConfig, splitList } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { createProgress } from '../progress.js';

export interface RunOptions {
  once?: boolean;
  dryRun?: boolean;
  /** Only these feeds (comma-separated ids). */
  feed?: string;
  /** false with --no-poll: publish what is due without polling. */
  poll?: boolean;
  /** A cycle started by the service: accounts that need attention stay so until the service starts or reloads. */
  keepAttention?: boolean;
}

export async function runCommand(global: GlobalOptions, options: RunOptions): Promise<void> {
  const log = cliLogger(global);
  const snapshot = process.env[configSnapshotVariable];
  const loaded = loadCliConfig(global, log, { dryRun: options.dryRun, text: snapshot, quiet: snapshot !== undefined });
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
    if (!options.once) {
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
    const report = await runCycle(runtime, {
      feeds,
      signal: controller.signal,
      onPoll: (poll, done, total) => progress.update(`polled ${done}/${total} feeds (${poll.feedId}: ${poll.status}${poll.queued ? `, ${poll.queued} new` : ''}); publishing comes next`),
    });
    progress.done();
    await runtime.close();
    sendReport(report);
    const failedPolls = report.polls.filter((poll) => poll.status === 'failed').length;
    const published = report.deliveries.filter((d) => d.state === 'published').length;
    const failed = report.deliveries.filter((d) => d.state === 'failed');
    log[snapshot === undefined ? 'info' : 'debug']({ feeds: report.polls.length, failedPolls, queued: report.polls.reduce((n, p) => n + p.queued, 0), published, failed: failed.length }, 'cycle done');
    // Cron and CI runners only see the exit code: a feed that could not be read or a post that failed for good says 1.
    if (failed.length > 0 || failedPolls > 0) process.exitCode = 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** A cycle run by the service hands its report back on the file descriptor the service opened for it. */
function sendReport(report: CycleReport): void {
  const fd = Number(process.env[reportFdVariable]);
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    writeSync(fd, `${JSON.stringify(report)}\n`);
  } catch {
    // The service went away; the queue already holds everything this cycle did.
  }
}
