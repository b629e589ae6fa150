import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/feeds/article.js';
import { measureBluesky } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { shortenLinkForDisplay } from '../../src/platforms/bluesky/bluesky-limits.js';
import { graphemes } from '../../src/teaser/fold-text.js';
import type { Teaser } from '../../src/teaser/teaser.js';
import { writeExtractiveTeasers, writeTemplateTeasers } from '../../src/teaser/write-teasers.js';
import { makeArticle, makeFeed } from './make-article.js';

const WORDS = [
  'le', 'départ', 'd’OpenAI', 'l’IA', "aujourd'hui", 'naïve', 'Œuvre', 'ça', 'the', 'news', 'matters', 'README.md', 'foo.zip',
  '#IA', '@someone', '(entre', 'parenthèses)', '«', '»', '“citation”', '"quoted', 'text"', '—', 'co-fondateur', '10:30',
  '👨‍👩‍👧‍👦', '🇫🇷', '👍🏽', '🏳️‍🌈', 'é́', '日本語のテキストです', '中文新闻报道', 'مرحبا', 'بالعالم', 'שלום', 'עולם',
  'https://example.com/a/b?c=d', 'www.example.org', 'intelligence', 'artificielle', 'climate', 'espace', 'x',
];
const TERMINALS = ['.', '!', '?', '…', '', '。'];
const LANGS = ['fr', 'en', 'ja', 'ar', 'he', 'fr-CA', undefined];
const HOSTS = ['example.com', 'exemple.fr', 'news.example.org', 'a.b.co.uk', 'explainers.example'];

const word = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 5000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map((n) => '語'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }).map((n) => '👩🏽‍🔬'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 2000 }).map((n) => `https://example.com/${'p'.repeat(n)}`) },
);
const sentence = fc.tuple(fc.array(word, { minLength: 1, maxLength: 30 }), fc.constantFrom(...TERMINALS)).map(([w, end]) => w.join(' ') + end);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));
const text = fc.array(paragraph, { minLength: 0, maxLength: 3 }).map((p) => p.join('\n\n'));
const path = fc.oneof(
  fc.constantFrom('', '/', '/2025/02/article', '/é/ü?q=1&r=2', '/a_(b)'),
  fc.integer({ min: 20, max: 2000 }).map((n) => `/${'a'.repeat(n)}`),
);
const link = fc.tuple(fc.constantFrom('https://', 'http://'), fc.constantFrom(...HOSTS), path).map(([s, h, p]) => s + h + p);

const article: fc.Arbitrary<Article> = fc
  .record({
    title: fc.oneof(sentence, fc.constant('')),
    summary: text,
    content: text,
    section: fc.option(fc.tuple(fc.constantFrom('Résumé', 'TL;DR', 'Key facts', 'Récapitulatif factuel :', 'Autre chose'), paragraph)),
    categories: fc.array(fc.oneof(fc.constantFrom('Intelligence artificielle', 'Science', 'Uncategorized', '12345', 'https://x.com/y', 'Politique et société française contemporaine', 'été'), fc.string()), { maxLength: 6 }),
    language: fc.constantFrom(...LANGS),
    link,
  })
  .map((r) =>
    makeArticle({
      title: r.title,
      summary: r.summary,
      content: r.content,
      sections: r.section ? [{ heading: r.section[0], text: r.section[1] }] : [],
      categories: r.categories,
      language: r.language,
      link: r.link,
    }),
  );

function sourceTokens(a: Article): string[] {
  return [a.title, a.summary, a.content, ...a.sections.map((s) => s.text)].join(' ').normalize('NFC').split(/\s+/u).filter(Boolean);
}

// The hook writes one apostrophe throughout ("l’ex-chercheur d’OpenAI"): a word is the source's whatever its apostrophe.
const bare = (token: string) => token.replace(/[.!?…。]+$/u, '').replace(/’/gu, "'");

