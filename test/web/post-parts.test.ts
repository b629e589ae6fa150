import { describe, expect, it } from 'vitest';
import { checkEditedTeaser } from '../../src/teaser/write-teasers.js';
import { postParts } from '../../src/web/post-parts.js';

const link = 'https://explainers.example/2026/12/batteries-sodium';

describe('postParts: the text cut where the platform highlights it', () => {
  it('Bluesky: from the facets, whose offsets count UTF-8 bytes (emoji and accents before them)', () => {
    const text = 'Été ⚡🚗 : les batteries #Énergie\n\nexplainers.example/2026/12/batt…';
    const { facets } = checkEditedTeaser('bluesky', text, link, ['fr']);
    expect(postParts('bluesky', text, link, facets)).toEqual([
      { text: 'Été ⚡🚗 : les batteries ' },
      { text: '#Énergie', kind: 'tag' },
      { text: '\n\n' },
      { text: 'explainers.example/2026/12/batt…', kind: 'link', href: link },
    ]);
  });

  it('X: twitter-text\'s URLs and hashtags, and the article\'s link even on a domain twitter-text does not know', () => {
    const text = `À lire 🚗 #IA sur https://example.com/a et ${link}`;
    expect(postParts('x', text, link, undefined)).toEqual([
      { text: 'À lire 🚗 ' },
      { text: '#IA', kind: 'tag' },
      { text: ' sur ' },
      { text: 'https://example.com/a', kind: 'link', href: 'https://example.com/a' },
      { text: ' et ' },
      { text: link, kind: 'link', href: link },
    ]);
  });

  it('keeps the whole text, in order, when nothing is highlighted', () => {
    expect(postParts('x', 'rien à voir', link, undefined)).toEqual([{ text: 'rien à voir' }]);
  });
});
