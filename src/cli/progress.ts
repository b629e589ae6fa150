import { isatty } from 'node:tty';

/** One status line that rewrites itself on a terminal, for long CLI runs; nothing at all when stderr is piped. */
export interface Progress {
  update(text: string): void;
  done(): void;
}

export function createProgress(to?: NodeJS.WriteStream): Progress {
  // Asked of the file descriptor first: making process.stderr costs a start more than the check.
  const stream = to ?? (isatty(2) ? process.stderr : undefined);
  if (!stream?.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
