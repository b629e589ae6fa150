import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HerautError } from '../../errors.js';
import type { SessionStore } from '../../platforms/platform.js';
import { dirMode, readIfExists, writeFileAtomic } from '../atomic-file.js';

const sessionKey = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** sessions/<key>.json, owner-only: a session holds tokens. */
export function openSessionFiles(dir: string): SessionStore {
  const sessionsDir = path.join(dir, 'sessions');
  const fileFor = (key: string) => {
    if (!sessionKey.test(key)) throw new HerautError('config-invalid', `session key "${key}" must be letters, digits, ".", "-" or "_"`);
    return path.join(sessionsDir, `${key}.json`);
  };
  return {
    read: (key) => readIfExists(fileFor(key)),
    async write(key, value) {
      const file = fileFor(key);
      if (value === undefined) {
        await fs.rm(file, { force: true });
        return;
      }
      await fs.mkdir(sessionsDir, { recursive: true, mode: dirMode });
      await writeFileAtomic(file, value);
    },
  };
}
