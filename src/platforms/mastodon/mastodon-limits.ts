import { createRequire } from 'node:module';
import { countGraphemes } from '../../graphemes.js';
import type { TextLength } from '../platform.js';

export interface MastodonLimits {
  /** configuration.statuses.max_characters */
  maxCharacters: number;
  /** configuration.statuses.characters_reserved_per_url */
  charactersReservedPerUrl: number;
}

/** A stock instance's limits, used until an instance's own are read. */
const MASTODON_DEFAULT_LIMITS: MastodonLimits = { maxCharacters: 500, charactersReservedPerUrl: 23 };

type TwitterText = typeof import('twitter-text');
let twitterText: TwitterText | undefined;

const known = new Map<string, MastodonLimits>();

export function rememberMastodonLimits(instance: string, limits: MastodonLimits): void {
  known.set(new URL(instance).origin, limits);
}

/**
 * The limits a teaser is fitted to: one teaser serves every Mastodon account, so the strictest of the instances read
 * in this process (the smallest limit, the heaviest URL), else a stock instance's.
 */
export function mastodonLimits(): MastodonLimits {
  if (known.size === 0) return MASTODON_DEFAULT_LIMITS;
  const all = [...known.values()];
  return { maxCharacters: Math.min(...all.map((l) => l.maxCharacters)), charactersReservedPerUrl: Math.max(...all.map((l) => l.charactersReservedPerUrl)) };
}

/**
 * Mastodon's StatusLengthValidator: grapheme clusters, every http(s) URL (found by twitter-text's rule, as Mastodon
 * does; loaded on first use) weighs characters_reserved_per_url.
 */
export function measureMastodon(text: string, limits: MastodonLimits = mastodonLimits()): TextLength {
  twitterText ??= createRequire(import.meta.url)('twitter-text') as TwitterText;
  const urls = twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false });
  let weighted = urls.length * limits.charactersReservedPerUrl;
  let from = 0;
  for (const { indices } of urls) {
    weighted += countGraphemes(text.slice(from, indices[0]));
    from = indices[1];
  }
  weighted += countGraphemes(text.slice(from));
  return { weighted, limit: limits.maxCharacters, valid: weighted <= limits.maxCharacters && text.trim().length > 0 };
}
