import { cleanInline } from './fold-text.js';

// Building a segmenter costs more than segmenting a paragraph: one per language, reused.
const segmenters = new Map<string, Intl.Segmenter>();

function sentenceSegmenter(language: string | undefined): Intl.Segmenter {
  const key = language ?? '';
  let segmenter = segmenters.get(key);
  if (!segmenter) {
    try {
      segmenter = new Intl.Segmenter(language, { granularity: 'sentence' });
    } catch {
      segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
    }
    if (segmenters.size < 64) segmenters.set(key, segmenter);
  }
  return segmenter;
}

// The hook, the why and the prompt read the same paragraphs of one article: split each once.
const recent = new Map<string, string[]>();

/** Sentences of one paragraph, whitespace-collapsed, empty ones dropped. */
export function splitSentences(text: string, language?: string): string[] {
  const key = `${language ?? ''}\u0000${text}`;
  const known = recent.get(key);
  if (known) return [...known];
  const sentences = segmentSentences(text, language);
  if (recent.size >= 16) recent.delete(recent.keys().next().value!);
  recent.set(key, sentences);
  return [...sentences];
}

function segmentSentences(text: string, language: string | undefined): string[] {
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
