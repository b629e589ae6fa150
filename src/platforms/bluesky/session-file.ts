import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AtpSessionData } from '@atproto/api';

/** What heraut keeps between runs so it can resume instead of logging in again (createSession is limited to 30 per 5 min, 300 per day). */
export interface SavedSession {
  service: string;
  identifier?: string;
  session: AtpSessionData;
  savedAt: string;
}

/** The saved session, or undefined when there is none or it cannot be read (then a login follows). */
export function readSessionFile(file: string): SavedSession | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const saved = JSON.parse(text) as Partial<SavedSession>;
    const session = saved.session;
    if (typeof saved.service !== 'string' || !session || typeof session.did !== 'string' || typeof session.handle !== 'string' || typeof session.accessJwt !== 'string' || typeof session.refreshJwt !== 'string') return undefined;
    return saved as SavedSession;
  } catch {
    return undefined;
  }
}

/** Written synchronously, owner-only, through a temp file and a rename, so a crash never leaves half a session. */
export function writeSessionFile(file: string, saved: SavedSession): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function removeSessionFile(file: string): void {
  rmSync(file, { force: true });
}
