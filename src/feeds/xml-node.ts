/** Small helpers over the xml2js nodes rss-parser hands back. */
export type Raw = Record<string, unknown>;

export function nodeText(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(nodeText).join(' ');
  if (typeof node === 'object') {
    const record = node as Raw;
    if (typeof record._ === 'string') return record._;
    return Object.entries(record)
      .filter(([key]) => key !== '$')
      .map(([, value]) => nodeText(value))
      .join(' ');
  }
  return String(node);
}

export function attrs(node: unknown): Record<string, string> {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const record = node as Raw;
    if (record.$ && typeof record.$ === 'object') return record.$ as Record<string, string>;
  }
  return {};
}

export function asString(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as Raw)._ === 'string' ? ((value as Raw)._ as string) : undefined;
  return text?.trim() ? text : undefined;
}
