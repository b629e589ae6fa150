import { cleanInline } from './fold-text.js';

function sentenceSegmenter(language: string | undefined): Intl.Segmenter {
  try {
    return new Intl.Segmenter(language, { granularity: 'sentence' });
  } catch {
    return new Intl.Segmenter(undefined, { granularity: 'sentence' });
  }
}

/** Sentences of one paragraph, whitespace-collapsed, empty ones dropped. */
export function splitSentences(text: string, language?: string): string[] {
  const segmenter = sentenceSegmenter(language);
  const raw: string[] = [];
  for (const { segment } of segmenter.segment(cleanInline(text))) {
    const previous = raw[raw.length - 1];
    // A break with no space around it and no CJK full stop is inside a token ("…/a?b=1"): keep the token whole.
    if (previous !== undefined && !/[\s。！？]$/u.test(previous) && !/^\s/u.test(segment)) raw[raw.length - 1] = previous + segment;
    else raw.push(segment);
  }
  return raw.map((s) => s.trim()).filter(Boolean);
}

export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}
