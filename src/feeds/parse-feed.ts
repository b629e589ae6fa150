import { createRequire } from 'node:module';
import { decodeHTML } from 'entities';
import type { HtmlToTextOptions } from 'html-to-text';
import type { DomUtils as DomUtilsModule } from 'htmlparser2';
import Parser from 'rss-parser';
import { HerautError } from '../errors.js';
import type { Article, ArticleSection } from './article.js';
import { articleKey, canonicalLink } from './canonical-link.js';

export interface ParseFeedOptions {
  feedId: string;
  /** Where the document came from; relative links are resolved against it when it is an http(s) URL. */
  feedUrl: string;
  /** The HTTP Content-Type, for its charset. */
  contentType?: string;
  /** The configured language; wins over what the feed says. */
  language?: string;
}

export interface ParsedFeed {
  title?: string;
  /** Oldest first. */
  articles: Article[];
  /** Items left out because they have no http(s) link, so there is nothing to post. */
  skipped: number;
}

type Raw = Record<string, unknown>;
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

type FormatCallback = NonNullable<HtmlToTextOptions['formatters']>[string];
type DomElement = Parameters<FormatCallback>[0];

const headingStart = '\u0001';
const headingEnd = '\u0002';
const headingTags = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

function isBlank(node: DomElement): boolean {
  return (node.type === 'text' && !DomUtils.textContent(node as never).trim()) || (node.type === 'tag' && node.name === 'br');
}

/** A paragraph that holds nothing but one bold run is used as a heading by many CMSes. */
function isBoldHeading(elem: DomElement): boolean {
  const meaningful = (elem.children ?? []).filter((child: DomElement) => !isBlank(child));
  const only = meaningful[0];
  return meaningful.length === 1 && only.type === 'tag' && (only.name === 'strong' || only.name === 'b') && DomUtils.textContent(only as never).trim().length <= 200;
}

// Headings are wrapped in control characters so one conversion gives both the text and the sections.
function markHeading(elem: DomElement, walk: Parameters<FormatCallback>[1], builder: Parameters<FormatCallback>[2]): void {
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(headingStart);
  walk(elem.children, builder);
  builder.addLiteral(headingEnd);
  builder.closeBlock({ trailingLineBreaks: 2 });
}

const formatters: Record<string, FormatCallback> = {
  heraudHeading: markHeading,
  heraudParagraph(elem, walk, builder) {
    if (isBoldHeading(elem)) return markHeading(elem, walk, builder);
    builder.openBlock({ leadingLineBreaks: 2 });
    walk(elem.children, builder);
    builder.closeBlock({ trailingLineBreaks: 2 });
  },
};

// The HTML converter and the legacy-encoding decoder are loaded on first use: most polls convert nothing
// (known items, a 304) and most feeds are UTF-8, and loading them costs every process about 20 MB.
const require = createRequire(import.meta.url);
let DomUtils: typeof DomUtilsModule;
let converter: ((html: string) => string) | undefined;
const iconvLite = () => require('iconv-lite') as typeof import('iconv-lite');

function toText(html: string): string {
  if (!converter) {
    DomUtils = (require('htmlparser2') as typeof import('htmlparser2')).DomUtils;
    converter = (require('html-to-text') as typeof import('html-to-text')).compile(converterOptions);
  }
  return converter(html);
}

const converterOptions: HtmlToTextOptions = {
  wordwrap: false,
  preserveNewlines: false,
  formatters,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'svg', format: 'skip' },
    { selector: 'p', format: 'heraudParagraph' },
    ...[...headingTags].map((selector) => ({ selector, format: 'heraudHeading' })),
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'inline' },
    { selector: 'th', format: 'inline' },
  ],
};

