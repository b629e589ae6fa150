import { createRequire } from 'node:module';

// The legacy-encoding decoder is loaded on first use: most feeds are UTF-8, and loading it costs every process memory.
const require = createRequire(import.meta.url);
const iconvLite = () => require('iconv-lite') as typeof import('iconv-lite');

function charsetOf(contentType: string | undefined): string | undefined {
  return /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
}

/**
 * Declared UTF-8: a bad byte among real UTF-8 text is one damaged sequence and only it becomes U+FFFD. A document
 * with bad bytes and no valid multi-byte sequence at all is windows-1252 mislabelled, the usual culprit, and read as such.
 */
function decodeUtf8(bytes: Buffer): string {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (!text.includes('\uFFFD') || /[^\u0000-\u007f\uFFFD]/.test(text)) return text;
  return iconvLite().decode(bytes, 'windows-1252');
}

function decodeAs(bytes: Buffer, label: string): string {
  let encoding = label.toLowerCase();
  // As browsers do: ISO-8859-1 labels are read as windows-1252, whose extra characters (’ “ ” €) feeds use anyway.
  if (/^(iso-?8859-1|latin-?1|us-ascii|ascii)$/.test(encoding)) encoding = 'windows-1252';
  if (encoding === 'utf-8' || encoding === 'utf8' || !iconvLite().encodingExists(encoding)) return decodeUtf8(bytes);
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
