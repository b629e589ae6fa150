import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { HerautError } from '../errors.js';
import { phraseKey } from './fold-text.js';

export type DictionaryKind = 'emojis' | 'hashtags';
export type DictionaryLanguage = 'fr' | 'en' | 'es';

/** emojis: emoji -> keywords; hashtags: phrase -> tag. */
export type EmojiDictionary = Map<string, string[]>;
export type HashtagDictionary = Map<string, string>;

const dictionaryDir = new URL('../../config/dictionaries/', import.meta.url);
const cache = new Map<string, unknown>();

export function dictionaryLanguage(language: string | undefined): DictionaryLanguage {
  return language === 'fr' || language === 'es' ? language : 'en';
}

function readDictionary(kind: DictionaryKind, language: DictionaryLanguage): Record<string, unknown> {
  const url = new URL(`${kind}.${language}.yaml`, dictionaryDir);
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(url, 'utf8'));
  } catch (error) {
    throw new HerautError('config-invalid', `cannot read the bundled dictionary ${url.pathname}; reinstall heraut or fix the YAML`, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HerautError('config-invalid', `the bundled dictionary ${url.pathname} is not a mapping; reinstall heraut or fix the YAML`);
  }
  return parsed as Record<string, unknown>;
}

function once<T>(key: string, build: () => T): T {
  if (!cache.has(key)) cache.set(key, build());
  return cache.get(key) as T;
}

/** Bundled emoji keywords for a language, read once and cached. */
export function loadEmojiDictionary(language: DictionaryLanguage): EmojiDictionary {
  return once(`emojis.${language}`, () => {
    const map: EmojiDictionary = new Map();
    for (const [emoji, keywords] of Object.entries(readDictionary('emojis', language))) {
      if (Array.isArray(keywords)) map.set(emoji.normalize('NFC'), keywords.map((k) => String(k)));
    }
    return map;
  });
}

/** Bundled phrase -> hashtag table for a language, read once and cached. */
export function loadHashtagDictionary(language: DictionaryLanguage): HashtagDictionary {
  return once(`hashtags.${language}`, () => {
    const map: HashtagDictionary = new Map();
    for (const [phrase, tag] of Object.entries(readDictionary('hashtags', language))) {
      if (typeof tag === 'string' && tag) map.set(phrase, tag);
    }
    return map;
  });
}

type CldrEmoji = { label?: string; group?: number; unicode: string };
// Animals and nature, food, travel and places, activities, objects, flags: the groups that name things, not faces or gestures.
const THING_GROUPS = new Set([3, 4, 5, 6, 7, 9]);

/** CLDR annotations (emojibase-data) for a language: short name as a phrase key -> emoji, e.g. "satellite" -> 🛰️, "france" -> 🇫🇷. */
export function loadCldrEmojis(language: DictionaryLanguage): Map<string, string> {
  return once(`cldr.${language}`, () => {
    const data = createRequire(import.meta.url)(`emojibase-data/${language}/compact.json`) as CldrEmoji[];
    const map = new Map<string, string>();
    for (const emoji of data) {
      if (!emoji.label || emoji.group === undefined || !THING_GROUPS.has(emoji.group)) continue;
      const name = emoji.group === 9 ? emoji.label.split(/\s*:\s*/u)[1] : emoji.label;
      const key = name && phraseKey(name);
      if (key && !map.has(key)) map.set(key, emoji.unicode);
    }
    return map;
  });
}
