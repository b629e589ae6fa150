import type { Facet, PlatformId, TextLength } from '../platforms/platform.js';

export type WriterId = 'extractive' | 'template' | 'llm';

/** A post's text for one platform, fitted to its limits. Written once per article and account, stored with the job. */
export interface Teaser {
  platform: PlatformId;
  text: string;
  /** The full URL the teaser links to (the visible text may be shortened, as the platform shows links; the facet holds this). */
  link: string;
  /** Hashtags used, without '#'. */
  hashtags: string[];
  emojis: string[];
  /** BCP-47 tags; empty when the language is unknown. */
  langs: string[];
  /** Only for platforms with facets: link and hashtag facets with UTF-8 byte offsets. */
  facets?: Facet[];
  length: TeaserLength;
  writer: WriterId;
  /** The hook as fitted (sentences, possibly shortened with "…"), without emojis, hashtags and link. */
  hook?: string;
  /** A person edited the text (review); `writer` is the writer of the text they started from. */
  edited?: boolean;
}

export type TeaserLength = TextLength;
