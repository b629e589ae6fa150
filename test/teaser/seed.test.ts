import { describe, expect, it } from 'vitest';
import { measureBluesky, utf8Length } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { writeTeasers } from '../../src/teaser/write-teasers.js';
import { isSingleEmoji } from '../../src/teaser/pick-emojis.js';
import { makeFeed, seedArticle } from './make-article.js';

const feed = makeFeed({ id: 'explainers', hashtags: ['IA'] });
const LEAD = 'John Schulman, chercheur de premier plan en intelligence artificielle et co-fondateur d’OpenAI, vient de quitter Anthropic après seulement cinq mois.';
const FACT = 'John Schulman quitte Anthropic après cinq mois.';
const WHY = 'Ce mouvement rapide entre les géants de l’IA reflète probablement les tensions actuelles dans l’industrie.';

function sliceBytes(text: string, start: number, end: number): string {
  return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
}

describe('the seed explainer', () => {
  it('gets a teaser of the seed’s shape: the fact, why it matters, 1-3 emojis, 2-3 hashtags with #IA, the link', async () => {
    const article = seedArticle('John Schulman quitte Anthropic après cinq mois');
    const teasers = await writeTeasers(article, ['x', 'bluesky'], { feed });
    for (const teaser of [teasers.x!, teasers.bluesky!]) {
      // The title states the fact; with no subtitle, the why is the first sentence of "Point de vue neutre".
      expect(teaser.hook).toBe(`${FACT} ${WHY}`);
      expect(teaser.text).not.toMatch(/\b[dl] (IA|OpenAI)\b/u);
      expect(teaser.emojis.length).toBeGreaterThanOrEqual(1);
      expect(teaser.emojis.length).toBeLessThanOrEqual(3);
      expect(teaser.emojis.every(isSingleEmoji)).toBe(true);
      expect(teaser.hashtags.length).toBeGreaterThanOrEqual(2);
      expect(teaser.hashtags.length).toBeLessThanOrEqual(3);
      expect(teaser.hashtags[0]).toBe('IA');
      // "Intelligence artificielle" maps to #IA through the dictionary: no #IntelligenceArtificielle next to it.
      expect(teaser.hashtags).not.toContain('IntelligenceArtificielle');
      const [firstLine, blank, linkLine] = teaser.text.split('\n');
      expect(blank).toBe('');
      expect(firstLine).toBe(`${FACT} ${WHY} ${teaser.emojis.join('')} ${teaser.hashtags.map((t) => `#${t}`).join(' ')}`);
      expect(teaser.langs).toEqual(['fr']);
      expect(teaser.writer).toBe('extractive');
      if (teaser.platform === 'x') {
        expect(linkLine).toBe(article.link);
        expect(measureX(teaser.text).valid).toBe(true);
      } else {
        expect(linkLine).toBe('explainers.example/2025/02/john…');
        expect(measureBluesky(teaser.text).valid).toBe(true);
        const link = teaser.facets!.find((f) => f.features[0].$type === 'app.bsky.richtext.facet#link')!;
        expect(link.features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: article.link });
        expect(sliceBytes(teaser.text, link.index.byteStart, link.index.byteEnd)).toBe(linkLine);
        expect(link.index.byteEnd).toBe(utf8Length(teaser.text));
        const tags = teaser.facets!.filter((f) => f.features[0].$type === 'app.bsky.richtext.facet#tag');
        expect(tags.map((f) => sliceBytes(teaser.text, f.index.byteStart, f.index.byteEnd))).toEqual(teaser.hashtags.map((t) => `#${t}`));
      }
    }
  });

  it('answers a title that announces an explanation with the factual summary, keeping d’OpenAI whole, the same on both platforms', async () => {
    const article = seedArticle('Pourquoi le départ de John Schulman secoue le monde de l’IA');
    const { x, bluesky } = await writeTeasers(article, ['x', 'bluesky'], { feed });
    expect(bluesky!.hook).toBe(LEAD);
    expect(x!.hook).toBe(LEAD);
    expect(x!.text).toContain('d’OpenAI');
    expect(measureX(x!.text).valid).toBe(true);
    expect(x!.text.endsWith(`\n\n${article.link}`)).toBe(true);
  });

  it('never takes the redirect notice or the "Article en référence" line as a hook', async () => {
    const article = { ...seedArticle('Un titre'), sections: [] };
    const { x } = await writeTeasers(article, ['x'], { feed });
    expect(x!.hook).not.toMatch(/Redirection|cliquez|Article en référence|i\.redd\.it/u);
    expect(x!.hook).toContain('d’OpenAI');
  });
});
