// Prints the X and Bluesky teasers of every item of an explainers feed, for blind scoring: npx tsx test/teaser/print-teasers.ts [feed]
import { readFileSync } from 'node:fs';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';
import { writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeFeed } from './make-article.js';

const file = process.argv[2] ?? new URL('../fixtures/explainers/explainers-train.rss', import.meta.url).pathname;
const { articles } = await parseFeedDocument(readFileSync(file), { feedId: 'explainers', feedUrl: 'https://explainers-ia.fr/feed/' });
const feed = makeFeed({ hashtags: ['IA'], typography: 'fr' });
articles.forEach((article, i) => {
  const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], feed);
  console.log(`## ${i + 1}. ${article.link}\nlanguage: ${article.language}\n### X\n${x!.text}\n### Bluesky\n${bluesky!.text}\n`);
});
