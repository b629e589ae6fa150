import vm from 'node:vm';
import { HerautError } from '../errors.js';
import type { Article } from './article.js';

export interface ArticleFilters {
  id?: string;
  include?: string[];
  exclude?: string[];
}

/** Longest the filters may run on one article: patterns are refused at load when known to be catastrophic, and this is the backstop. */
export const filterTimeLimitMs = 1_000;

function compile(patterns: string[] | undefined): RegExp[] {
  return (patterns ?? []).map((pattern) => new RegExp(pattern, 'iu'));
}

function haystacks(article: Article): string[] {
  return [article.title, ...article.categories, article.summary, article.content];
}

// A script run with a timeout is the one way Node interrupts a regular expression that backtracks for minutes.
const bounded = new vm.Script('check()');
const sandbox = vm.createContext({ check: undefined as (() => boolean) | undefined });

function withinTimeLimit(check: () => boolean, ms: number): boolean | undefined {
  sandbox.check = check;
  try {
    return bounded.runInContext(sandbox, { timeout: ms }) as boolean;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw error;
  } finally {
    sandbox.check = undefined;
  }
}

/**
 * Whether the article passes the feed's filters: it matches one `include` pattern (when any are given)
 * and no `exclude` pattern, looking at the title, categories, summary and content (case-insensitive, unicode).
 * Throws HerautError config-invalid when the patterns run longer than `timeLimitMs` on this article.
 */
export function matchesFilters(article: Article, filters: ArticleFilters, timeLimitMs: number = filterTimeLimitMs): boolean {
  const include = compile(filters.include);
  const exclude = compile(filters.exclude);
  if (include.length === 0 && exclude.length === 0) return true;
  const texts = haystacks(article);
  const passes = withinTimeLimit(() => {
    if (include.length > 0 && !include.some((re) => texts.some((text) => re.test(text)))) return false;
    return !exclude.some((re) => texts.some((text) => re.test(text)));
  }, timeLimitMs);
  if (passes !== undefined) return passes;
  const feed = filters.id ? ` of feed "${filters.id}"` : '';
  throw new HerautError('config-invalid', `The include/exclude patterns${feed} ran over ${timeLimitMs} ms on ${article.link.slice(0, 100)}; simplify them (no repetition inside a repetition such as "(a+)+").`, {
    details: { feedId: filters.id, link: article.link.slice(0, 200) },
  });
}

/** Whether the article was published more than `maxAgeMs` before `now`. maxAge 0 means no limit; undated articles are never too old. */
export function isTooOld(article: Article, maxAgeMs: number, now: Date): boolean {
  if (maxAgeMs <= 0 || !article.published) return false;
  const published = Date.parse(article.published);
  if (Number.isNaN(published)) return false;
  return now.getTime() - published > maxAgeMs;
}
