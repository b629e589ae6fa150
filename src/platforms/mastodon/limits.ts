import twitterText from 'twitter-text';

export interface MastodonLimits {
  /** configuration.statuses.max_characters */
  maxCharacters: number;
  /** configuration.statuses.characters_reserved_per_url */
  charactersReservedPerUrl: number;
}

/** A stock instance's limits, used until the instance's own are known. */
export const MASTODON_DEFAULT_LIMITS: MastodonLimits = { maxCharacters: 500, charactersReservedPerUrl: 23 };

const known = new Map<string, MastodonLimits>();

/** The limits last read from this instance in this process, else the stock ones. */
export function mastodonLimits(instance: string): MastodonLimits {
  return known.get(new URL(instance).origin) ?? MASTODON_DEFAULT_LIMITS;
}

export function rememberMastodonLimits(instance: string, limits: MastodonLimits): void {
  known.set(new URL(instance).origin, limits);
}

export interface MastodonLength {
  characters: number;
  limit: number;
  valid: boolean;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Mastodon's StatusLengthValidator: grapheme clusters, every http(s) URL weighs characters_reserved_per_url. */
export function measureMastodon(text: string, limits: MastodonLimits = MASTODON_DEFAULT_LIMITS): MastodonLength {
  const urls = twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false });
  let characters = urls.length * limits.charactersReservedPerUrl;
  let from = 0;
  for (const { indices } of [...urls, { indices: [text.length, text.length] }]) {
    for (const _ of graphemes.segment(text.slice(from, indices[0]))) characters++;
    from = indices[1]!;
  }
  return { characters, limit: limits.maxCharacters, valid: characters <= limits.maxCharacters && text.trim().length > 0 };
}
