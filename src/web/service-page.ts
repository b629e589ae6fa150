import type { RequestListener } from 'node:http';
import type { LoadedConfig } from '../config/load-config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { assertPageAllowed, createPageHandler, type PageHandler } from './web-server.js';

/**
 * The review page as `heraut run` serves it on its health port. The queue and teaser code it needs is loaded on the
 * first request, so a service nobody looks at stays small. Beyond loopback without web.token it only says why it is off.
 */
export function servicePage(loaded: LoadedConfig, host: string, log: Logger): RequestListener {
  const token = loaded.config.web?.token;
  try {
    assertPageAllowed(host, token);
  } catch (error) {
    const reason = errorMessage(error);
    log.warn({ reason }, 'review page off');
    return (_request, response) => void response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`review page off: ${reason}\n`);
  }
  let handler: Promise<PageHandler> | undefined;
  return (request, response) => {
    handler ??= import('./queue-review-model.js').then(({ queueReviewModel }) =>
      createPageHandler({ model: queueReviewModel({ loaded, log }), host, token, mode: loaded.config.dryRun ? 'dry-run' : 'live', log }),
    );
    void handler.then((handle) => handle(request, response));
  };
}
