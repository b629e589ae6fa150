import sharp from 'sharp';

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
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'image/*' } });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`image answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body.cancel();
    throw new Error(`image is ${declared} bytes, more than ${options.maxBytes}`);
  }

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > options.maxBytes) {
      await reader.cancel();
      throw new Error(`image is more than ${options.maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const data = Buffer.concat(chunks);

  const { format } = await sharp(data).metadata();
  const mediaType = format ? accepted[format] : undefined;
  if (mediaType) return { data, mediaType };
  const converted = await sharp(data).rotate().jpeg({ quality: 85 }).toBuffer();
  if (converted.length > options.maxBytes) throw new Error(`image converted to JPEG is more than ${options.maxBytes} bytes`);
  return { data: converted, mediaType: 'image/jpeg' };
}
