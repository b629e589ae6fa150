import type { FeedConfig } from '../config/schema.js';
import { graphemes, indexPhrases, phraseKey, primaryLanguage } from './fold-text.js';
import { dictionaryLanguage, loadCldrEmojis, loadEmojiDictionary, type EmojiDictionary } from './load-dictionary.js';

export const DEFAULT_MAX_EMOJIS = 3;
// Two emojis read as a choice; a third only when the hook is short enough to carry it.
const USUAL_EMOJIS = 2;
const SHORT_HOOK = 90;

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
  let known = singleEmoji.get(value);
  if (known === undefined) {
    known = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(value) && graphemes(value.normalize('NFC')).length === 1;
    if (singleEmoji.size < 10_000) singleEmoji.set(value, known);
  }
  return known;
}

// Asked for every dictionary entry of every teaser: segmenting each time would cost more than the rest of the choice.
const singleEmoji = new Map<string, boolean>();

// Emojis that fit any tech article: a dictionary match on them is never strong enough (the feed may still ask for one).
const FILLER = new Set(['🚀', '✨', '🔥', '💡', '📰', '💾', '💻', '🖥️', '🖥', '📈', '🌐']);

// The topic of an AI feed, named in every item: 🤖 found only through these words says nothing a precise emoji would not.
const TOPIC_KEYS = new Set(['ia', 'ai', 'ki', 'intelligence artificielle', 'artificial intelligence', 'inteligencia artificial', 'ia generative', 'generative ai', 'ia generativa']);

/** The feed's emoji for when nothing matches; none by default, since a filler emoji says nothing. */
export function neutralEmoji(neutral: string | false | undefined): string | undefined {
  return typeof neutral === 'string' && isSingleEmoji(neutral) ? neutral.normalize('NFC') : undefined;
}

/** CLDR names (a satellite, a flag) said in the title: a strong match, unlike a tag word somewhere in the text. */
function cldrMatches(title: string, language: string | undefined): string[] {
  const names = loadCldrEmojis(dictionaryLanguage(primaryLanguage(language)));
  const found: string[] = [];
  for (const [phrase] of indexPhrases(title)) {
    if (phrase.length < 4 || phrase.split(' ').length > 3) continue;
    // "trains" names the train: a plural finds its singular's emoji.
    const emoji = names.get(phrase) ?? names.get(phrase.replace(/s$/u, ''));
    if (emoji && !found.includes(emoji)) found.push(emoji);
  }
  return found;
}

/**
 * The title's own emoji, then emojis whose curated keywords appear as whole words in `text` (title, hook, categories),
 * most matches first, then CLDR names said in the title; one the `categories` alone name only when the text names none.
 * Two at most unless the hook is short; never repeats one, never one already in `avoid` (the hook itself).
 */
export function pickEmojis(
  text: string,
  language: string | undefined,
  feed: Pick<FeedConfig, 'emojis'>,
  avoid = '',
  titleEmoji?: string,
  categories = '',
): string[] {
  const usual = avoid && [...avoid].length > SHORT_HOOK ? USUAL_EMOJIS : DEFAULT_MAX_EMOJIS;
  const max = Math.max(0, Math.min(feed.emojis?.max ?? usual, usual));
  if (max === 0) return [];
  const entries = [...compile(loadEmojiDictionary(dictionaryLanguage(primaryLanguage(language))))];
  const dictionarySize = entries.length;
  for (const [emoji, keywords] of Object.entries(feed.emojis?.keywords ?? {})) {
    entries.unshift({ emoji: emoji.normalize('NFC'), keys: keysOf(keywords) });
  }
  const index = indexPhrases(text.slice(0, SCAN_CHARS));
  const filed = indexPhrases(categories.slice(0, SCAN_CHARS));
  const scored: Array<{ emoji: string; count: number; first: number; order: number; precise: boolean; filedOnly: boolean }> = [];
  const own = entries.length - dictionarySize;
  entries.forEach((entry, order) => {
    if (!isSingleEmoji(entry.emoji) || avoid.includes(entry.emoji) || (order >= own && FILLER.has(entry.emoji))) return;
    let count = 0;
    let first = Infinity;
    let precise = false;
    let said = false;
    for (const key of entry.keys) {
      const hit = index.get(key);
      const filing = filed.get(key);
      if (!hit && !filing) continue;
      said ||= !!hit;
      // A category the site files the item under confirms a word of the text: it counts, but never comes first.
      count += (hit?.count ?? 0) + (filing?.count ?? 0);
      first = Math.min(first, hit ? hit.first : SCAN_CHARS);
      precise ||= !TOPIC_KEYS.has(key);
    }
    if (count > 0) scored.push({ emoji: entry.emoji, count, first, order, precise, filedOnly: !said });
  });
  // "Climat" in the categories of a weather forecast: 🌍 next to 🌦️ is filler; alone, it still says the subject.
  if (scored.some((s) => !s.filedOnly)) scored.splice(0, scored.length, ...scored.filter((s) => !s.filedOnly));
  scored.sort((a, b) => b.count - a.count || a.first - b.first || a.order - b.order);
  // One precise emoji beats a precise one next to the feed's topic: the topic's emoji comes only when nothing else does.
  if (scored.some((s) => s.precise) || titleEmoji) scored.splice(0, scored.length, ...scored.filter((s) => s.precise));
  const picked: string[] = [];
  const title = text.split('\n')[0] ?? '';
  for (const emoji of [titleEmoji, ...scored.map((s) => s.emoji), ...cldrMatches(title, language).filter((e) => !FILLER.has(e))]) {
    if (picked.length >= max) break;
    if (emoji && isSingleEmoji(emoji) && !avoid.includes(emoji) && !picked.includes(emoji)) picked.push(emoji);
  }
  if (picked.length === 0) {
    const neutral = neutralEmoji(feed.emojis?.neutral);
    if (neutral && !avoid.includes(neutral)) picked.push(neutral);
  }
  return picked;
}
