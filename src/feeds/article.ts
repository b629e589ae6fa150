/** One item of a feed, cleaned up: plain text, absolute links, decoded entities. Nothing here knows about platforms. */
export interface Article {
  /** The configured feed id. */
  feedId: string;
  /** Stable identity within the feed: guid/id, else canonical link, else a hash of title and date. */
  key: string;
  /** The link as the feed gives it, made absolute, without user:password@. This is what is posted. */
  link: string;
  /** The link normalised for duplicate detection (no tracking parameters, no fragment). */
  canonicalLink: string;
  title: string;
  /** Plain-text description/summary from the feed ('' when none). */
  summary: string;
  /** Plain-text content (content:encoded / Atom content), paragraphs separated by blank lines ('' when none). */
  content: string;
  /** Sections of the content when it has headings: heading text and the plain text below it. */
  sections: ArticleSection[];
  categories: string[];
  /** BCP-47 language tag (lower-case primary subtag at least), or undefined when unknown. */
  language?: string;
  author?: string;
  /** Absolute URL of the article's image, if the feed names one. */
  image?: string;
  /** ISO 8601 publication date, if known. */
  published?: string;
}

export interface ArticleSection {
  heading: string;
  text: string;
}
