/** Lower-case, accents removed, typographic apostrophes and spaces made plain: for comparing words, never for output. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’‘ʼ`´]/g, "'")
    .replace(/\s+/gu, ' ')
    .trim();
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A matcher for folded keywords (or phrases) as whole words: never inside a longer word. */
export function wholeWordPattern(keywords: string | string[], flags = 'u'): RegExp {
  const alternatives = (Array.isArray(keywords) ? keywords : [keywords])
    .map((k) => foldText(k).split(' ').map(escapeRegExp).join('\\s+'))
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  if (alternatives.length === 0) return /(?!)/u;
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{M}\\p{N}_])`, flags);
}

/** Collapses runs of whitespace (newlines included) to one space; NFC, the form X counts in. */
export function cleanInline(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function primaryLanguage(language: string | undefined): string | undefined {
  const primary = language?.split(/[-_]/)[0]?.toLowerCase();
  return primary || undefined;
}
