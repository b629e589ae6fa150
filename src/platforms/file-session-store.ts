import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStore } from './platform.js';

/**
 * Sessions as files in one folder (the queue's sessions/), one per key, owner-only, written through a temp file and
 * a rename so that a crash never leaves half a session. Stands in until the queue's stores provide sessions.
 */
export function createFileSessionStore(dir: string): SessionStore {
  const fileFor = (key: string) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(key)) throw new Error(`session key "${key}" is not a plain file name`);
    return path.join(dir, `${key}.json`);
  };
  return {
    async read(key) {
      try {
        return await readFile(fileFor(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(key, value) {
      const file = fileFor(key);
      if (value === undefined) {
        await rm(file, { force: true });
        return;
      }
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        await writeFile(temp, value, { mode: 0o600 });
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}
