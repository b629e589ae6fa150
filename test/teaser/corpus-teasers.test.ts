import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isHerautError } from '../../src/errors.js';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';
import { measureBluesky } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { postedLink } from '../../src/teaser/posted-link.js';
import { writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeFeed } from './make-article.js';

const corpus = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const sample = fileURLToPath(new URL('../../config/sample-feed.xml', import.meta.url));
const files = readdirSync(corpus).filter((file) => /\.(rss|atom)$/.test(file));

describe('every item of every real-world feed yields valid teasers for both platforms', () => {
  it('covers the whole corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });
  for (const file of files) {
    it(file, async () => {
      let articles;
      try {
        ({ articles } = await parseFeedDocument(readFileSync(corpus + file), { feedId: 'corpus', feedUrl: `https://feeds.example.org/${file}` }));
      } catch (error) {
        // A document that is not a feed is rejected with a clear error; there is nothing to tease.
        expect(isHerautError(error, 'feed-invalid')).toBe(true);
        return;
      }
      for (const article of articles) {
        const teasers = writeExtractiveTeasers(article, ['x', 'bluesky'], makeFeed());
        const x = teasers.x!;
        const bluesky = teasers.bluesky!;
        expect(measureX(x.text).valid, `${file}: ${x.text}`).toBe(true);
        // The posted link is the item's, without utm_* and click identifiers.
        const link = postedLink(article.link);
        expect(x.text).toContain(link);
        expect(link).not.toMatch(/[?&](utm_|fbclid=|gclid=)/u);
        expect(measureBluesky(bluesky.text).valid, `${file}: ${bluesky.text}`).toBe(true);
        const bytes = Buffer.from(bluesky.text, 'utf8');
        const links = (bluesky.facets ?? []).flatMap((facet) => facet.features.filter((f) => f.$type === 'app.bsky.richtext.facet#link').map((f) => ({ facet, uri: (f as { uri: string }).uri })));
        expect(links.map((l) => l.uri)).toEqual([link]);
        for (const facet of bluesky.facets ?? []) {
          const shown = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
          for (const feature of facet.features) if (feature.$type === 'app.bsky.richtext.facet#tag') expect(shown).toBe(`#${feature.tag}`);
        }
        // Decoded once: no entity text is left for readers to see.
        expect(x.text).not.toMatch(/&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);/i);
      }
    });
  }
});

describe('the seed explainer, read from the bundled sample feed', () => {
  it('gives a teaser of the seed’s shape with every apostrophe intact', async () => {
    const { articles } = await parseFeedDocument(readFileSync(sample), { feedId: 'explainers', feedUrl: `file://${sample}` });
    const seed = articles.find((article) => article.key === 'explainers-000-32947e2b12942824')!;
    expect(seed.sections.map((section) => section.heading)).toContain('Récapitulatif factuel');
    const { x, bluesky } = writeExtractiveTeasers(seed, ['x', 'bluesky'], makeFeed({ hashtags: ['IA'] }));
    for (const teaser of [x!, bluesky!]) {
      // The title states the fact, the neutral view says why; never the redirect notice or the reference line.
      expect(teaser.hook).toBe('John Schulman, co-fondateur d’OpenAI, quitte Anthropic après seulement cinq mois. Ce mouvement rapide entre les géants de l’IA reflète probablement les tensions actuelles dans l’industrie.');
      expect(teaser.text).not.toMatch(/Redirection|cliquez|Article en référence/);
      expect(teaser.text).not.toMatch(/\bd OpenAI\b|\bl IA\b/);
      expect(teaser.emojis.length).toBeGreaterThanOrEqual(1);
      expect(teaser.emojis.length).toBeLessThanOrEqual(3);
      expect(teaser.hashtags.length).toBeGreaterThanOrEqual(2);
      expect(teaser.hashtags.length).toBeLessThanOrEqual(3);
      expect(teaser.hashtags[0]).toBe('IA');
      expect(teaser.langs).toEqual(['fr']);
    }
    expect(x!.text.endsWith(seed.link)).toBe(true);
  });
});
