import { describe, expect, it } from 'vitest';
import { isHerautError } from '../../src/errors.js';
import { measureBluesky } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { shortenLinkForDisplay } from '../../src/platforms/bluesky/bluesky-limits.js';
import { fitTeaser, type TeaserDraft } from '../../src/teaser/fit-teaser.js';
import { applyFrenchTypography } from '../../src/teaser/french-typography.js';
import { checkEditedTeaser, writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeArticle, makeFeed } from './make-article.js';

const LINK = 'https://example.com/2025/ladder';
const EMOJIS = ['🤖', '🚀', '🌍'];
const TAGS = ['Alpha', 'Beta', 'Gamma'];

function draft(sentences: string[], fields: Partial<TeaserDraft> = {}): TeaserDraft {
  return { sentences, title: 'The title', emojis: EMOJIS, hashtags: TAGS, link: LINK, langs: ['en'], writer: 'extractive', ...fields };
}

function xLength(hook: string, emojis: string[], tags: string[]): number {
  return measureX(`${hook} ${emojis.join('')} ${tags.map((t) => `#${t}`).join(' ')}\n\n${LINK}`).weighted!;
}

/** A sentence of plain words, exactly `n` characters long, ending with a full stop. */
function sentenceOf(n: number): string {
  const words: string[] = [];
  let length = 0;
  while (length < n - 8) {
    words.push('word');
    length += 5;
  }
  const last = 'e'.repeat(n - length - 1);
  return `${words.join(' ')} ${last}.`.slice(0, n);
}

/** A first sentence that overflows X by `over` with all three emojis and hashtags. */
function overflowing(over: number): string {
  const overhead = xLength('', EMOJIS, TAGS) - 0;
  return sentenceOf(280 - overhead + over);
}

describe('the fitting ladder (X)', () => {
  it('keeps everything when it fits', () => {
    const t = fitTeaser(draft(['Short news.', 'Why it matters.']), 'x');
    expect(t.text).toBe(`Short news. Why it matters. 🤖🚀🌍 #Alpha #Beta #Gamma\n\n${LINK}`);
  });

  it('drops the second sentence first', () => {
    const first = sentenceOf(150);
    const t = fitTeaser(draft([first, sentenceOf(120)]), 'x');
    expect(t.hook).toBe(first);
    expect(t.hashtags).toEqual(TAGS);
    expect(t.emojis).toEqual(EMOJIS);
  });

  it('then hashtags beyond 2', () => {
    const t = fitTeaser(draft([overflowing(3)]), 'x');
    expect(t.hashtags).toEqual(['Alpha', 'Beta']);
    expect(t.emojis).toEqual(EMOJIS);
    expect(t.hook).not.toContain('…');
  });

  it('then emojis beyond 1', () => {
    const t = fitTeaser(draft([overflowing(10)]), 'x');
    expect(t.hashtags).toEqual(['Alpha', 'Beta']);
    expect(t.emojis).toEqual(['🤖']);
    expect(t.hook).not.toContain('…');
  });

  it('then shortens the hook at a word boundary with "…"', () => {
    const first = overflowing(40);
    const t = fitTeaser(draft([first]), 'x');
    expect(t.hashtags).toEqual(['Alpha', 'Beta']);
    expect(t.emojis).toEqual(['🤖']);
    expect(t.hook!.endsWith('word…')).toBe(true);
    expect(first.startsWith(t.hook!.slice(0, -1))).toBe(true);
    expect(t.length.valid).toBe(true);
    expect(t.length.weighted).toBeGreaterThan(270);
  });

  it('leaves no dangling punctuation or unclosed quote or bracket', () => {
    const words = 'word '.repeat(30);
    for (const opener of ['« ', '“', '"', '(']) {
      const closer = { '« ': ' »', '“': '”', '"': '"', '(': ')' }[opener];
      const hook = `${words}— ${opener}a quoted part that runs far beyond the limit ${'longer '.repeat(20)}end${closer}.`;
      const t = fitTeaser(draft([hook]), 'x');
      expect(t.hook!.endsWith('word…'), t.hook).toBe(true);
      expect(t.hook).not.toContain(opener.trim());
    }
  });

  it('keeps a sentence end instead of adding "…"', () => {
    const t = fitTeaser(draft([`${sentenceOf(150)} ${'x'.repeat(300)}`], { emojis: [], hashtags: [] }), 'x');
    expect(t.hook).toBe(sentenceOf(150));
  });

  it('with cut: false never shortens text and reports the overflow', () => {
    const t = fitTeaser(draft([overflowing(40)]), 'x', { cut: false });
    expect(t.length.valid).toBe(false);
    expect(t.length.weighted).toBe(320);
  });
});

describe('pathological inputs', () => {
  it('a 5,000-character word gives a valid teaser from the title, cut at a grapheme boundary', () => {
    const word = 'Ab'.repeat(2500);
    const article = makeArticle({ title: `${'Ü'.repeat(3000)}`, summary: word, language: 'de' });
    const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], makeFeed());
    for (const t of [x!, bluesky!]) {
      expect(t.length.valid).toBe(true);
      expect(t.hook!.endsWith('…')).toBe(true);
      expect(/^Ü+…$/u.test(t.hook!)).toBe(true);
    }
    expect(measureX(x!.text).valid).toBe(true);
    expect(measureBluesky(bluesky!.text).valid).toBe(true);
  });

  it('a 2,000-character URL counts 23 on X and is shown shortened on Bluesky', () => {
    const link = `https://example.com/${'a'.repeat(2000)}`;
    const article = makeArticle({ link, title: 'A normal news sentence', summary: 'A normal sentence about the news. And why it matters.' });
    const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], makeFeed());
    expect(x!.text.endsWith(link)).toBe(true);
    // The title states the news; the summary's first sentence only repeats it, so its second says why.
    expect(x!.hook).toBe('A normal news sentence. And why it matters.');
    expect(measureX(x!.text).valid).toBe(true);
    expect(bluesky!.text.endsWith(`\n\nexample.com/${'a'.repeat(12)}…`)).toBe(true);
    expect(bluesky!.facets!.at(-1)!.features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: link });
  });

  it('a link X cannot count as a URL and cannot fit is a teaser-invalid error, not a broken post', () => {
    const article = makeArticle({ link: `https://intranet.invalidtld/${'a'.repeat(400)}`, title: 'T' });
    let error: unknown;
    try {
      writeExtractiveTeasers(article, ['x'], makeFeed());
    } catch (e) {
      error = e;
    }
    expect(isHerautError(error, 'teaser-invalid')).toBe(true);
    expect((error as Error).message).toMatch(/weighted characters, X allows 280/u);
  });
});

