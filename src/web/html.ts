/** HTML that is already safe: built by `html` from escaped values, never from raw strings. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

type Value = SafeHtml | string | number | boolean | undefined | null | Value[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => escapes[c]!);
}

function render(value: Value): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Escapes every interpolated value (text and attributes alike), so a feed's `<script>` stays text; nests SafeHtml and arrays. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, index) => (out += render(value) + strings[index + 1]!));
  return new SafeHtml(out);
}

/** A URL from a feed, usable as href or src only when it is http(s): `javascript:` and `data:` links become no link. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
