import twitterText from 'twitter-text';

export const X_MAX_WEIGHTED_LENGTH = 280;

export interface XLength {
  weightedLength: number;
  valid: boolean;
}

/** X's own rule (twitter-text): NFC, weighted code points, every URL counted as 23. */
export function measureX(text: string): XLength {
  const parsed = twitterText.parseTweet(text);
  return { weightedLength: parsed.weightedLength, valid: parsed.valid };
}