describe('shortenLinkForDisplay', () => {
  it.each([
    ['https://example.com', 'example.com'],
    ['https://example.com/', 'example.com'],
    ['https://example.com/short-path', 'example.com/short-path'],
    ['https://example.com/a-much-longer-path/of/article', 'example.com/a-much-longe…'],
    ['http://ex.fr/é/ü?q=1', 'ex.fr/é/ü?q=1'],
  ])('%s -> %s', (url, shown) => expect(shortenLinkForDisplay(url)).toBe(shown));
});

describe('French typography', () => {
  it.each([
    ['La course s’intensifie! Vraiment?', 'La course s’intensifie\u202F! Vraiment\u202F?'],
    ['Il dit « oui » ; fin', 'Il dit «\u202Foui\u202F»\u202F; fin'],
    ['Rendez-vous à 10:30 sur https://ex.com/a?b=1;c:d', 'Rendez-vous à 10:30 sur https://ex.com/a?b=1;c:d'],
    ['Note : rien', 'Note\u202F: rien'],
    ['Déjà\u202F! fait', 'Déjà\u202F! fait'],
  ])('%s', (input, output) => expect(applyFrenchTypography(input)).toBe(output));

  it('is applied to a French hook, and not to an English one even when feed.typography is "fr"', () => {
    const article = makeArticle({ title: 'Titre du départ', summary: 'Le départ est annoncé! Personne ne l’attendait.', language: 'fr' });
    const { x } = writeExtractiveTeasers(article, ['x'], makeFeed({ typography: 'fr' }));
    expect(x!.hook).toBe('Le départ est annoncé\u202F! Personne ne l’attendait.');
    expect(x!.text.endsWith(article.link)).toBe(true);
    const english = makeArticle({ title: 'IEA: data centres use 2.1% of the world’s electricity', summary: 'Its message: plan the grid now!', language: 'en' });
    expect(writeExtractiveTeasers(english, ['x'], makeFeed({ typography: 'fr' })).x!.hook).toBe('IEA: data centres use 2.1% of the world’s electricity. Its message: plan the grid now!');
  });
});

