import { createRequire } from 'node:module';
import { decodeHTML } from 'entities';
import Parser from 'rss-parser';
import { HerautError } from '../errors.js';
import type { Article, ArticleSection } from './article.js';
import { articleKey, canonicalLink, withoutCredentials } from './canonical-link.js';
import { decodeFeedBody } from './decode-feed.js';
import { feedDate } from './feed-date.js';
import { checkDocument, cleanText, maxTitleLength, numericEntities, withoutControlCharacters } from './feed-safety.js';
import { contentAndSections, htmlToPlainText } from './html-to-text.js';
import { pickImage } from './pick-image.js';
import { asString, attrs, nodeText, type Raw } from './xml-node.js';

export interface ParseFeedOptions {
  feedId: string;
  /** Where the document came from; relative links are resolved against it when it is an http(s) URL. */
  feedUrl: string;
  /** The HTTP Content-Type, for its charset. */
  contentType?: string;
  /** The configured language; wins over what the feed says. */
  language?: string;
  /** IANA zone that dates naming no zone are read in (the configuration's `timezone`); default UTC. */
  timezone?: string;
}

/** An item set aside on its own, with why: the poller records it so that `status` can show it. */
export interface RejectedItem {
  reason: string;
  link?: string;
}

export interface ParsedFeed {
  title?: string;
  /** Oldest first. */
  articles: Article[];
  /** Items left out because they have no http(s) link, so there is nothing to post. */
  skipped: number;
  /** Items that have a link but could not be made into an article (a title of a megabyte, markup that breaks the reader). */
  rejected: RejectedItem[];
}

type Node = string | { _?: string; $?: Record<string, string>; [key: string]: unknown };

// Fields rss-parser reads but throws away (attributes, media, Atom category terms), kept raw to finish the job here.
const itemFields = [
  ['$', 'attrs', { keepArray: true }],
  ['title', 'rawTitle', { keepArray: true }],
  ['description', 'rawDescription'],
  ['category', 'rawCategories', { keepArray: true }],
  ['media:content', 'mediaContent', { keepArray: true }],
  ['media:thumbnail', 'mediaThumbnail', { keepArray: true }],
  ['media:group', 'mediaGroup', { keepArray: true }],
  ['itunes:image', 'itunesImage', { keepArray: true }],
  ['published', 'rawPublished'],
  ['updated', 'rawUpdated'],
  ['dc:language', 'dcLanguage'],
] as const;
const feedFields = [['$', 'attrs', { keepArray: true }]] as const;

// No-break spaces stay: they hold "12 000" and "20 %" together, and French typography depends on them.
const collapsibleSpace = /[^\S\u00a0\u202f]+/g;

function decodeOnce(text: string): string {
  return cleanText(text.includes('&') ? decodeHTML(text) : text).replace(collapsibleSpace, ' ').trim();
}

const inlineMarkup = /<\/?(a|b|i|u|s|em|strong|sup|sub|span|code|small|mark|abbr|q|cite|font|br)\b[^>]*>/i;

function resolveUrl(link: string | undefined, base: string | undefined): string | undefined {
  if (!link?.trim()) return undefined;
  try {
    return new URL(link.trim(), base).toString();
  } catch {
    return undefined;
  }
}

