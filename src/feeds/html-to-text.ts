import { createRequire } from 'node:module';
import { decodeHTML } from 'entities';
import type { HtmlToTextOptions } from 'html-to-text';
import type { DomUtils as DomUtilsModule } from 'htmlparser2';
import type { ArticleSection } from './article.js';
import { cleanText } from './feed-safety.js';

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

// The HTML converter is loaded on first use: most polls convert nothing (known items, a 304), and loading it costs
// every process about 20 MB.
const require = createRequire(import.meta.url);
let DomUtils: typeof DomUtilsModule;
let converter: ((html: string) => string) | undefined;

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

function tidy(raw: string): string {
  const text = cleanText(raw);
  // Most converter output needs only the trim; the regexes are skipped when there is nothing for them to do.
  // No-break spaces are kept: they hold "12 000" and "20 %" together.
  if (!/[\t\f\v\r]| \n|\n | {2}|\n{3}/.test(text)) return text.trim();
  return text
    .replace(/[\t\f\v\r ]+/g, ' ')
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

const maxDepth = 256;
const voidTags = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Whether elements nest deeper than the converter's recursion can follow without exhausting the stack. */
function nestsTooDeep(html: string): boolean {
  const tag = /<(\/?)([A-Za-z][\w:-]*)[^<>]*>/g;
  let depth = 0;
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    if (match[1]) depth = Math.max(0, depth - 1);
    else if (!match[0].endsWith('/>') && !voidTags.has(match[2]!.toLowerCase()) && ++depth > maxDepth) return true;
  }
  return false;
}

function convertHtml(html: string): string {
  html = unescapeDoubleEscaped(html);
  if (!/[<&]/.test(html)) return html;
  html = html.replace(/[\u0001\u0002]/g, '');
  // Pathological nesting keeps its words and loses its structure, rather than failing the item.
  return nestsTooDeep(html) ? decodeHTML(html.replace(/<[^>]*>/g, ' ')) : toText(html);
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
