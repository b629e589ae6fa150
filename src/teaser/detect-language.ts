import { detect } from 'tinyld/light';
import type { Article } from '../feeds/article.js';

// A few sentences are enough and keep detection fast on huge bodies.
const SAMPLE_CHARS = 1500;

/** The item's language (dc:language, xml:lang), else the feed's, else detected from the text; undefined when unsure. */
export function articleLanguage(article: Pick<Article, 'language' | 'title' | 'summary' | 'content'>, feedLanguage?: string): string | undefined {
  if (article.language) return article.language;
  if (feedLanguage) return feedLanguage.toLowerCase();
  const sample = [article.title, article.summary, article.content].join('\n').slice(0, SAMPLE_CHARS);
  if (sample.split(/\s+/u).length < 8) return undefined;
  return detect(sample) || undefined;
}