describe('checkEditedTeaser', () => {
  const link = 'https://example.com/2025/02/a-long-article-path';
  const bytesOf = (text: string, start: number, end: number) => Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');

  it('builds Bluesky facets for the shortened link and the hashtags only (README.md stays text)', () => {
    const text = `Lisez le README.md d’été 🇫🇷 #Été #IA\n\n${shortenLinkForDisplay(link)}`;
    const t = checkEditedTeaser('bluesky', text, link, ['fr']);
    expect(t.facets).toHaveLength(3);
    expect(t.facets!.map((f) => bytesOf(text, f.index.byteStart, f.index.byteEnd))).toEqual(['#Été', '#IA', shortenLinkForDisplay(link)]);
    expect(t.facets![2].features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: link });
    expect(t.hashtags).toEqual(['Été', 'IA']);
    expect(t.emojis).toEqual(['🇫🇷']);
    expect(t.edited).toBe(true);
    expect(t.length).toMatchObject({ valid: true, limit: 300 });
  });

  it('accepts the full link on Bluesky too', () => {
    const text = `News ${link}`;
    const t = checkEditedTeaser('bluesky', text, link, []);
    expect(bytesOf(text, t.facets![0].index.byteStart, t.facets![0].index.byteEnd)).toBe(link);
  });

  it('rejects a text over the limit, saying the measured length and the limit', () => {
    expect(() => checkEditedTeaser('x', `${'é'.repeat(270)} ${link}`, link, [])).toThrow(/294 weighted characters, X allows 280/u);
    expect(() => checkEditedTeaser('bluesky', `${'🇫🇷'.repeat(301)} ${link}`, link, [])).toThrow(/graphemes .* Bluesky allows 300/u);
    try {
      checkEditedTeaser('x', 'x'.repeat(300), link, []);
    } catch (error) {
      expect(isHerautError(error, 'teaser-invalid')).toBe(true);
    }
  });

  it('rejects a text without the link (X needs it whole)', () => {
    expect(() => checkEditedTeaser('x', `News ${shortenLinkForDisplay(link)}`, link, [])).toThrow(/put https:\/\/example.com/u);
    expect(() => checkEditedTeaser('bluesky', 'News without link', link, [])).toThrow(/teaser does not contain the article's link/u);
  });
});

describe('Bluesky counts the link as shown', () => {
  const fact = `${sentenceOf(120)}`;
  const why = `${sentenceOf(100)}`;

  // The post text holds the shortened display ("example.com/aaaaaaaaaaaaa…"); the full URL is only in the facet.
  it('keeps the why when it fits beside the shortened link, however long the full URL', () => {
    for (const link of [`https://example.com/${'a'.repeat(60)}`, `https://example.com/${'a'.repeat(120)}`]) {
      const teaser = fitTeaser(draft([fact, why], { link }), 'bluesky');
      expect(teaser.hook).toBe(`${fact} ${why}`);
      expect(teaser.text.endsWith(shortenLinkForDisplay(link))).toBe(true);
      expect(measureBluesky(teaser.text).valid).toBe(true);
    }
  });
});
