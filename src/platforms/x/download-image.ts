import sharp from 'sharp';
import { fetchLimited } from '../../net/fetch-limited.js';

export type XImageType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

export interface DownloadedImage {
  data: Buffer;
  mediaType: XImageType;
}

export interface DownloadImageOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

const accepted: Record<string, XImageType> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

/**
 * Fetches an article image for X: bounded in time and size, type read from the bytes (servers mislabel images),
 * formats X does not take (AVIF, SVG, TIFF...) converted to JPEG.
 */
export async function downloadImage(url: string, options: DownloadImageOptions): Promise<DownloadedImage> {
  // No content-type filter: servers mislabel images, so the type is read from the bytes below.
  const { body: data } = await fetchLimited(url, options);

  const { format } = await sharp(data).metadata();
  const mediaType = format ? accepted[format] : undefined;
  if (mediaType) return { data, mediaType };
  const converted = await sharp(data).rotate().jpeg({ quality: 85 }).toBuffer();
  if (converted.length > options.maxBytes) throw new Error(`image converted to JPEG is more than ${options.maxBytes} bytes`);
  return { data: converted, mediaType: 'image/jpeg' };
}
