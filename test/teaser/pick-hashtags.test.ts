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

  describe('the names that do the news come first', () => {
    const feed = makeFeed({ hashtags: ['IA'] });
    const pick = (text: string, categories: string[], article: string) => pickHashtags({ text, categories, language: 'fr', article: `${text}\n${article}` }, feed);

    it('a name the article always writes with its article is one tag, without it, never the article alone', () => {
      const text = 'El Hospital Miguel Servet reduce un 23 % su lista de espera';
      expect(pickHashtags({ text, categories: [], language: 'es', article: `${text}\nEl Hospital Miguel Servet de Zaragoza lo probó un año. El sistema predice cuánto durará cada operación.` }, feed)).toEqual(['IA', 'HospitalMiguelServet']);
    });

    it('"A & B" is one firm when the article never names A alone, two when it does; a question word is not a name', () => {
      const firm = 'Why Marlow & Finch is refunding 38,000 customers';
      expect(pickHashtags({ text: firm, categories: [], language: 'en', article: `${firm}\nThe bank Marlow & Finch froze accounts.` }, feed)).toEqual(['AI', 'MarlowFinch']);
      const pair = 'SiPearl & Nvidia : l’accord sur les GPU';
      expect(pick(pair, [], 'SiPearl conçoit Rhea 2. Nvidia fournit les GPU. SiPearl livre en 2027.')).toEqual(['IA', 'SiPearl', 'Nvidia']);
    });

    it('a piece of a name picked first gives its place to the whole name (#Cour, then #CourDesComptes)', () => {
      const text = 'Pourquoi la Cour des comptes juge décevante l’IA antifraude du fisc';
      const tags = pick(text, ['Cour des comptes', 'Administration'], 'La Cour des comptes publie son rapport. La Cour note que le fisc encaisse peu.');
      expect(tags).toContain('CourDesComptes');
      expect(tags).not.toContain('Cour');
    });

    it('the name the title opens with, even when the article names another one more', () => {
      const text = 'Kyutai publie Sonal, un modèle vocal open source';
      expect(pick(text, ['Audio'], 'Sonal parle. Sonal écoute. Sonal répond. Un modèle signé Kyutai.')).toEqual(['IA', 'Kyutai', 'Sonal']);
    });

    it('names joined to it by "&" or "et" do the news with it, before any category', () => {
      const text = 'SiPearl & Nvidia : l’accord qui met des GPU dans les supercalculateurs européens';
      expect(pick(text, ['Supercalculateurs', 'Europe'], 'Nvidia fournit, Nvidia vend. Les supercalculateurs en Europe.')).toEqual(['IA', 'SiPearl', 'Nvidia']);
    });

    it('then a category the title names, before a name it does not file', () => {
      const text = 'La AESIA impone su primera multa por deepfakes: 3 millones a Pulsa Media';
      expect(pickHashtags({ text, categories: ['Regulación', 'Deepfakes'], language: 'es', article: text }, feed)).toEqual(['IA', 'AESIA', 'Deepfakes']);
    });

    it('an article that is part of the name stays: "La Poste" is #LaPoste, not #Poste', () => {
      const text = 'La Poste suspend son robot après 3 200 plaintes';
      expect(pick(text, [], 'La Poste a suspendu le robot. La Poste a reculé.')).toEqual(['IA', 'LaPoste']);
      // The article writes "la CNIL" mid-sentence: the article is not part of the name.
      expect(pick('La CNIL inflige une amende', [], 'Selon la CNIL, la CNIL a tranché.')).toEqual(['IA', 'CNIL']);
    });

    it('a place filed in capitals comes only when the article names it, not inside another name', () => {
      const text = 'La SNCF confie la maintenance de 3 000 trains à une IA';
      expect(pick(text, ['FRANCE'], 'La SNCF a testé le logiciel en Hauts-de-France.')).toEqual(['IA', 'SNCF']);
      expect(pick(text, ['FRANCE'], 'La SNCF a testé le logiciel en France.')).toEqual(['IA', 'SNCF', 'France']);
    });

    it('a piece of a longer name, or a person, is not the subject', () => {
      const chile = 'El Gobierno de Chile lanza LatamGPT-2, un modelo abierto';
      expect(pickHashtags({ text: chile, categories: ['CHILE'], language: 'es', article: chile }, feed).slice(0, 2)).toEqual(['IA', 'Chile']);
      const text = 'John Schulman quitte Anthropic pour OpenAI';
      expect(pick(text, ['Anthropic', 'OpenAI'], 'Anthropic et OpenAI.')).toEqual(['IA', 'Anthropic', 'OpenAI']);
    });
  });

  it('uses the English dictionary for English and for languages without one', () => {
    const feed = makeFeed();
    expect(pickHashtags({ text: 'How artificial intelligence changes climate science', categories: [], language: 'en' }, feed)).toEqual(['AI', 'Climate']);
    expect(pickHashtags({ text: 'artificial intelligence', categories: [], language: 'de' }, feed)).toEqual(['AI']);
  });
});

describe('a tag inside another', () => {
  it('never adds #France beside #MétéoFrance', () => {
    const text = 'Météo-France confie ses prévisions à un modèle d’IA entraîné sur les données de toute la France.';
    const tags = pickHashtags({ text, categories: ['FRANCE', 'Climat'], language: 'fr', hook: text, article: text }, makeFeed({ hashtags: ['IA'] }));
    expect(tags).toContain('MétéoFrance');
    expect(tags).not.toContain('France');
  });
});
