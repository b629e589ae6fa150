import path from 'node:path';
import { HerautError } from '../../errors.js';
import { readIfExists, writeFileAtomic } from '../atomic-file.js';
import { tryLock, withLock } from '../file-lock.js';
import { countPost, type CountedPost } from '../count-post.js';
import type { AccountState, AccountStore, FeedState, FeedStore } from '../stores.js';
import { safeId, serialise } from './job-files.js';

async function readJsonMap<T>(file: string): Promise<Record<string, T>> {
  const text = await readIfExists(file);
  if (text === undefined || text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, T>;
  } catch {
    // reported below
  }
  throw new HerautError('queue-corrupt', `${file} is not a JSON object; fix it by hand or delete it (heraut then starts that state afresh)`);
}

/** One JSON object per file, keyed by feed or account; each write merges under a short lock, so processes never undo each other. */
function stateFile<T>(file: string, locksDir: string, now: () => Date, fresh: () => T) {
  /** Reads, changes and writes one key's state under the file's lock. */
  async function update(key: string, change: (state: T) => T): Promise<void> {
    await withLock(path.join(locksDir, `${path.basename(file)}.lock`), now, async () => {
      const all = await readJsonMap<T>(file);
      all[key] = change({ ...fresh(), ...all[key] });
      await writeFileAtomic(file, serialise(all));
    });
  }
  return {
    async get(key: string): Promise<T> {
      return { ...fresh(), ...(await readJsonMap<T>(file))[key] };
    },
    put: (key: string, state: T): Promise<void> => update(key, () => state),
    update,
    all: () => readJsonMap<T>(file),
  };
}

export function openFeedFile(dir: string, now: () => Date): FeedStore {
  return stateFile<FeedState>(path.join(dir, 'feeds.json'), path.join(dir, 'locks'), now, () => ({ consecutiveFailures: 0 }));
}

export function openAccountFile(dir: string, now: () => Date): AccountStore & { countPost(post: CountedPost): Promise<void> } {
  const accountLocksDir = path.join(dir, 'locks', 'accounts');
  const states = stateFile<AccountState>(path.join(dir, 'accounts.json'), path.join(dir, 'locks'), now, () => ({ postsByDay: {}, spentByMonth: {} }));
  return {
    get: states.get,
    put: states.put,
    all: states.all,
    countPost: (post) => states.update(post.account, (state) => countPost(state, post)),
    async lock(account, options = {}) {
      if (!safeId.test(account)) throw new HerautError('config-invalid', `account name "${account}" must be letters, digits, "-" or "_"`);
      return tryLock(path.join(accountLocksDir, `${account}.lock`), now, options.leaseMs);
    },
  };
}
