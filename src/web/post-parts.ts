import twitterText from 'twitter-text';
import type { Facet, PlatformId } from '../platforms/platform.js';
import type { TextPart } from './review-model.js';

interface Span {
  start: number;
  end: number;
  kind: 'link' | 'tag';
  href?: string;
}

/**
 * The post's text cut where the platform highlights it: Bluesky from the facets the post carries (UTF-8 byte
 * offsets), X from twitter-text's own entities plus the article's link wherever it appears.
 */
export function postParts(platform: PlatformId, text: string, link: string, facets: Facet[] | undefined): TextPart[] {
  const spans = platform === 'bluesky' ? facetSpans(text, facets ?? []) : xSpans(text, link);
  const parts: TextPart[] = [];
  let at = 0;
  for (const span of spans.sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue;
    if (span.start > at) parts.push({ text: text.slice(at, span.start) });
    parts.push({ text: text.slice(span.start, span.end), kind: span.kind, ...(span.href ? { href: span.href } : {}) });
    at = span.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

function facetSpans(text: string, facets: Facet[]): Span[] {
  const bytes = Buffer.from(text, 'utf8');
  const offset = (byte: number) => bytes.subarray(0, byte).toString('utf8').length;
  return facets.flatMap((facet): Span[] => {
    const feature = facet.features[0];
    if (!feature) return [];
    const span = { start: offset(facet.index.byteStart), end: offset(facet.index.byteEnd) };
    return feature.$type === 'app.bsky.richtext.facet#link' ? [{ ...span, kind: 'link', href: feature.uri }] : [{ ...span, kind: 'tag' }];
  });
}

function xSpans(text: string, link: string): Span[] {
  const spans: Span[] = twitterText.extractEntitiesWithIndices(text).flatMap((entity): Span[] => {
    const [start, end] = entity.indices;
    if ('url' in entity) return [{ start, end, kind: 'link', href: /^https?:\/\//iu.test(entity.url) ? entity.url : `https://${entity.url}` }];
    if ('hashtag' in entity) return [{ start, end, kind: 'tag' }];
    return [];
  });
  for (let start = link ? text.indexOf(link) : -1; start >= 0; start = text.indexOf(link, start + link.length)) {
    spans.push({ start, end: start + link.length, kind: 'link', href: link });
  }
  return spans;
}
