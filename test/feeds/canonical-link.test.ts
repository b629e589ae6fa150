import { describe, expect, it } from 'vitest';
import { articleKey, canonicalLink } from '../../src/feeds/canonical-link.js';

describe('canonicalLink', () => {
  it.each([
    ['HTTPS://News.Example.ORG/Path/Story', 'https://news.example.org/Path/Story'],
    ['https://news.example.org/story#comments', 'https://news.example.org/story'],
    ['https://news.example.org/story/', 'https://news.example.org/story'],
    ['https://news.example.org/', 'https://news.example.org/'],
    ['https://news.example.org', 'https://news.example.org/'],
    ['https://news.example.org:443/a', 'https://news.example.org/a'],
    ['http://news.example.org:80/a', 'http://news.example.org/a'],
    ['http://news.example.org:8080/a', 'http://news.example.org:8080/a'],
    ['https://n.example/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x', 'https://n.example/a'],
    ['https://n.example/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=home', 'https://n.example/a'],
    ['https://n.example/a?b=2&a=1&utm_source=x', 'https://n.example/a?a=1&b=2'],
    ['https://n.example/a?id=5&id=3', 'https://n.example/a?id=3&id=5'],
    ['https://n.example/a?referrer=keep', 'https://n.example/a?referrer=keep'],
    ['  https://n.example/a  ', 'https://n.example/a'],
    ['not a url', 'not a url'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalLink(input)).toBe(expected);
  });
});

describe('articleKey', () => {
  it('prefers the guid, then the canonical link, then a hash of title and date', () => {
    expect(articleKey({ guid: ' urn:uuid:1 ', link: 'https://n.example/a' })).toBe('urn:uuid:1');
    expect(articleKey({ link: 'https://N.example/a/?utm_source=x#top' })).toBe('https://n.example/a');
    const hashed = articleKey({ title: 'T', published: '2024-01-01T00:00:00.000Z' });
    expect(hashed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(articleKey({ title: 'T', published: '2024-01-01T00:00:00.000Z' })).toBe(hashed);
    expect(articleKey({ title: 'T', published: '2024-01-02T00:00:00.000Z' })).not.toBe(hashed);
    expect(articleKey({ guid: '  ', link: 'https://n.example/b' })).toBe('https://n.example/b');
  });
});
