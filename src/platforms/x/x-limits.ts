import { createRequire } from 'node:module';
import type { TextLength } from '../platform.js';

export const X_MAX_WEIGHTED_LENGTH = 280;

type TwitterText = typeof import('twitter-text');
let twitterText: TwitterText | undefined;

/** X's own rule (twitter-text, loaded on first use: it takes a tenth of a second): NFC, weighted code points, every URL counted as 23. */
export function measureX(text: string): TextLength {
  twitterText ??= createRequire(import.meta.url)('twitter-text') as TwitterText;
  const parsed = twitterText.parseTweet(text);
  return { weighted: parsed.weightedLength, limit: X_MAX_WEIGHTED_LENGTH, valid: parsed.valid };
}
