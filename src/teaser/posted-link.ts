import type { Utm } from '../config/schema.js';

// Click identifiers of ad and mail platforms: they credit a visit to whoever last shared the link.
const TRACKERS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'igshid', 'mc_cid', 'mc_eid',
  '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id', 'vero_id', 'wt_mc', '_ga', '_gl',
]);

function isTracker(pair: string): boolean {
  const name = decodeURIComponentSafe(pair.split('=')[0] ?? '').toLowerCase();
  return name.startsWith('utm_') || TRACKERS.has(name);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The link as posted: utm_* and click identifiers removed (they would credit social readers to the feed), then the
 * account's own utm added. Everything else is kept byte for byte: order, encoding, fragment.
 */
export function postedLink(link: string, utm?: Utm): string {
  const match = /^([^?#]*)(\?[^#]*)?(#.*)?$/su.exec(link);
  if (!match || !/^https?:\/\//iu.test(link)) return link;
  const [, head, query = '', fragment = ''] = match;
  const pairs = query.slice(1).split('&').filter((pair) => pair && !isTracker(pair));
  for (const [key, value] of Object.entries(utm ?? {})) {
    if (value) pairs.push(`utm_${key}=${encodeURIComponent(value)}`);
  }
  return `${head}${pairs.length ? `?${pairs.join('&')}` : ''}${fragment}`;
}
