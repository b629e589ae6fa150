import { describe, expect, it } from 'vitest';
import { isValidHashtag, normalizeHashtag, pickHashtags } from '../../src/teaser/pick-hashtags.js';
import { makeFeed } from './make-article.js';

describe('normalizeHashtag', () => {
  it.each([
    ['intelligence artificielle', 'IntelligenceArtificielle'],
    ['#IA', 'IA'],
    ['Énergie', 'Énergie'],
    ["C'est l'été!", 'CEstLÉté'],
    ['machine-learning', 'MachineLearning'],
    ['iPhone', 'iPhone'],
    ['snake_case', 'snake_case'],
    ['日本 ニュース', '日本ニュース'],
    ['!!!', ''],
  ])('%s -> %s', (raw, tag) => expect(normalizeHashtag(raw)).toBe(tag));
});

describe('isValidHashtag', () => {
  it.each([
    ['IA', true],
    ['Été2025', true],
    ['2025', false],
    ['', false],
    ['with space', false],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['tag-with-dash', false],
  ])('%s -> %s', (tag, valid) => expect(isValidHashtag(tag)).toBe(valid));
});

describe('pickHashtags', () => {
  const fr = { language: 'fr' };
  it.each([
    ['feed tags first, then categories, then dictionary', { hashtags: ['IA'] }, { text: 'Le climat change', categories: ['OpenAI'] }, ['IA', 'OpenAI', 'Climat']],
    ['a category that is a dictionary phrase becomes its tag, deduplicated', { hashtags: ['IA'] }, { text: '', categories: ['Intelligence artificielle', 'Anthropic'] }, ['IA', 'Anthropic']],
    ['duplicates ignoring case and accents', {}, { text: '', categories: ['Ecologie', 'Écologie', 'ÉCOLOGIE'] }, ['Ecologie']],
    ['capped by maxHashtags', { maxHashtags: 2 }, { text: '', categories: ['Un', 'Deux', 'Trois'] }, ['Un', 'Deux']],
    ['maxHashtags 0 gives none', { hashtags: ['IA'], maxHashtags: 0 }, { text: '', categories: ['Un'] }, []],
    [
      'category lists are never dumped raw: long, wordy, ids, urls, junk',
      {},
      { text: '', categories: ['Politique et société française contemporaine', 'Une catégorie vraiment beaucoup trop longue', '12345', 'post-48213', '3f2a9c1e-77b0', 'https://example.com/cat', 'Uncategorized', 'Non classé', 'Science'] },
      ['Science'],
    ],
    ['multi-word categories become CamelCase', {}, { text: '', categories: ['santé publique'] }, ['SantéPublique']],
    ['a tag already in the hook as #tag is not repeated', { hashtags: ['IA', 'Climat'] }, { text: '', categories: [], hook: 'La #IA et le climat' }, ['Climat']],
    ['dictionary phrases match whole words only', {}, { text: 'Le spaceship décolle; une semaine spatiale', categories: [] }, []],
    ['dictionary matches in order of appearance', {}, { text: 'La santé puis le climat puis l’espace', categories: [] }, ['Santé', 'Climat', 'Espace']],
  ])('%s', (_name, feedFields, input, expected) => {
    expect(pickHashtags({ ...fr, ...input }, makeFeed(feedFields))).toEqual(expected);
  });

  it('uses the English dictionary for English and for languages without one', () => {
    const feed = makeFeed();
    expect(pickHashtags({ text: 'How artificial intelligence changes climate science', categories: [], language: 'en' }, feed)).toEqual(['AI', 'Climate']);
    expect(pickHashtags({ text: 'artificial intelligence', categories: [], language: 'de' }, feed)).toEqual(['AI']);
  });
});
