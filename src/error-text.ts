/** Turning what Node and libraries throw into one line a person can act on. */

const longUrl = /\b([a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]{60})[^\s"'<>()]{40,}/gi;

/** A URL in an error is a clue, not a payload: a 1,800-character link is cut to a short prefix. */
export function shortenUrls(text: string): string {
  return text.replace(longUrl, '$1…');
}

const fixes: Record<string, (where: string) => string> = {
  EACCES: (where) => `${where}: permission denied (EACCES); let this user write there (chown or chmod), or point queue: in the configuration to a folder it owns`,
  EPERM: (where) => `${where}: operation not permitted (EPERM); let this user write there (chown or chmod), or point queue: in the configuration to a folder it owns`,
  EROFS: (where) => `${where}: the file system is read-only (EROFS); point queue: in the configuration to a writable folder`,
  ENOTDIR: (where) => `${where}: part of this path is a file, not a folder (ENOTDIR); fix the path, or move that file away`,
  EISDIR: (where) => `${where}: is a folder, not a file (EISDIR); give the path of a file`,
  ENOSPC: (where) => `${where}: no space left on the device (ENOSPC); free some space, then run again: the queue keeps what was done`,
  EDQUOT: (where) => `${where}: disk quota exceeded (EDQUOT); free some space, then run again: the queue keeps what was done`,
  EMFILE: (where) => `${where}: too many open files (EMFILE); raise the limit (ulimit -n) or poll fewer feeds at once`,
  EADDRINUSE: (where) => `${where}: already in use (EADDRINUSE); stop the other process or choose a free port (health.port)`,
  EADDRNOTAVAIL: (where) => `${where}: this address is not on this machine (EADDRNOTAVAIL); set health.host to one of its addresses, e.g. 127.0.0.1`,
};

/**
 * The one line for an error heraut did not raise on purpose: a file-system or socket error names its path or port and
 * the fix; undici's bare "terminated" says that a connection was cut. Undefined when there is nothing better to say.
 */
export function explainSystemError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest, address, port, syscall } = error as NodeJS.ErrnoException & { dest?: string; address?: string; port?: number };
  const fix = code ? fixes[code] : undefined;
  if (fix) {
    const where = port !== undefined ? `port ${port}${address ? ` on ${address}` : ''}` : path ? `${path}${dest ? ` -> ${dest}` : ''}` : syscall ?? 'heraut';
    return fix(where);
  }
  if (error.message === 'terminated') {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `a connection was cut in the middle of an answer${cause}; check the network and the server, then run again`;
  }
  return undefined;
}
