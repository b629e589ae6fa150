import { queueReviewModel } from '../../web/queue-review-model.js';
import { assertPageAllowed, createPageHandler, startWebServer } from '../../web/web-server.js';
import { cliLogger, loadCliConfig } from '../context.js';
import type { GlobalOptions } from '../options.js';

export interface WebOptions {
  host: string;
  port: number;
  dryRun?: boolean;
}

/** Serves the review page until SIGINT or SIGTERM. */
export async function webCommand(global: GlobalOptions, options: WebOptions): Promise<void> {
  const log = cliLogger(global);
  const loaded = await loadCliConfig(global, log, { dryRun: options.dryRun });
  const token = loaded.config.web?.token;
  assertPageAllowed(options.host, token);
  const handler = createPageHandler({ model: queueReviewModel({ loaded, log }), host: options.host, token, mode: loaded.config.dryRun ? 'dry-run' : 'live', log });
  const server = await startWebServer({ host: options.host, port: options.port, handler });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  log.info({ url: `http://${shown}:${port}/` }, 'review page listening; Ctrl-C stops it');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
