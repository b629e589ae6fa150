import type { AtpSessionData } from '@atproto/api';

/** What heraut keeps between runs so it can resume instead of logging in again (createSession is limited to 30 per 5 min, 300 per day). */
export interface SavedSession {
  service: string;
  identifier?: string;
  session: AtpSessionData;
  savedAt: string;
}

/** The saved session, or undefined when there is none or it cannot be read (then a login follows). */
export function parseSavedSession(text: string | undefined): SavedSession | undefined {
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as Partial<SavedSession>;
    const session = saved.session;
    if (typeof saved.service !== 'string' || !session || typeof session.did !== 'string' || typeof session.handle !== 'string' || typeof session.accessJwt !== 'string' || typeof session.refreshJwt !== 'string') return undefined;
    return saved as SavedSession;
  } catch {
    return undefined;
  }
}

export function formatSavedSession(saved: SavedSession): string {
  return `${JSON.stringify(saved, null, 2)}\n`;
}
