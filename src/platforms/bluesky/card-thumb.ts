import { Parser } from 'htmlparser2';
import sharp from 'sharp';
import { fetchLimited } from '../../net/fetch-limited.js';

/** Bluesky rejects a post whose card thumb blob is larger than this. */
export const BLUESKY_MAX_THUMB_BYTES = 1_000_000;

const MAX_HTML_BYTES = 2_000_000;
const MAX_IMAGE_BYTES = 20_000_000;
const MAX_WIDTH = 1200;
const MIN_WIDTH = 200;
const QUALITIES = [85, 70, 55];
const ROUNDS = 6;
// Preference order when a page names several images.
const userAgent = 'heraut (link card)';
const IMAGE_META = ['og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'];

export interface CardThumb {
  data: Buffer;
  mimeType: 'image/jpeg';
  /** Where the image came from. */
  source: string;
}

export interface CardThumbOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

/** The image for a link card: the given one, else the page's og:image / twitter:image; undefined when the page names none. Throws on download or decode failures. */
export async function fetchCardThumb(link: { url: string; image?: string }, options: CardThumbOptions): Promise<CardThumb | undefined> {
  const source = link.image ?? (await findPageImage(link.url, options));
  if (!source) return undefined;
  const { body } = await fetchLimited(source, { ...options, maxBytes: MAX_IMAGE_BYTES, accept: ['image/'], userAgent });
  return { data: await shrinkImage(body), mimeType: 'image/jpeg', source };
}

/** Reads a page's head for its share image, resolved against the page's final URL. */
export async function findPageImage(pageUrl: string, options: CardThumbOptions): Promise<string | undefined> {
  const { body, url } = await fetchLimited(pageUrl, { ...options, maxBytes: MAX_HTML_BYTES, accept: ['text/html', 'application/xhtml+xml'], userAgent });
  const found = new Map<string, string>();
  const parser = new Parser({
    onopentag(name, attribs) {
      if (name !== 'meta') return;
      const key = (attribs.property ?? attribs.name ?? '').trim().toLowerCase();
      const content = attribs.content?.trim();
      if (content && IMAGE_META.includes(key) && !found.has(key)) found.set(key, content);
    },
  });
  parser.end(body.toString('utf8'));
  for (const key of IMAGE_META) {
    const value = found.get(key);
    if (!value) continue;
    try {
      const resolved = new URL(value, url);
      if (resolved.protocol === 'http:' || resolved.protocol === 'https:') return resolved.href;
    } catch {
      // a malformed URL in one tag: try the next
    }
  }
  return undefined;
}

/** Recompresses to JPEG, stepping width and quality down until it fits Bluesky's thumb limit. */
export async function shrinkImage(input: Buffer): Promise<Buffer> {
  // Decode once (EXIF rotation applied, alpha flattened on white since JPEG has none), then try sizes from the raw pixels.
  const { data, info } = await sharp(input, { failOn: 'none', limitInputPixels: 100_000_000 })
    .rotate()
    .flatten({ background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  let width = Math.min(MAX_WIDTH, info.width);
  for (let round = 0; round < ROUNDS; round++) {
    let size = 0;
    for (const quality of QUALITIES) {
      const out = await sharp(data, raw).resize({ width, withoutEnlargement: true }).jpeg({ quality }).toBuffer();
      if (out.length <= BLUESKY_MAX_THUMB_BYTES) return out;
      size = out.length;
    }
    // Bytes grow with the pixel count, so scale the width by the square root of how far over we are.
    width = Math.max(MIN_WIDTH, Math.floor(width * Math.sqrt(BLUESKY_MAX_THUMB_BYTES / size) * 0.9));
  }
  throw new Error(`image does not fit in ${BLUESKY_MAX_THUMB_BYTES} bytes even at ${width} px wide`);
}