function isHttp(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/** Canonical BCP-47 casing ("fr-FR", "en-US", "zh-Hant-TW"); undefined for what is not a language tag. */
export function normaliseLanguage(tag: string | undefined): string | undefined {
  const cleaned = tag?.trim().replace(/_/g, '-');
  if (!cleaned) return undefined;
  try {
    return Intl.getCanonicalLocales(cleaned)[0];
  } catch {
    const primary = /^([A-Za-z]{2,3})(?:-|$)/.exec(cleaned)?.[1];
    return primary?.toLowerCase();
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ', ').slice(0, 200);
}

function invalid(options: ParseFeedOptions, reason: string, cause?: unknown): HerautError {
  return new HerautError('feed-invalid', `Feed "${options.feedId}" (${options.feedUrl}) is not a readable RSS or Atom feed: ${oneLine(reason)}; check the feed's url.`, {
    cause,
    details: { feedId: options.feedId, url: options.feedUrl },
  });
}

// rss-parser strips the HTML of every description and content:encoded into "snippets" with slow regular expressions;
// heraut never reads them and converts only the items it posts, so the snippets are switched off.
const require = createRequire(import.meta.url);
const rssParserUtils = require('rss-parser/lib/utils.js') as { getSnippet(text: string): string };
rssParserUtils.getSnippet = () => '';

function parseXml(xml: string): Promise<Raw> {
  const parser = new Parser({ defaultRSS: 2, customFields: { item: itemFields as unknown as string[], feed: feedFields as unknown as string[] } });
  // rss-parser calls toISOString() on Atom dates and throws on a bad one: drop the date for that entry instead of the whole feed.
  const internal = parser as unknown as { parseItemAtom(entry: Raw): Raw };
  const parseItemAtom = internal.parseItemAtom.bind(parser);
  internal.parseItemAtom = (entry) => {
    try {
      return parseItemAtom(entry);
    } catch {
      const { published: _published, updated: _updated, ...rest } = entry;
      return parseItemAtom(rest);
    }
  };
  return parser.parseString(xml) as unknown as Promise<Raw>;
}

/** Oldest first: reverse document order (feeds list newest first), then dated items sorted by date in the slots dated items held. */
function oldestFirst(articles: Article[]): Article[] {
  const reversed = [...articles].reverse();
  const slots = reversed.flatMap((article, index) => (article.published ? [index] : []));
  const dated = slots.map((index) => reversed[index]!).sort((a, b) => Date.parse(a.published!) - Date.parse(b.published!));
  slots.forEach((slot, i) => {
    reversed[slot] = dated[i]!;
  });
  return reversed;
}

/**
 * Parses an RSS 0.9x/1.0/2.0 or Atom document into articles, oldest first. Throws HerautError 'feed-invalid' (one line,
 * naming the feed) for anything that is not a feed, including documents that declare XML entities.
 * Items without an http(s) link are skipped and counted in `skipped`: they cannot be posted.
 */
export async function parseFeedDocument(body: Buffer | string, options: ParseFeedOptions): Promise<ParsedFeed> {
  let xml: string;
  try {
    xml = decodeFeedBody(body, options.contentType);
  } catch (cause) {
    throw invalid(options, `its bytes could not be decoded (${(cause as Error).message})`, cause);
  }
  const problem = checkDocument(xml);
  if (problem) throw invalid(options, problem);

  let feed: Raw;
  try {
    feed = await parseXml(numericEntities(withoutControlCharacters(xml)));
  } catch (cause) {
    throw invalid(options, `XML error: ${(cause as Error).message}`, cause);
  }

  try {
    return buildArticles(feed, xml, options);
  } catch (cause) {
    throw invalid(options, (cause as Error).message, cause);
  }
}

/** An enumerable property computed on first read, so JSON.stringify and spreads still see plain data. */
function defineLazy<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let value: T[K];
  let done = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
    set(next: T[K]) {
      value = next;
      done = true;
    },
  });
}

interface FeedContext {
  options: ParseFeedOptions;
  isAtom: boolean;
  feedBase?: string;
  feedLanguage?: string;
  configLanguage?: string;
  timezone: string;
}

/** The base of relative links: the document's own http(s) URL or, for a local file, the address the feed gives itself. */
function documentBase(feed: Raw, feedUrl: string): string | undefined {
  if (/^https?:/i.test(feedUrl)) return feedUrl;
  const own = [feed.feedUrl, feed.link].map((candidate) => resolveUrl(asString(candidate), undefined)).find(isHttp);
  return own ?? (/^file:/i.test(feedUrl) ? feedUrl : undefined);
}

function buildArticles(feed: Raw, xml: string, options: ParseFeedOptions): ParsedFeed {
  const feedAttrs = (feed.attrs ?? {}) as Record<string, string>;
  const base = documentBase(feed, options.feedUrl);
  const context: FeedContext = {
    options,
    isAtom: /^<feed[\s>]/i.test(xml.slice(/<(?!\?|!)/.exec(xml)!.index)),
    feedBase: resolveUrl(feedAttrs['xml:base'], base) ?? base,
    feedLanguage: normaliseLanguage(feedAttrs['xml:lang']) ?? normaliseLanguage(asString(feed.language)),
    configLanguage: normaliseLanguage(options.language),
    timezone: options.timezone ?? 'UTC',
  };
  const articles: Article[] = [];
  const rejected: RejectedItem[] = [];
  let skipped = 0;

  for (const item of (feed.items ?? []) as Raw[]) {
    let link: string | undefined;
    // One item that cannot be read is set aside with its reason; the items around it are still articles.
    try {
      const itemAttrs = (item.attrs ?? {}) as Record<string, string>;
      const itemBase = resolveUrl(itemAttrs['xml:base'], context.feedBase) ?? context.feedBase;
      const guid = asString(item.guid) ?? asString(item.id);
      link = resolveUrl(asString(item.link), itemBase);
      if (!isHttp(link) && !context.isAtom && isHttp(guid)) link = guid;
      if (!isHttp(link)) {
        skipped++;
        continue;
      }
      link = withoutCredentials(link);
      const result = readItem(item, { link, guid, base: itemBase, ownBase: itemAttrs['xml:base'] !== undefined }, context);
      if (typeof result === 'string') rejected.push({ reason: result, link });
      else articles.push(result);
    } catch (error) {
      rejected.push({ reason: `it could not be read (${oneLine(error instanceof Error ? error.message : String(error))})`, ...(link ? { link } : {}) });
    }
  }

  const title = asString(feed.title) ? decodeOnce(asString(feed.title)!) : undefined;
  return { ...(title ? { title } : {}), articles: oldestFirst(articles), skipped, rejected };
}

