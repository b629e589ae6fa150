import type { Facet, PlatformId } from '../platforms/platform.js';

export type WriterId = 'extractive' | 'template' | 'llm';

/** A post's text for one platform, fitted to its limits. Written once per article and account, stored with the job. */
export interface Teaser {
  platform: PlatformId;
  text: string;
  /** The full URL the teaser links to (on Bluesky the visible text may be shortened; the facet holds this). */
  link: string;
  /** Hashtags used, without '#'. */
  hashtags: string[];
  emojis: string[];
  /** BCP-47 tags; empty when the language is unknown. */
  langs: string[];
  /** Bluesky only: link and hashtag facets with UTF-8 byte offsets. */
  facets?: Facet[];
  length: TeaserLength;
  writer: WriterId;
  /** The hook as fitted (sentences, possibly shortened with "…"), without emojis, hashtags and link. */
  hook?: string;
  /** A person edited the text (review); `writer` is the writer of the text they started from. */
  edited?: boolean;
}

export interface TeaserLength {
  /** X: twitter-text weighted length. */
  weighted?: number;
  /** Bluesky: grapheme clusters and UTF-8 bytes. */
  graphemes?: number;
  bytes?: number;
  limit: number;
  valid: boolean;
}
