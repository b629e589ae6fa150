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
  /** Title and hook: entities and dictionary phrases are looked for here. */
  text: string;
  categories: string[];
  language?: string;
  /** The hook as posted: a tag already written there as #tag counts toward the cap and is not added again. */
  hook?: string;
  /** Extra candidates after the feed's own (e.g. from an LLM), before entities. */
  suggested?: string[];
  /** The whole article: ranks entities by how often it names them, and tells a category in another language. */
  article?: string;
}

// The topic tag in the article's language: a feed that sets #IA once gets #AI on its English items.
const TOPIC_EQUIVALENTS: Record<string, Record<string, string>> = {
  en: { ia: 'AI', ki: 'AI' },
  fr: { ai: 'IA', ki: 'IA' },
  es: { ai: 'IA', ki: 'IA' },
};

// Acronyms and words every article of an AI feed has: tags nobody searches for, or the topic tag in disguise.
const GENERIC = new Set(
  'ia ai ki gpu gpus cpu cpus api apis llm llms pme ong ngo ceo pdg cto twh gw mw kw tb go gb ms usa us uk eu ue ee uu'.split(' '),
);
const CALENDAR = new Set(
  ('january february march april may june july august september october november december monday tuesday wednesday thursday friday saturday sunday ' +
    'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre lunes martes miercoles jueves viernes sabado domingo').split(' '),
);

/** Feed tags for the article's language: a list for every language, or a map with a "default" list. */
export function topicTags(hashtags: FeedConfig['hashtags'] | undefined, language: string | undefined): string[] {
  const primary = primaryLanguage(language) ?? '';
  const tags = Array.isArray(hashtags) ? hashtags : (hashtags?.[primary] ?? hashtags?.[language ?? ''] ?? hashtags?.default ?? []);
  const equivalents = TOPIC_EQUIVALENTS[primary] ?? {};
  return tags.map((tag) => equivalents[foldText(normalizeHashtag(tag))] ?? tag);
}

const CAPITALISED = /^(\p{Lu}[\p{L}\p{M}\p{N}]*|\p{Ll}+\p{Lu}[\p{L}\p{M}\p{N}]*|\p{N}+\p{Lu}[\p{L}\p{M}\p{N}]*)(-([\p{L}\p{M}\p{N}]+))*$/u;
const LINKERS = new Set(['de', 'del', 'des', 'du', 'sur', 'of', 'la', 'le', 'el', 'y', 'et', 'and']);
// A title's question word opens the sentence, never a name: "Why Marlow & Finch…", "Pourquoi Mistral…".
const QUESTION_WORDS = new Set('why how what when where who pourquoi comment quand où qui que quoi por qué cómo cuándo dónde quién'.split(' '));
const DETERMINERS = new Set('la le les el los las lo the a an un une una unos unas ce cette ces this these that those este esta estos estas'.split(' '));
const ALL_CAPS = /^[\p{Lu}\p{N}-]+$/u;

let lastWords: [string, string[]] = ['', []];

