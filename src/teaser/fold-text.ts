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

export { graphemes } from '../graphemes.js';

const wordSeparator = /[^\p{L}\p{M}\p{N}_]+/u;
const maxPhraseWords = 5;

/** A keyword or phrase in the form the phrase index uses: folded words joined by single spaces. */
export function phraseKey(phrase: string): string {
  return foldText(phrase).split(wordSeparator).filter(Boolean).join(' ');
}

export interface PhraseHit {
  count: number;
  /** Position (in words) of the first occurrence. */
  first: number;
}

/**
 * Every run of 1-5 whole words of the text, folded, with how often and where it first occurs. One pass instead of a
 * regular expression per keyword: a keyword can only match whole words, never inside a longer one.
 */
export function indexPhrases(text: string): Map<string, PhraseHit> {
  const words = foldText(text).split(wordSeparator).filter(Boolean);
  const index = new Map<string, PhraseHit>();
  for (let start = 0; start < words.length; start++) {
    let phrase = '';
    for (let length = 1; length <= maxPhraseWords && start + length <= words.length; length++) {
      phrase = length === 1 ? words[start]! : `${phrase} ${words[start + length - 1]}`;
      const hit = index.get(phrase);
      if (hit) hit.count++;
      else index.set(phrase, { count: 1, first: start });
    }
  }
  return index;
}

const NO_BREAK_SPACE = /^[\u00A0\u2007\u202F]+$/u;

/** Collapses runs of whitespace (newlines included) to one space, keeping a lone no-break space ("12 000" never wraps); NFC, the form X counts in. */
export function cleanInline(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\s+/gu, (run) => (NO_BREAK_SPACE.test(run) ? run[0]! : ' '))
    .trim();
}

// An apostrophe inside a word ("l’IA", "Kenya's"), not a quotation mark around one.
const INNER_APOSTROPHE = /(?<=\p{L})['’](?=\p{L})/gu;

/** How often the text writes ’ minus how often it writes ' inside words. */
function curlyLead(text: string): number {
  let lead = 0;
  for (const [mark] of text.matchAll(INNER_APOSTROPHE)) lead += mark === '’' ? 1 : -1;
  return lead;
}

/** The apostrophe the hook mostly writes inside words; on a tie, the article's; ’ when both are even. */
export function dominantApostrophe(hook: string, article: string): '’' | "'" {
  const lead = curlyLead(hook) || curlyLead(article);
  return lead < 0 ? "'" : '’';
}

/** Every apostrophe inside a word written as `apostrophe`: "l’ex-chercheur d'OpenAI" mixes two styles in one line. */
export function unifyApostrophes(text: string, apostrophe: '’' | "'"): string {
  return text.replace(INNER_APOSTROPHE, apostrophe);
}

export function primaryLanguage(language: string | undefined): string | undefined {
  const primary = language?.split(/[-_]/)[0]?.toLowerCase();
  return primary || undefined;
}
