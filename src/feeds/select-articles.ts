import type { Article } from './article.js';

export interface ArticleFilters {
  include?: string[];
  exclude?: string[];
}

function compile(patterns: string[] | undefined): RegExp[] {
  return (patterns ?? []).map((pattern) => new RegExp(pattern, 'iu'));
}

function haystacks(article: Article): string[] {
  return [article.title, ...article.categories, article.summary, article.content];
}

/**
 * Whether the article passes the feed's filters: it matches one `include` pattern (when any are given)
 * and no `exclude` pattern, looking at the title, categories, summary and content (case-insensitive, unicode).
 */
export function matchesFilters(article: Article, filters: ArticleFilters): boolean {
  const texts = haystacks(article);
  const include = compile(filters.include);
  const exclude = compile(filters.exclude);
  if (include.length > 0 && !include.some((re) => texts.some((text) => re.test(text)))) return false;
  return !exclude.some((re) => texts.some((text) => re.test(text)));
}

/** Whether the article was published more than `maxAgeMs` before `now`. maxAge 0 means no limit; undated articles are never too old. */
export function isTooOld(article: Article, maxAgeMs: number, now: Date): boolean {
  if (maxAgeMs <= 0 || !article.published) return false;
  const published = Date.parse(article.published);
  if (Number.isNaN(published)) return false;
  return now.getTime() - published > maxAgeMs;
}
