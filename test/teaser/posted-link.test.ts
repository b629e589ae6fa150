import { describe, expect, it } from 'vitest';
import { Utm } from '../../src/config/schema.js';
import { postedLink } from '../../src/teaser/posted-link.js';
import { withUtm, writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeArticle, makeFeed } from './make-article.js';

describe('postedLink', () => {
  it.each([
    ['https://ex.fr/a?utm_source=rss&utm_medium=flux&utm_campaign=x', 'https://ex.fr/a'],
    ['https://ex.fr/a?id=3&utm_source=rss&fbclid=ABC&gclid=1#part', 'https://ex.fr/a?id=3#part'],
    ['https://ex.fr/a?UTM_Source=rss&q=%C3%A9t%C3%A9', 'https://ex.fr/a?q=%C3%A9t%C3%A9'],
    ['https://ex.fr/a?b=2&a=1', 'https://ex.fr/a?b=2&a=1'],
    ['not a link', 'not a link'],
  ])('%s -> %s', (link, posted) => expect(postedLink(link)).toBe(posted));

  it('adds the account’s utm after removing the feed’s', () => {
    const utm = Utm.parse({ source: 'bluesky' });
    expect(postedLink('https://ex.fr/a?utm_source=rss&id=3', utm)).toBe('https://ex.fr/a?id=3&utm_source=bluesky&utm_medium=social');
    expect(postedLink('https://ex.fr/a', { source: 'x', medium: 'social', campaign: 'été 2026' })).toBe('https://ex.fr/a?utm_source=x&utm_medium=social&utm_campaign=%C3%A9t%C3%A9%202026');
  });
});

describe('withUtm', () => {
  const article = makeArticle({
    link: 'https://news.example.com/p?utm_source=rss',
    title: 'Mistral AI lève 1,5 milliard d’euros',
    summary: 'La start-up parisienne est désormais valorisée 28 milliards d’euros.',
    language: 'fr',
  });
  const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], makeFeed({ hashtags: ['IA'] }));

  it('posts the item link without the feed’s utm_*', () => {
    expect(x!.link).toBe('https://news.example.com/p');
    expect(x!.text.endsWith('\n\nhttps://news.example.com/p')).toBe(true);
  });

  it('puts an account’s utm on the link of the text and of the Bluesky facet', () => {
    const tagged = withUtm(x!, { source: 'x', medium: 'social' });
    expect(tagged.link).toBe('https://news.example.com/p?utm_source=x&utm_medium=social');
    expect(tagged.text).toBe(x!.text.replace('https://news.example.com/p', tagged.link));
    expect(tagged.hook).toBe(x!.hook);
    const sky = withUtm(bluesky!, { source: 'bluesky', medium: 'social' });
    const link = sky.facets!.find((f) => f.features[0].$type === 'app.bsky.richtext.facet#link')!;
    expect(link.features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: 'https://news.example.com/p?utm_source=bluesky&utm_medium=social' });
    expect(Buffer.from(sky.text).subarray(link.index.byteStart, link.index.byteEnd).toString()).toBe('news.example.com/p?utm_source…');
    expect(sky.hashtags).toEqual(bluesky!.hashtags);
  });
});
