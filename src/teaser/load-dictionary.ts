import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HerautError } from '../errors.js';

export type DictionaryKind = 'emojis' | 'hashtags';
export type DictionaryLanguage = 'fr' | 'en';

/** emojis: emoji -> keywords; hashtags: phrase -> tag. */
export type EmojiDictionary = Map<string, string[]>;
export type HashtagDictionary = Map<string, string>;

const dictionaryDir = new URL('../../config/dictionaries/', import.meta.url);
const cache = new Map<string, unknown>();

export function dictionaryLanguage(language: string | undefined): DictionaryLanguage {
  return language === 'fr' ? 'fr' : 'en';
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
