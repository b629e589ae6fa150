import { createHash } from 'node:crypto';

const trackingParams = new Set(['fbclid', 'gclid', 'mc_cid', 'mc_eid', 'ref']);
const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** The URL without "user:password@": heraut never publishes credentials a feed leaks in its links. */
export function withoutCredentials(link: string): string {
  if (!link.includes('@')) return link;
  try {
    const url = new URL(link);
    if (!url.username && !url.password) return link;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return link;
  }
}

/**
 * The link normalised for duplicate detection: lower-case scheme and host, no credentials, no fragment, no default port,
 * no tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, ref), sorted query, no trailing slash on the path
 * (except the root "/"). A string that is not an absolute URL is returned trimmed, unchanged otherwise.
 */
export function canonicalLink(link: string): string {
  const trimmed = link.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  url.hash = '';
  url.username = '';
  url.password = '';
  if (defaultPorts[url.protocol] === url.port) url.port = '';
  const kept = [...url.searchParams.entries()].filter(([name]) => {
    const lower = name.toLowerCase();
    return !lower.startsWith('utm_') && !trackingParams.has(lower);
  });
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  // URL already lower-cases scheme and host for special schemes; toString keeps "?" off when the query is empty.
  return url.toString();
}

export interface ArticleKeyInput {
  guid?: string;
  link?: string;
  title?: string;
  published?: string;
}

/** Stable identity of an item within its feed: guid/id when present, else the canonical link, else a hash of title and date. */
export function articleKey(item: ArticleKeyInput): string {
  const guid = item.guid?.trim();
  if (guid) return guid;
  const link = item.link?.trim();
  if (link) return canonicalLink(link);
  const hash = createHash('sha256')
    .update(`${item.title ?? ''}\n${item.published ?? ''}`)
    .digest('hex');
  return `sha256:${hash}`;
}
