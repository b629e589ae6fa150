import twitterText from 'twitter-text';
import type { FeedConfig } from '../config/schema.js';
import { platformIds, platformSpec } from '../platforms/registry.js';
import { foldText, indexPhrases, phraseKey, primaryLanguage } from './fold-text.js';
import { dictionaryLanguage, loadHashtagDictionary, type HashtagDictionary } from './load-dictionary.js';

export const DEFAULT_MAX_HASHTAGS = 3;
const MAX_CATEGORY_CHARS = 30;
const MAX_CATEGORY_WORDS = 3;

// Default categories of blog engines: they say nothing about the article.
const JUNK_CATEGORIES = new Set(['uncategorized', 'uncategorised', 'non classe', 'sans categorie', 'general', 'allgemein', 'misc', 'divers', 'other', 'autres']);

// Keywords are looked for near the start: title and hook come first, and a huge text must not cost seconds.
const SCAN_CHARS = 4000;

type Phrase = { phrase: string; folded: string; key: string; tag: string };
const compiled = new WeakMap<HashtagDictionary, Phrase[]>();

function compile(dictionary: HashtagDictionary): Phrase[] {
  let phrases = compiled.get(dictionary);
  if (!phrases) {
    phrases = [...dictionary].map(([phrase, tag]) => ({ phrase, folded: foldText(phrase), key: phraseKey(phrase), tag }));
    compiled.set(dictionary, phrases);
  }
  return phrases;
}

/** "intelligence artificielle" -> "IntelligenceArtificielle", "#C'est l'été!" -> "CEstLÉté": letters, marks, digits and _ kept, accents kept. */
export function normalizeHashtag(raw: string): string {
  const parts = raw
    .normalize('NFC')
    .replace(/^[#＃]+/u, '')
    .split(/[^\p{L}\p{M}\p{N}_]+/u)
    .filter(Boolean);
  if (parts.length <= 1) return parts[0] ?? '';
  return parts.map((part) => part.charAt(0).toLocaleUpperCase() + part.slice(1)).join('');
}

/** A tag every platform links as a whole: no spaces, not only digits, and each platform's own rule. */
export function isValidHashtag(tag: string): boolean {
  if (!tag || /\s/u.test(tag) || /^\p{N}+$/u.test(tag)) return false;
  return platformIds.every((id) => platformSpec(id).linksHashtag?.(tag) ?? true);
}

function isUsableCategory(category: string): boolean {
  const value = category.trim();
  if (!value || value.length > MAX_CATEGORY_CHARS) return false;
  if (value.split(/\s+/u).length > MAX_CATEGORY_WORDS) return false;
  if (JUNK_CATEGORIES.has(foldText(value))) return false;
  if (/:\/\/|^www\.|[/\\@?=&]|\.[a-z]{2,6}$/iu.test(value)) return false;
  if (!/\p{L}/u.test(value)) return false;
  if (/^[0-9a-f-]{8,}$/iu.test(value) && /\d/u.test(value)) return false;
  if (/^[\p{L}_-]*\d{3,}$/u.test(value)) return false;
  return true;
}

export interface HashtagInput {
  /** Title and hook: dictionary phrases are looked for here. */
  text: string;
  categories: string[];
  language?: string;
  /** The hook as posted: a tag already written there as #tag is not added again. */
  hook?: string;
  /** Extra candidates after the feed's own (e.g. from an LLM), before categories. */
  suggested?: string[];
}

/** Feed hashtags first, then suggestions, then categories, then dictionary matches; valid on both platforms, no duplicates (case and accents ignored), capped. */
export function pickHashtags(input: HashtagInput, feed: Pick<FeedConfig, 'hashtags' | 'maxHashtags'>): string[] {
  const max = feed.maxHashtags ?? DEFAULT_MAX_HASHTAGS;
  if (max <= 0) return [];
  const phrases = compile(loadHashtagDictionary(dictionaryLanguage(primaryLanguage(input.language))));
  const byPhrase = new Map(phrases.map((p) => [p.folded, p.tag]));
  const inHook = new Set(twitterText.extractHashtags(input.hook ?? '').map(foldText));
  const seen = new Set<string>();
  const picked: string[] = [];
  const consider = (raw: string) => {
    if (picked.length >= max) return;
    const tag = normalizeHashtag(raw);
    const key = foldText(tag);
    if (!isValidHashtag(tag) || seen.has(key)) return;
    seen.add(key);
    if (inHook.has(key)) return;
    picked.push(tag);
  };
  for (const tag of feed.hashtags ?? []) consider(tag);
  for (const tag of input.suggested ?? []) consider(tag);
  for (const category of input.categories) {
    if (!isUsableCategory(category)) continue;
    consider(byPhrase.get(foldText(category)) ?? category);
  }
  const index = indexPhrases(input.text.slice(0, SCAN_CHARS));
  const matches = phrases
    .map((p) => ({ tag: p.tag, index: index.get(p.key)?.first ?? -1, length: p.folded.length }))
    .filter((m) => m.index >= 0)
    .sort((a, b) => a.index - b.index || b.length - a.length);
  for (const match of matches) consider(match.tag);
  return picked;
}