interface ItemPlace {
  link: string;
  guid?: string;
  base?: string;
  /** Whether the item has its own xml:base, which then also anchors its image. */
  ownBase: boolean;
}

function titleOf(item: Raw, isAtom: boolean): string {
  const rawTitle = Array.isArray(item.rawTitle) ? (item.rawTitle[0] as Node) : undefined;
  if (rawTitle && typeof rawTitle === 'object' && isAtom && (rawTitle.$?.type === 'html' || rawTitle.$?.type === 'xhtml' || typeof rawTitle._ !== 'string')) {
    return htmlToPlainText(typeof rawTitle._ === 'string' ? rawTitle._ : nodeText(rawTitle)).replace(collapsibleSpace, ' ');
  }
  const text = asString(item.title) ?? nodeText(rawTitle);
  // Markup that reached the title as real tags (CDATA or single-escaped) is formatting; an entity-escaped "&lt;div&gt;" stays text.
  return inlineMarkup.test(text) ? htmlToPlainText(text).replace(collapsibleSpace, ' ') : decodeOnce(text);
}

/** The article of one item with a link, or why it is rejected. */
function readItem(item: Raw, place: ItemPlace, context: FeedContext): Article | string {
  const { options, isAtom } = context;
  const { link, guid } = place;
  const titleLength = (asString(item.title) ?? nodeText(item.rawTitle)).length;
  if (titleLength > maxTitleLength) return `its title is ${titleLength} characters long, more than the ${maxTitleLength} a headline can be`;
  const title = titleOf(item, isAtom);

  const summaryHtml = isAtom ? asString(item.summary) : asString(item.rawDescription) ?? asString(item.summary);
  const contentHtml = asString(item['content:encoded']) ?? (isAtom ? asString(item.content) : undefined);

  const categories: string[] = [];
  const seen = new Set<string>();
  for (const node of (item.rawCategories ?? []) as Node[]) {
    const a = attrs(node);
    const raw = typeof node === 'string' ? node : (a.label ?? a.term ?? (typeof node._ === 'string' ? node._ : ''));
    const category = decodeOnce(raw);
    if (category && !seen.has(category.toLowerCase())) {
      seen.add(category.toLowerCase());
      categories.push(category);
    }
  }

  const author = [item.creator, item.author, (item.itunes as Raw | undefined)?.author].map(asString).find(Boolean);
  // Atom's dates are read raw: rss-parser has already turned them into UTC in the host's zone.
  const published = [item.rawPublished, item.rawUpdated, item.pubDate, item.date]
    .map(asString)
    .map((text) => text && feedDate(text, context.timezone))
    .find(Boolean);
  const image = resolveUrl(pickImage(item, contentHtml ?? summaryHtml), place.ownBase ? place.base : link);

  const article = {
    feedId: options.feedId,
    key: articleKey({ guid, link, title, published }),
    link,
    canonicalLink: canonicalLink(link),
    title,
    summary: '',
    content: '',
    sections: [] as ArticleSection[],
    categories,
    language: context.configLanguage ?? normaliseLanguage(((item.attrs ?? {}) as Record<string, string>)['xml:lang']) ?? normaliseLanguage(asString(item.dcLanguage) ?? asString(item.language)) ?? context.feedLanguage,
    ...(author ? { author: decodeOnce(author) } : {}),
    ...(isHttp(image) ? { image: withoutCredentials(image) } : {}),
    ...(published ? { published } : {}),
  };
  // Most items of a poll are already known and never need their text: convert HTML only when a field is read.
  let structured: { text: string; sections: ArticleSection[] } | undefined;
  const structure = () => (structured ??= contentAndSections(contentHtml ?? summaryHtml ?? ''));
  defineLazy(article, 'summary', () => (summaryHtml ? htmlToPlainText(summaryHtml) : ''));
  defineLazy(article, 'content', () => (contentHtml ? structure().text : ''));
  defineLazy(article, 'sections', () => structure().sections);
  return article;
}
