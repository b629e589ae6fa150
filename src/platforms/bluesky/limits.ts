export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;

export interface BlueskyLength {
  graphemes: number;
  bytes: number;
  valid: boolean;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Bluesky's rule for post text: at most 300 grapheme clusters and 3000 UTF-8 bytes. */
export function measureBluesky(text: string): BlueskyLength {
  const graphemes = countGraphemes(text);
  const bytes = utf8Length(text);
  return { graphemes, bytes, valid: graphemes <= BLUESKY_MAX_GRAPHEMES && bytes <= BLUESKY_MAX_BYTES && text.trim().length > 0 };
}