function tidy(text: string): string {
  // Most converter output needs only the trim; the regexes are skipped when there is nothing for them to do.
  if (!/[\u00a0\t\f\v\r]| \n|\n | {2}|\n{3}/.test(text)) return text.trim();
  return text
    .replace(/[\u00a0\t\f\v\r ]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Some feeds escape their HTML twice (reddit's "&amp;lt;p&amp;gt;"): no real tag, only escaped ones. Such a body is
 * unescaped once more before conversion; a lone "&lt;" in otherwise plain or real HTML is left as the character it is.
 */
function unescapeDoubleEscaped(html: string): string {
  if (/<[a-z!/]/i.test(html) || !/&lt;\/?(p|br|div|ul|ol|li|h[1-6]|blockquote|table|span|a)\b/i.test(html)) return html;
  return decodeHTML(html);
}

function convertHtml(html: string): string {
  html = unescapeDoubleEscaped(html);
  return /[<&]/.test(html) ? toText(html.replace(/[\u0001\u0002]/g, '')) : html;
}

/** HTML (or plain text) to plain text: paragraphs separated by one blank line, no link URLs, no images, no scripts. */
export function htmlToPlainText(html: string): string {
  if (!html) return '';
  return tidy(convertHtml(html).replace(/[\u0001\u0002]/g, ''));
}

/** Plain text of HTML content and, when it has headings (h1-h6 or a bold-only paragraph), its sections. */
export function contentAndSections(html: string): { text: string; sections: ArticleSection[] } {
  if (!html) return { text: '', sections: [] };
  const converted = convertHtml(html);
  if (!converted.includes(headingStart)) return { text: tidy(converted), sections: [] };
  const parts = converted.split(/\u0001([^\u0001\u0002]*)\u0002/);
  const sections: ArticleSection[] = [];
  const texts = [tidy(parts[0]!)];
  for (let i = 1; i < parts.length; i += 2) {
    const heading = tidy(parts[i]!).replace(/\s+/g, ' ');
    const text = tidy(parts[i + 1]!.replace(/[\u0001\u0002]/g, ''));
    if (heading) sections.push({ heading, text });
    texts.push(heading, text);
  }
  return { text: texts.filter(Boolean).join('\n\n'), sections };
}

function decodeOnce(text: string): string {
  return (text.includes('&') ? decodeHTML(text) : text).replace(/\s+/g, ' ').trim();
}

const inlineMarkup = /<\/?(a|b|i|u|s|em|strong|sup|sub|span|code|small|mark|abbr|q|cite|font|br)\b[^>]*>/i;

// ---- Character encoding ----

function charsetOf(contentType: string | undefined): string | undefined {
  return /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
}

function decodeAs(bytes: Buffer, label: string): string {
  let encoding = label.toLowerCase();
  // As browsers do: ISO-8859-1 labels are read as windows-1252, whose extra characters (’ “ ” €) feeds use anyway.
  if (/^(iso-?8859-1|latin-?1|us-ascii|ascii)$/.test(encoding)) encoding = 'windows-1252';
  if (encoding === 'utf-8' || encoding === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Declared UTF-8 but is not: the usual culprit is windows-1252 text.
      return iconvLite().decode(bytes, 'windows-1252');
    }
  }
  if (!iconvLite().encodingExists(encoding)) return decodeAs(bytes, 'utf-8');
  return iconvLite().decode(bytes, encoding);
}

/** Bytes to text: the BOM wins, then the XML declaration, then the HTTP charset, then UTF-8. */
export function decodeFeedBody(body: Buffer | string, contentType?: string): string {
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return decodeAs(body.subarray(3), 'utf-8');
  if (body[0] === 0xff && body[1] === 0xfe) return iconvLite().decode(body.subarray(2), 'utf-16le');
  if (body[0] === 0xfe && body[1] === 0xff) return iconvLite().decode(body.subarray(2), 'utf-16be');
  const head = body.subarray(0, 512).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']/.exec(head)?.[1];
  return decodeAs(body, declared ?? charsetOf(contentType) ?? 'utf-8');
}

// ---- Safety checks before the XML parser sees the document ----

const xmlEntities = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function checkDocument(xml: string): string | undefined {
  const start = /<(?!\?|!)/.exec(xml);
  if (!start) return 'it contains no XML element';
  const prolog = xml.slice(0, start.index);
  if (/<!DOCTYPE[^>[]*\[/i.test(prolog) && /<!ENTITY/i.test(prolog)) return 'it declares its own XML entities (<!ENTITY>), which heraut refuses so that no entity expansion or external file read can happen';
  const root = /^<([\w:.-]+)/.exec(xml.slice(start.index))?.[1]?.toLowerCase();
  if (root === 'html' || /^<!doctype html/i.test(prolog.trim())) return 'it is an HTML page, not a feed; use the address of the RSS/Atom feed itself (the page\'s <link rel="alternate" type="application/rss+xml">)';
  if (root !== 'rss' && root !== 'feed' && root !== 'rdf:rdf') return `its root element is <${root}>, not <rss>, <feed> or <rdf:RDF>`;
  return undefined;
}

/** HTML named entities that XML does not know (&nbsp; &eacute; ...) become numeric references, so a strict XML parser accepts them. */
function numericEntities(xml: string): string {
  // Most feeds use only XML's five entities: then the document is passed on as it is, not copied.
  if (!/&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z][A-Za-z0-9]{1,31};/.test(xml)) return xml;
  return xml.replace(/&([A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (xmlEntities.has(name)) return whole;
    const decoded = decodeHTML(whole);
    if (decoded === whole) return `&amp;${name};`;
    return [...decoded].map((char) => `&#${char.codePointAt(0)};`).join('');
  });
}

// ---- Small helpers over xml2js nodes ----

function nodeText(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(nodeText).join(' ');
  if (typeof node === 'object') {
    const record = node as Raw;
    if (typeof record._ === 'string') return record._;
    return Object.entries(record)
      .filter(([key]) => key !== '$')
      .map(([, value]) => nodeText(value))
      .join(' ');
  }
  return String(node);
}

function attrs(node: unknown): Record<string, string> {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const record = node as Raw;
    if (record.$ && typeof record.$ === 'object') return record.$ as Record<string, string>;
  }
  return {};
}

function asString(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as Raw)._ === 'string' ? ((value as Raw)._ as string) : undefined;
  return text?.trim() ? text : undefined;
}

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

function isoDate(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const text = asString(candidate);
    if (!text) continue;
    const time = Date.parse(text.trim());
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return undefined;
}

// ---- Images ----

const imageExtension = /\.(jpe?g|png|gif|webp|avif)(\?|#|$)/i;

function mediaImage(nodes: unknown): string | undefined {
  if (!Array.isArray(nodes)) return undefined;
  for (const node of nodes) {
    const a = attrs(node);
    const url = a.url;
    if (!url) continue;
    if (a.medium === 'image' || a.type?.startsWith('image/') || (!a.medium && !a.type && imageExtension.test(url))) return url;
  }
  return undefined;
}

function thumbnail(nodes: unknown): string | undefined {
  return Array.isArray(nodes) ? nodes.map((node) => attrs(node).url).find(Boolean) : undefined;
}

function firstImg(html: string | undefined): string | undefined {
  if (!html) return undefined;
  const pattern = /<img\b[^>]*>/gi;
  for (let match = pattern.exec(html), count = 0; match && count < 20; match = pattern.exec(html), count++) {
    const tag = match[0];
    const src = /\bsrc\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s>]+))/i.exec(tag);
    const url = src?.[1] ?? src?.[2] ?? src?.[3];
    if (!url || url.startsWith('data:')) continue;
    if (/\b(width|height)\s*=\s*["']?1["'\s/>]/i.test(tag)) continue; // tracking pixels
    return decodeHTML(url);
  }
  return undefined;
}

function pickImage(item: Raw, html: string | undefined): string | undefined {
  const enclosure = item.enclosure as Record<string, string> | undefined;
  if (enclosure?.url && (enclosure.type?.startsWith('image/') || (!enclosure.type && imageExtension.test(enclosure.url)))) return enclosure.url;
  const groups = Array.isArray(item.mediaGroup) ? (item.mediaGroup as Raw[]) : [];
  return (
    mediaImage(item.mediaContent) ??
    thumbnail(item.mediaThumbnail) ??
    groups.map((group) => mediaImage(group['media:content']) ?? thumbnail(group['media:thumbnail'])).find(Boolean) ??
    (item.itunes as Raw | undefined)?.image?.toString() ??
    thumbnail((item.itunesImage as unknown[] | undefined)?.map((node) => ({ $: { url: attrs(node).href } }))) ??
    firstImg(html)
  );
}

// ---- The document ----

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
    feed = await parseXml(numericEntities(xml));
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

function buildArticles(feed: Raw, xml: string, options: ParseFeedOptions): ParsedFeed {
  const isAtom = /^<feed[\s>]/i.test(xml.slice(/<(?!\?|!)/.exec(xml)!.index));
  const feedAttrs = (feed.attrs ?? {}) as Record<string, string>;
  const feedUrl = /^(https?|file):/i.test(options.feedUrl) ? options.feedUrl : undefined;
  const feedBase = resolveUrl(feedAttrs['xml:base'], feedUrl) ?? feedUrl;
  const feedLanguage = normaliseLanguage(feedAttrs['xml:lang']) ?? normaliseLanguage(asString(feed.language));
  const configLanguage = normaliseLanguage(options.language);
  const items = (feed.items ?? []) as Raw[];
  const articles: Article[] = [];
  let skipped = 0;

  for (const item of items) {
    const itemAttrs = (item.attrs ?? {}) as Record<string, string>;
    const base = resolveUrl(itemAttrs['xml:base'], feedBase) ?? feedBase;
    const guid = asString(item.guid) ?? asString(item.id);
    let link = resolveUrl(asString(item.link), base);
    if (!isHttp(link) && !isAtom && isHttp(guid)) link = guid;
    if (!isHttp(link)) {
      skipped++;
      continue;
    }

    const rawTitle = Array.isArray(item.rawTitle) ? (item.rawTitle[0] as Node) : undefined;
    let title: string;
    if (rawTitle && typeof rawTitle === 'object' && isAtom && (rawTitle.$?.type === 'html' || rawTitle.$?.type === 'xhtml' || typeof rawTitle._ !== 'string')) {
      title = htmlToPlainText(typeof rawTitle._ === 'string' ? rawTitle._ : nodeText(rawTitle)).replace(/\s+/g, ' ');
    } else {
      const text = asString(item.title) ?? nodeText(rawTitle);
      // Markup that reached the title as real tags (CDATA or single-escaped) is formatting; an entity-escaped "&lt;div&gt;" stays text.
      title = inlineMarkup.test(text) ? htmlToPlainText(text).replace(/\s+/g, ' ') : decodeOnce(text);
    }

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
    const published = asString(item.isoDate) ?? isoDate(item.rawPublished, item.rawUpdated, item.pubDate, item.date);
    const imageBase = resolveUrl(itemAttrs['xml:base'], feedBase) ? base : link;
    const image = resolveUrl(pickImage(item, contentHtml ?? summaryHtml), imageBase);

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
      language: configLanguage ?? normaliseLanguage(itemAttrs['xml:lang']) ?? normaliseLanguage(asString(item.dcLanguage) ?? asString(item.language)) ?? feedLanguage,
      ...(author ? { author: decodeOnce(author) } : {}),
      ...(isHttp(image) ? { image } : {}),
      ...(published ? { published } : {}),
    };
    // Most items of a poll are already known and never need their text: convert HTML only when a field is read.
    let structured: { text: string; sections: ArticleSection[] } | undefined;
    const structure = () => (structured ??= contentAndSections(contentHtml ?? summaryHtml ?? ''));
    defineLazy(article, 'summary', () => (summaryHtml ? htmlToPlainText(summaryHtml) : ''));
    defineLazy(article, 'content', () => (contentHtml ? structure().text : ''));
    defineLazy(article, 'sections', () => structure().sections);
    articles.push(article);
  }

  const title = asString(feed.title) ? decodeOnce(asString(feed.title)!) : undefined;
  return { ...(title ? { title } : {}), articles: oldestFirst(articles), skipped };
}
