import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/feeds/article.js';
import { isTooOld, matchesFilters } from '../../src/feeds/select-articles.js';

function article(fields: Partial<Article> = {}): Article {
  return {
    feedId: 'f',
    key: 'k',
    link: 'https://n.example/a',
    canonicalLink: 'https://n.example/a',
    title: 'Pourquoi l’Élysée hésite',
    summary: 'Un explainer sur le budget.',
    content: 'Le texte complet parle de retraites.',
    sections: [],
    categories: ['Politique', 'Économie'],
    ...fields,
  };
}

describe('matchesFilters', () => {
  it('includes when any include pattern matches title, categories, summary or content', () => {
    expect(matchesFilters(article(), {})).toBe(true);
    expect(matchesFilters(article(), { include: ['élysée'] })).toBe(true);
    expect(matchesFilters(article(), { include: ['^économie$'] })).toBe(true);
    expect(matchesFilters(article(), { include: ['BUDGET'] })).toBe(true);
    expect(matchesFilters(article(), { include: ['retraites'] })).toBe(true);
    expect(matchesFilters(article(), { include: ['sport', 'météo'] })).toBe(false);
  });

  it('excludes on any exclude match, even when included', () => {
    expect(matchesFilters(article(), { exclude: ['politique'] })).toBe(false);
    expect(matchesFilters(article(), { include: ['budget'], exclude: ['\\bretraites\\b'] })).toBe(false);
    expect(matchesFilters(article(), { exclude: ['sponsorisé'] })).toBe(true);
  });

  it('stops a catastrophic pattern after its time limit and names the feed', () => {
    const started = Date.now();
    const hostile = article({ title: `${'a'.repeat(40)}!` });
    expect(() => matchesFilters(hostile, { id: 'news', include: ['(a+)+$'] }, 100)).toThrow(
      expect.objectContaining({ code: 'config-invalid', message: expect.stringContaining('patterns of feed "news" ran over 100 ms') }),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(matchesFilters(hostile, { include: ['a+!'] }, 100)).toBe(true);
  });
});

describe('isTooOld', () => {
  const now = new Date('2024-06-10T12:00:00Z');
  const day = 86_400_000;
  it('compares the published date with maxAge', () => {
    expect(isTooOld(article({ published: '2024-06-01T12:00:00.000Z' }), 7 * day, now)).toBe(true);
    expect(isTooOld(article({ published: '2024-06-05T12:00:00.000Z' }), 7 * day, now)).toBe(false);
    expect(isTooOld(article({ published: '2020-01-01T00:00:00.000Z' }), 0, now)).toBe(false);
    expect(isTooOld(article(), 7 * day, now)).toBe(false);
    expect(isTooOld(article({ published: 'garbage' }), 7 * day, now)).toBe(false);
  });
});