/** The article's words, hyphenated ones whole; the last article's are kept, since one teaser asks many times. */
function wordsOf(article: string): string[] {
  if (lastWords[0] !== article) lastWords = [article, article.match(/[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*/gu) ?? []];
  return lastWords[1];
}

function letters(word: string): number {
  return (word.match(/\p{L}/gu) ?? []).length;
}

/** An all-caps word is an acronym when it is short or written so in the article itself (not only in a category). */
function isAcronym(word: string, article: string): boolean {
  if (!ALL_CAPS.test(word) || !/\p{Lu}/u.test(word)) return false;
  return letters(word) <= 5 || wordsOf(article).includes(word);
}

/** A capitalised first word is a name if the article capitalises it mid-sentence ("pour Mistral"), or always and more than once. */
function isNameInArticle(word: string, article: string): boolean {
  if (new RegExp(`\\p{Ll}[,;:]? ${word}(?![\\p{L}\\p{M}])`, 'u').test(article)) return true;
  const words = wordsOf(article);
  return !words.includes(word.toLowerCase()) && words.filter((w) => w === word).length >= 2;
}

/** "La Poste": a sentence-initial article belongs to the name when the article never writes the name without it. */
function takesArticle(determiner: string, name: string | undefined, article: string): boolean {
  if (!name || !/^\p{Lu}\p{Ll}/u.test(name)) return false;
  const bare = article.match(new RegExp(`(?<![\\p{L}\\p{M}])${name}(?![\\p{L}\\p{M}])`, 'gu'))?.length ?? 0;
  const withArticle = article.match(new RegExp(`(?<![\\p{L}\\p{M}])${determiner} ${name}(?![\\p{L}\\p{M}])`, 'gu'))?.length ?? 0;
  return withArticle >= 2 && withArticle === bare;
}

/** Runs of capitalised words (names, acronyms, "Fos-sur-Mer"), sentence-initial common words left out. */
function entitiesIn(text: string, article: string): string[] {
  const found: string[] = [];
  for (const sentence of text.split(/(?<=[.!?:;])\s+|\n+/u)) {
    const words = sentence.split(/[\s,()«»"“”:;.!?¿¡]+/u).filter(Boolean);
    let run: string[] = [];
    const flush = () => {
      while (run.length && LINKERS.has(run[run.length - 1]!.toLowerCase())) run.pop();
      if (run.length) found.push(run.join(' '));
      run = [];
    };
    words.forEach((raw, i) => {
      const word = raw.replace(/^[\p{Ll}]['’]/u, '').replace(/['’]s$/u, '');
      const capitalised = CAPITALISED.test(word) && letters(word) >= 2;
      const startsName = (CAPITALISED.test(words[1] ?? '') || (words[1] === '&' && CAPITALISED.test(words[2] ?? ''))) && !DETERMINERS.has(word.toLowerCase());
      const determiner = DETERMINERS.has(word.toLowerCase());
      const plainInitial =
        i === 0 &&
        /^\p{Lu}\p{Ll}+$/u.test(word) &&
        (QUESTION_WORDS.has(word.toLowerCase()) || (determiner ? !takesArticle(word, words[1], article) : !startsName && !isNameInArticle(word, article)));
      if (capitalised && !plainInitial && !CALENDAR.has(foldText(word))) run.push(word);
      else if (run.length && (LINKERS.has(word) || word === '&') && CAPITALISED.test(words[i + 1] ?? '')) run.push(word);
      else flush();
    });
    flush();
  }
  return found;
}

let lastFolded: [string, string] = ['', ''];

function countIn(article: string, phrase: string): number {
  if (lastFolded[0] !== article) lastFolded = [article, foldText(article)];
  const folded = lastFolded[1];
  const needle = foldText(phrase);
  let count = 0;
  for (let at = folded.indexOf(needle); at >= 0 && count < 50; at = folded.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** "SiPearl" in "SiPearl signe…", not only in "SiPearl & Nvidia" (or "Nvidia" not only after "&"). */
function namedAlone(name: string, article: string, side: 'before' | 'after'): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  const pattern = side === 'before' ? `(?<![\\p{L}\\p{M}])${escaped}(?![\\p{L}\\p{M}])(?!\\s*&)` : `(?<![\\p{L}\\p{M}]|&\\s*)${escaped}(?![\\p{L}\\p{M}])`;
  return new RegExp(pattern, 'u').test(article);
}

/** "Thomas Keller", "Pulsa Media": plain capitalised words in a row are often a person ("La Poste" is not); brands and acronyms first. */
function isPersonLike(entity: string): boolean {
  const words = entity.split(' ');
  return words.length > 1 && !DETERMINERS.has(words[0]!.toLowerCase()) && words.every((w) => /^\p{Lu}\p{Ll}+$/u.test(w));
}

/** Entities of title and hook, the most named in the article first; a name run splits into its words when the run is rare. */
function rankedEntities(text: string, article: string): string[] {
  const scored = new Map<string, { entity: string; count: number; first: number }>();
  const add = (entity: string, order: number) => {
    const key = foldText(entity);
    if (GENERIC.has(key) || scored.has(key)) return;
    if (ALL_CAPS.test(entity.replace(/\s/gu, '')) && !entity.split(' ').every((w) => isAcronym(w, article))) return;
    scored.set(key, { entity, count: Math.max(1, countIn(article, entity)), first: order });
  };
  entitiesIn(text, article).forEach((run, order) => {
    // "El Hospital Miguel Servet": a long name is searched without its article.
    const all = run.split(' ');
    // A run that keeps its article is a name the article always writes so ("El Hospital Miguel Servet"): whole, searched without it.
    const named = all.length > 2 && DETERMINERS.has(all[0]!.toLowerCase());
    const words = named ? all.slice(1) : all;
    const name = words.join(' ');
    if (words.length === 1) return add(name, order);
    // "Marlow & Finch" is one firm when the article never names Marlow alone; "SiPearl & Nvidia" are two.
    const ampersand = words.indexOf('&');
    if (ampersand > 0 && (namedAlone(words.slice(0, ampersand).join(' '), article, 'before') || namedAlone(words.slice(ampersand + 1).join(' '), article, 'after'))) {
      for (const word of words) if (word !== '&' && !LINKERS.has(word)) add(word, order);
      return;
    }
    if (words.length <= 3 + (ampersand > 0 ? 1 : 0) && (named || ampersand > 0 || countIn(article, name) >= 2)) return add(name, order);
    for (const word of words) if (word !== '&' && !LINKERS.has(word) && !DETERMINERS.has(word.toLowerCase())) add(word, order);
  });
  const tier = (entity: string) => (isPersonLike(entity) ? 1 : 0);
  return [...scored.values()].sort((a, b) => tier(a.entity) - tier(b.entity) || b.count - a.count || a.first - b.first).map((s) => s.entity);
}

function isNamePart(word: string | undefined): boolean {
  return word !== undefined && !DETERMINERS.has(word.toLowerCase());
}

/** "Kyutai publie…", "Pourquoi la SNCF…", "SiPearl & Nvidia :": the names that open the title, and those joined to them, do the news. */
function titleSubjects(title: string, entities: string[]): string[] {
  const placed = entities
    .filter((entity) => !isPersonLike(entity))
    .map((entity) => ({ entity, at: title.indexOf(entity) }))
    // "Gobierno" out of "El Gobierno de Chile", "Schulman" out of "John Schulman": a piece of a name, not the name.
    .filter((p) => p.at >= 0 && !/^\s+(?:(?:de|del|of)\s+)?\p{Lu}/u.test(title.slice(p.at + p.entity.length)) && !isNamePart(title.slice(0, p.at).match(/(\p{Lu}\p{L}*)\s+$/u)?.[1]))
    .sort((a, b) => a.at - b.at);
  const subjects: string[] = [];
  let end = 0;
  for (const { entity, at } of placed) {
    const before = title.slice(end, at);
    const opens = !subjects.length && before.split(/\s+/u).filter(Boolean).length <= 2;
    if (!opens && !(subjects.length && /^\s*(?:&|,|and|et|y)\s*$/u.test(before))) break;
    subjects.push(entity);
    end = at + entity.length;
  }
  return subjects;
}

/** "FRANCE" on a story about the SNCF: a place the site files in capitals and the article never names is a side tag unless the title names it. */
function isFiling(category: string, article: string): boolean {
  const word = category.replace(/[\s-]/gu, '');
  return ALL_CAPS.test(word) && letters(word) >= 5 && !wordsOf(article).some((w) => foldText(w) === foldText(category));
}

/** A category the title names in full ("deepfakes", "open source"): the item is about it, not merely filed under it. */
function namedIn(title: string, category: string): boolean {
  const needle = foldText(category).replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${needle}(?![\\p{L}\\p{N}])`, 'u').test(foldText(title));
}

// Tags anyone could put on any article: worth a place only when no entity or category says more.
const FILLER = new Set(
  'research recherche investigacion culture cultura tech technology technologie tecnologia innovation innovacion actualite actualidad news noticias science ciencia'.split(' '),
);

// Tags for a whole sector: right as a category, too broad to outrank a term the title names.
const SECTORS = new Set(
  'sante salud health education educacion economie economia economy politique politica politics energie energia energy climat clima climate science ciencia espace space startup innovation innovacion'.split(' '),
);

/** "Taïwan" filed by a French site, on an English article that writes "Taiwan": the article's own spelling. */
function spelledAsArticle(tag: string, article: string): string {
  const folded = foldText(tag);
  if (!article || /\s/u.test(tag)) return tag;
  return wordsOf(article).find((word) => word === tag) ?? wordsOf(article).find((word) => foldText(word) === folded && word[0] === tag[0]) ?? tag;
}

/** "ÉTATS-UNIS" -> "États-Unis" as the article writes it, else capitalised per word; acronyms stay. */
function recase(category: string, article: string): string {
  return category
    .split(/(\s+)/u)
    .map((word) => {
      if (!ALL_CAPS.test(word) || isAcronym(word, article)) return word;
      const folded = foldText(word);
      const match = wordsOf(article).find((candidate) => foldText(candidate) === folded && !ALL_CAPS.test(candidate));
      return match ?? word.charAt(0) + word.slice(1).toLocaleLowerCase();
    })
    .join('');
}

/**
 * Topic tags first (the feed's, in the article's language), then suggestions, then the entities of title and hook
 * (most named first), then categories the article's language uses, then dictionary matches. Tags already in the hook
 * count toward the cap and are not repeated; valid on both platforms; no duplicates (case and accents ignored).
 */
export function pickHashtags(input: HashtagInput, feed: Pick<FeedConfig, 'hashtags' | 'maxHashtags'>): string[] {
  const inHook = new Set(twitterText.extractHashtags(input.hook ?? '').map(foldText));
  const max = (feed.maxHashtags ?? DEFAULT_MAX_HASHTAGS) - inHook.size;
  if (max <= 0) return [];
  const phrases = compile(loadHashtagDictionary(dictionaryLanguage(primaryLanguage(input.language))));
  const byPhrase = new Map(phrases.map((p) => [p.folded, p.tag]));
  const article = input.article ?? input.text;
  const seen = new Set<string>(inHook);
  const picked: string[] = [];
  const fillers: string[] = [];
  let topics = 0;
  const consider = (raw: string, deferFiller = true) => {
    if (picked.length >= max) return;
    const tag = normalizeHashtag(raw);
    const key = foldText(tag);
    if (!isValidHashtag(tag) || seen.has(key)) return;
    if (deferFiller && FILLER.has(key)) {
      fillers.push(tag);
      return;
    }
    if (/^[\p{Lu}\p{N}]+$/u.test(tag) && letters(tag) >= 6 && !isAcronym(tag, article)) return;
    // #France beside #MétéoFrance says nothing more.
    if (deferFiller && key.length >= 4 && picked.some((other) => foldText(other).includes(key))) return;
    seen.add(key);
    // #Cour picked from "la Cour des comptes" gives way to #CourDesComptes: the whole name takes the piece's place.
    const piece = deferFiller ? picked.findIndex((other, i) => i >= topics && foldText(other).length >= 3 && key.startsWith(foldText(other))) : -1;
    if (piece >= 0) picked[piece] = tag;
    else picked.push(tag);
  };
  for (const tag of topicTags(feed.hashtags, input.language)) consider(tag, false);
  topics = picked.length;
  for (const tag of input.suggested ?? []) consider(byPhrase.get(foldText(tag)) ?? tag);
  const entities = rankedEntities(input.text.slice(0, SCAN_CHARS), article.slice(0, 20 * SCAN_CHARS));
  const dictionaryTag = (phrase: string) => byPhrase.get(foldText(phrase));
  const categories = input.categories.filter(isUsableCategory);
  // The names the title opens with do the news; then an entity the site also files the item under, then a category the
  // title names; otherwise the most named entity; then the other categories.
  const title = input.text.split('\n', 1)[0] ?? '';
  for (const entity of titleSubjects(title, entities)) consider(dictionaryTag(entity) ?? entity);
  // "Ministère de l’Éducation" names a sector (#Éducation): it waits for the categories, after the title's own term (#Bac).
  const isSector = (entity: string) => SECTORS.has(foldText(normalizeHashtag(dictionaryTag(entity) ?? entity)));
  const filed = entities.filter((entity) => !isSector(entity) && categories.some((category) => foldText(category) === foldText(entity)));
  for (const entity of filed) consider(dictionaryTag(entity) ?? entity);
  const considerCategory = (category: string) => {
    const known = dictionaryTag(category);
    if (known) consider(known);
    else if (!input.article || countIn(article, category) > 0) consider(spelledAsArticle(recase(category, article), input.article ?? ''));
  };
  for (const category of categories) if (namedIn(title, category)) considerCategory(category);
  if (!filed.length) for (const entity of entities.filter((e) => !isSector(e)).slice(0, 1)) consider(dictionaryTag(entity) ?? entity);
  // "…les copies du bac ?": a term the title names (a word, not a name) is searched more than the sector the site files the item under.
  const titleIndex = indexPhrases(title);
  for (const p of phrases) if (/^\p{Ll}/u.test(p.phrase) && titleIndex.has(p.key) && !SECTORS.has(foldText(p.tag))) consider(p.tag);
  for (const category of categories) if (namedIn(title, category) || !isFiling(category, article)) considerCategory(category);
  for (const entity of entities) consider(dictionaryTag(entity) ?? entity);
  const index = indexPhrases(input.text.slice(0, SCAN_CHARS));
  const matches = phrases
    .map((p) => ({ tag: p.tag, index: index.get(p.key)?.first ?? -1, length: p.folded.length }))
    .filter((m) => m.index >= 0)
    .sort((a, b) => a.index - b.index || b.length - a.length);
  for (const match of matches) consider(match.tag);
  if (picked.length < 2) for (const tag of fillers) consider(tag, false);
  return picked;
}
