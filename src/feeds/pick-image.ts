import { decodeHTML } from 'entities';
import { attrs, type Raw } from './xml-node.js';

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

/** The item's image: an image enclosure, Media RSS, iTunes, then the first real <img> of its HTML. */
export function pickImage(item: Raw, html: string | undefined): string | undefined {
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