function checkWords(teaser: Teaser, a: Article): void {
  const hook = teaser.hook ?? '';
  if (!hook) return;
  const source = sourceTokens(a);
  const whole = new Set(source.map(bare));
  const tokens = hook.split(/\s+/u).filter(Boolean);
  const last = tokens[tokens.length - 1];
  const cut = last.endsWith('…') ? tokens.pop()!.slice(0, -1) : undefined;
  // French typography puts "!" "?" ";" ":" apart behind a narrow no-break space: punctuation alone is no cut word.
  const isWord = (token: string) => /[\p{L}\p{N}]/u.test(token);
  for (const token of tokens.filter(isWord)) expect(whole.has(bare(token)), `word "${token.slice(0, 40)}" is not whole in the source`).toBe(true);
  if (cut !== undefined && cut !== '') {
    const clusters = graphemes(cut);
    const ok = source.some((t) => t.startsWith(cut) && graphemes(t).slice(0, clusters.length).join('') === cut);
    expect(ok, `"${cut.slice(0, 40)}…" is not a grapheme-whole prefix of a source word`).toBe(true);
  }
}

function slice(text: string, start: number, end: number): string {
  return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
}

function checkTeaser(teaser: Teaser, a: Article): void {
  if (teaser.hook) expect(teaser.text.startsWith(teaser.hook)).toBe(true);
  checkWords(teaser, a);
  if (teaser.platform === 'x') {
    expect(measureX(teaser.text).valid).toBe(true);
    expect(teaser.text.endsWith(a.link)).toBe(true);
    expect(teaser.facets).toBeUndefined();
    return;
  }
  expect(measureBluesky(teaser.text).valid).toBe(true);
  const facets = teaser.facets ?? [];
  const links = facets.filter((f) => f.features[0].$type === 'app.bsky.richtext.facet#link');
  expect(links).toHaveLength(1);
  expect(links[0].features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: a.link });
  expect(slice(teaser.text, links[0].index.byteStart, links[0].index.byteEnd)).toBe(shortenLinkForDisplay(a.link));
  const tags = facets.filter((f) => f.features[0].$type === 'app.bsky.richtext.facet#tag');
  expect(tags.map((f) => (f.features[0] as { tag: string }).tag)).toEqual(teaser.hashtags);
  for (const f of tags) expect(slice(teaser.text, f.index.byteStart, f.index.byteEnd)).toBe(`#${(f.features[0] as { tag: string }).tag}`);
}

// explainers.example is no TLD twitter-text knows: X counts such a link in full, so a very long one cannot fit at all.
const fitsOnX = (a: Article) => !a.link.includes('explainers.example') || a.link.length < 200;

describe('every teaser, whatever the article', () => {
  it('is valid on X and Bluesky, keeps the link, cuts no word or grapheme, and its facets slice exactly', () => {
    const feed = makeFeed({ hashtags: ['IA', 'Tech News'] });
    let cuts = 0;
    fc.assert(
      fc.property(article, (a) => {
        const teasers = writeExtractiveTeasers(a, fitsOnX(a) ? ['x', 'bluesky'] : ['bluesky'], feed);
        for (const teaser of Object.values(teasers)) {
          checkTeaser(teaser, a);
          if (teaser.hook?.endsWith('…')) cuts++;
        }
      }),
      { numRuns: 150, seed: 20250208 },
    );
    // The generator must reach the interesting branches, not only short articles that fit as they are.
    expect(cuts).toBeGreaterThan(20);
  });

  it('holds for the template writer too, {summary} and {title} included', () => {
    const feed = makeFeed({ writer: 'template', template: { default: '{title}: {summary} {emojis}\n{hashtags}\n{link}', x: '{hook} {hashtags} {link}' } });
    fc.assert(
      fc.property(article, (a) => {
        const teasers = writeTemplateTeasers(a, fitsOnX(a) ? ['x', 'bluesky'] : ['bluesky'], feed);
        expect(measureBluesky(teasers.bluesky!.text).valid).toBe(true);
        checkTeaser({ ...teasers.bluesky!, hook: undefined }, a);
        if (teasers.x) checkTeaser(teasers.x, a);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
