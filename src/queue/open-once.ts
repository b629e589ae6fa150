/**
 * Something opened on first use and kept: later calls share it, an open that failed (a folder or a database unreachable
 * for a moment) is tried again on the next call, and `take` hands what was opened to the caller that closes it.
 */
export interface OpenOnce<T> {
  get(): Promise<T>;
  /** What was opened, if an open succeeded, and forgets it. */
  take(): Promise<T | undefined>;
}

export function openOnce<T>(open: () => Promise<T>): OpenOnce<T> {
  let opening: Promise<T> | undefined;
  return {
    get() {
      return (opening ??= open().catch((error: unknown) => {
        opening = undefined;
        throw error;
      }));
    },
    async take() {
      const opened = opening;
      opening = undefined;
      return opened?.catch(() => undefined);
    },
  };
}
