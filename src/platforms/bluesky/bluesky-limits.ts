import { countGraphemes, leadingGraphemes } from '../../graphemes.js';
import type { TextLength } from '../platform.js';

export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;
const MAX_TAG_GRAPHEMES = 64;
const MAX_TAG_BYTES = 640;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Bluesky's rule for post text: at most 300 grapheme clusters and 3000 UTF-8 bytes. */
export function measureBluesky(text: string): TextLength {
  const graphemes = countGraphemes(text);
  const bytes = utf8Length(text);
  return { graphemes, bytes, limit: BLUESKY_MAX_GRAPHEMES, valid: graphemes <= BLUESKY_MAX_GRAPHEMES && bytes <= BLUESKY_MAX_BYTES && text.trim().length > 0 };
}

/** measureBluesky(text).valid without counting every grapheme of a long text. */
export function fitsBluesky(text: string): boolean {
  if (!text.trim() || utf8Length(text) > BLUESKY_MAX_BYTES) return false;
  return text.length <= BLUESKY_MAX_GRAPHEMES || countGraphemes(text, BLUESKY_MAX_GRAPHEMES) <= BLUESKY_MAX_GRAPHEMES;
}

/** How Bluesky's app shows a link: no scheme, host, then at most 15 characters of path (13 and "…" when longer). */
export function shortenLinkForDisplay(url: string): string {
  const withoutScheme = url.replace(/^https?:\/\//iu, '');
  const cut = withoutScheme.search(/[/?#]/u);
  let host = cut < 0 ? withoutScheme : withoutScheme.slice(0, cut);
  let rest = cut < 0 ? '' : withoutScheme.slice(cut);
  if (rest === '/') rest = '';
  const hostHead = leadingGraphemes(host, 40);
  if (hostHead.length > 39) {
    host = `${hostHead.slice(0, 39).join('')}…`;
    rest = '';
  }
  const restHead = leadingGraphemes(rest, 16);
  if (restHead.length > 15) rest = `${restHead.slice(0, 13).join('')}…`;
  return host + rest || url;
}

/** The app.bsky.richtext.facet#tag limits: at most 64 graphemes and 640 bytes. */
export function isBlueskyHashtag(tag: string): boolean {
  return utf8Length(tag) <= MAX_TAG_BYTES && countGraphemes(tag, MAX_TAG_GRAPHEMES) <= MAX_TAG_GRAPHEMES;
}
