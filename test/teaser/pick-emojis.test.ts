import { describe, expect, it } from 'vitest';
import { graphemes } from '../../src/teaser/fold-text.js';
import { isSingleEmoji, pickEmojis } from '../../src/teaser/pick-emojis.js';
import { makeFeed } from './make-article.js';

describe('pickEmojis', () => {
  it.each([
    ['keywords as whole words, accents and case ignored', 'fr', {}, 'LE NUCLEAIRE et la securite', ['⚛️', '🔒']],
    ['the topic alone (IA) gives 🤖 only when nothing precise matches', 'fr', {}, 'L’INTELLIGENCE ARTIFICIELLE et la securite', ['🔒']],
    ['🤖 stays when a robot or a chatbot is the subject', 'fr', {}, 'Un chatbot d’IA pour la santé', ['🤖', '🏥']],
    ['a train story gets a train, transport is not a car', 'fr', {}, 'La SNCF confie la maintenance de 3 000 trains à une IA\nTransports', ['🚆']],
    ['a rugby World Cup gets a rugby ball, never a football', 'en', {}, 'World Rugby will use AI at the 2027 World Cup', ['🏉']],
    ['a bus story gets a bus', 'es', {}, 'Medellín rediseña su red de autobuses con inteligencia artificial', ['🚌']],
    ['vineyards get grapes', 'fr', {}, 'Pourquoi 1 200 vignerons laissent une IA décider', ['🍇']],
    ['weather forecasts get weather, not the globe', 'fr', {}, 'Des prévisions météo par IA', ['🌦️']],
    ['sign language gets 🧏', 'es', {}, 'Una startup traduce lengua de señas colombiana', ['🧏']],
    ['most matches first, never a filler such as 🚀', 'fr', {}, 'Une fusée. L’IA, un robot, un chatbot.', ['🤖']],
    ['never inside a word: "IA" is not in "média", "art" not in "partir"', 'fr', {}, 'Les médias vont partir', []],
    ['nothing matches: no filler emoji', 'en', {}, 'Nothing here at all', []],
    ['Spanish has its own dictionary', 'es', {}, 'La AESIA impone una multa por deepfakes', ['⚖️', '🎭']],
    ['a CLDR name said in the title is a strong match', 'fr', {}, 'Un satellite français', ['🛰️']],
    ['neutral false: none', 'en', { emojis: { neutral: false } }, 'Nothing here at all', []],
    ['neutral chosen by the feed', 'en', { emojis: { neutral: '🗞️' } }, 'Nothing here', ['🗞️']],
    ['at most max', 'en', { emojis: { max: 1 } }, 'AI robots and a chatbot launch', ['🤖']],
    ['max 0: none, not even neutral', 'en', { emojis: { max: 0 } }, 'AI', []],
    ['feed keywords extend the dictionary, whole clusters', 'en', { emojis: { keywords: { '👩🏽‍🔬': ['chemist'], '🇫🇷': ['France'] } } }, 'A chemist in France', ['👩🏽‍🔬', '🇫🇷']],
    ['other languages use the English dictionary', 'ja', {}, 'AI 日本語', ['🤖']],
    ['unknown language: English dictionary', undefined, {}, 'climate', ['🌍']],
  ])('%s', (_name, language, feedFields, text, expected) => {
    expect(pickEmojis(text, language, makeFeed(feedFields))).toEqual(expected);
  });

  it('never repeats an emoji and skips ones the hook already has', () => {
    const picked = pickEmojis('AI AI robot robots machine learning space', 'en', makeFeed(), 'Our hook 🤖');
    expect(picked).not.toContain('🤖');
    expect(new Set(picked).size).toBe(picked.length);
  });

  it('returns whole grapheme clusters only', () => {
    const picked = pickEmojis('justice science vote AI', 'en', makeFeed());
    expect(picked).toHaveLength(3);
    for (const emoji of picked) {
      expect(graphemes(emoji)).toHaveLength(1);
      expect(isSingleEmoji(emoji)).toBe(true);
    }
  });
});

describe('an emoji only the categories name', () => {
  it('never comes next to one the title or the hook names ("Climat" beside a weather forecast)', () => {
    expect(pickEmojis('Des prévisions météo par IA', 'fr', makeFeed(), '', undefined, 'Climat')).toEqual(['🌦️']);
  });

  it('still comes when the text names nothing', () => {
    expect(pickEmojis('Un nouveau modèle est publié', 'fr', makeFeed(), '', undefined, 'Climat')).toEqual(['🌍']);
  });
});
