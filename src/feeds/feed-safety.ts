import { decodeHTML } from 'entities';

const xmlEntities = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** Why the document is refused before any XML parsing, or undefined when it may be parsed. */
export function checkDocument(xml: string): string | undefined {
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
export function numericEntities(xml: string): string {
  // Most feeds use only XML's five entities: then the document is passed on as it is, not copied.
  if (!/&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z][A-Za-z0-9]{1,31};/.test(xml)) return xml;
  return xml.replace(/&([A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (xmlEntities.has(name)) return whole;
    const decoded = decodeHTML(whole);
    if (decoded === whole) return `&amp;${name};`;
    return [...decoded].map((char) => `&#${char.codePointAt(0)};`).join('');
  });
}

// XML 1.0 allows no C0 control but tab, line feed and carriage return, as characters or as references; one such
// character in one item would otherwise make the whole document unreadable.
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const controlReferences = /&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|x0*(?:[0-8]|[bcef]|1[\da-f]));/gi;

/** The document without the characters XML forbids, so that the items around one bad character survive. */
export function withoutControlCharacters(xml: string): string {
  return xml.replace(controlCharacters, '').replace(controlReferences, '');
}

/** Text taken out of an item, without control characters (a double-escaped "&amp;#1;" decodes to one). */
export function cleanText(text: string): string {
  return text.replace(controlCharacters, '');
}

/** Longest title kept: a real headline is a few hundred characters; anything far longer is not one. */
export const maxTitleLength = 2_000;
