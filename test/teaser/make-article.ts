import { readFileSync } from 'node:fs';
import { FeedConfig } from '../../src/config/schema.js';
import type { Article } from '../../src/feeds/article.js';

export function makeArticle(fields: Partial<Article> = {}): Article {
  const link = fields.link ?? 'https://news.example.com/2025/article';
  return {
    feedId: 'test',
    key: link,
    link,
    canonicalLink: link,
    title: 'A title',
    summary: '',
    content: '',
    sections: [],
    categories: [],
    ...fields,
  };
}

export function makeFeed(fields: Record<string, unknown> = {}): FeedConfig {
  return FeedConfig.parse({ id: 'test', url: 'https://news.example.com/feed.xml', ...fields });
}

const SEED = new URL('../fixtures/seed/000_32947e2b12942824.txt', import.meta.url);
const SEED_HEADINGS = ['Récapitulatif factuel', 'Point de vue neutre', 'Exemple', 'Point de vue optimiste', 'Point de vue pessimiste', 'Redirection en cours...'];

/** The seed explainer as a feed would give it: its first line (the old teaser) left out, sections split on its headings. */
export function seedArticle(title: string): Article {
  const lines = readFileSync(SEED, 'utf8').split('\n');
  const body = lines.slice(1).join('\n').trim();
  const sections: Article['sections'] = [];
  for (const line of body.split('\n')) {
    if (SEED_HEADINGS.includes(line.trim())) sections.push({ heading: line.trim(), text: '' });
    else if (sections.length) sections[sections.length - 1].text += `${line}\n`;
  }
  for (const section of sections) section.text = section.text.trim();
  return makeArticle({
    feedId: 'explainers',
    link: 'https://explainers.example/2025/02/john-schulman-quitte-anthropic',
    title,
    summary: 'Article en référence: https://i.redd.it/4fx9oexlrihe1.png',
    content: body,
    sections,
    categories: ['Intelligence artificielle', 'OpenAI', 'Anthropic'],
    language: 'fr',
  });
}
