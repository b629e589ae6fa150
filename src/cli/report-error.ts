import { explainSystemError, shortenUrls } from '../error-text.js';
import { errorMessage, exitCodeFor, isHerautError } from '../errors.js';
import { scrubSecrets } from '../secrets.js';

/** The one line a failed command leaves on stderr, and its exit code. Loaded only on the way out: a start that goes well never reads it. */
export function reportError(error: unknown): number {
  const message = isHerautError(error) ? errorMessage(error) : (explainSystemError(error) ?? errorMessage(error));
  process.stderr.write(`heraut: ${shortenUrls(scrubSecrets(message))}\n`);
  if (!isHerautError(error) && process.env.HERAUT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  return exitCodeFor(error);
}
