import { createRequire } from 'node:module';
import type { TextLength } from '../platform.js';

export const X_MAX_WEIGHTED_LENGTH = 280;

type TwitterText = typeof import('twitter-text');
let twitterText: TwitterText | undefined;

// Loaded on first use: it takes a tenth of a second.
function twitter(): TwitterText {
  twitterText ??= createRequire(import.meta.url)('twitter-text') as TwitterText;
  return twitterText;
}

/** X's own rule (twitter-text): NFC, weighted code points, every URL counted as 23. */
export function measureX(text: string): TextLength {
  const parsed = twitter().parseTweet(text);
  return { weighted: parsed.weightedLength, limit: X_MAX_WEIGHTED_LENGTH, valid: parsed.valid };
}

/** X links `#tag` as one hashtag, all of it. */
export function isXHashtag(tag: string): boolean {
  const extracted = twitter().extractHashtags(`#${tag}`);
  return twitter().isValidHashtag(`#${tag}`) && extracted.length === 1 && extracted[0] === tag;
}
