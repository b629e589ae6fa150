import type { FeedConfig } from '../config/schema.js';
import { graphemes, indexPhrases, phraseKey, primaryLanguage } from './fold-text.js';
import { dictionaryLanguage, loadEmojiDictionary, type EmojiDictionary } from './load-dictionary.js';

const NEUTRAL: Record<string, string> = { fr: '📰', en: '📰' };
const DEFAULT_NEUTRAL = '📰';
export const DEFAULT_MAX_EMOJIS = 3;

// Keywords are looked for near the start: title and hook come first, and a huge text must not cost seconds.
const SCAN_CHARS = 4000;

type Entry = { emoji: string; keys: string[] };
const compiled = new WeakMap<EmojiDictionary, Entry[]>();

function compile(dictionary: EmojiDictionary): Entry[] {
  let entries = compiled.get(dictionary);
  if (!entries) {
    entries = [...dictionary].map(([emoji, keywords]) => ({ emoji, keys: keysOf(keywords) }));
    compiled.set(dictionary, entries);
  }
  return entries;
}

function keysOf(keywords: string | string[]): string[] {
  return (Array.isArray(keywords) ? keywords : [keywords]).map(phraseKey).filter(Boolean);
}

/** One emoji is one grapheme cluster that is a pictograph or a flag; anything else is not used as an emoji. */
export function isSingleEmoji(value: string): boolean {
  const clusters = graphemes(value.normalize('NFC'));
  return clusters.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(value);
}

export function neutralEmoji(language: string | undefined, neutral: string | false | undefined): string | undefined {
  if (neutral === false) return undefined;
  if (typeof neutral === 'string') return isSingleEmoji(neutral) ? neutral.normalize('NFC') : undefined;
  return NEUTRAL[primaryLanguage(language) ?? ''] ?? DEFAULT_NEUTRAL;
}

/**
 * Emojis whose keywords appear as whole words in `text` (title, hook, categories), most matches first,
 * then earliest mention. Never repeats one, never one already in `avoid` (the hook itself).
 */
export function pickEmojis(text: string, language: string | undefined, feed: Pick<FeedConfig, 'emojis'>, avoid = ''): string[] {
  const max = Math.max(0, Math.min(feed.emojis?.max ?? DEFAULT_MAX_EMOJIS, DEFAULT_MAX_EMOJIS));
  if (max === 0) return [];
  const entries = [...compile(loadEmojiDictionary(dictionaryLanguage(primaryLanguage(language))))];
  for (const [emoji, keywords] of Object.entries(feed.emojis?.keywords ?? {})) {
    entries.unshift({ emoji: emoji.normalize('NFC'), keys: keysOf(keywords) });
  }
  const index = indexPhrases(text.slice(0, SCAN_CHARS));
  const scored: Array<{ emoji: string; count: number; first: number; order: number }> = [];
  entries.forEach((entry, order) => {
    if (!isSingleEmoji(entry.emoji) || avoid.includes(entry.emoji)) return;
    let count = 0;
    let first = Infinity;
    for (const key of entry.keys) {
      const hit = index.get(key);
      if (!hit) continue;
      count += hit.count;
      first = Math.min(first, hit.first);
    }
    if (count > 0) scored.push({ emoji: entry.emoji, count, first, order });
  });
  scored.sort((a, b) => b.count - a.count || a.first - b.first || a.order - b.order);
  const picked: string[] = [];
  for (const { emoji } of scored) {
    if (picked.length >= max) break;
    if (!picked.includes(emoji)) picked.push(emoji);
  }
  if (picked.length === 0) {
    const neutral = neutralEmoji(language, feed.emojis?.neutral);
    if (neutral && !avoid.includes(neutral)) picked.push(neutral);
  }
  return picked;
}
