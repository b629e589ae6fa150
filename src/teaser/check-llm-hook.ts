import { detect } from 'tinyld/light';
import type { Article } from '../feeds/article.js';
import { foldText, primaryLanguage } from './fold-text.js';

/** The site's own teaser (the seed's first line), its lost apostrophes and missing French space restored: the voice to copy. */
export const VOICE_EXAMPLE =
  'John Schulman, pionnier de l’IA et co-fondateur d’OpenAI, quitte Anthropic après seulement 5 mois. ' +
  'Un départ mystérieux qui soulève des questions sur l’équilibre entre sécurité et innovation dans le développement de l’IA. ' +
  'La course à l’AGI s’intensifie\u202F! 🤖🔍 #IA #OpenAI #Anthropic';

const NUMBER = /\p{N}+(?:[.,\u00A0\u202F ]\p{N}+)*/gu;
// A capital after the first word, an inner capital or an acronym: a name the article must contain.
const NAME = /(?<=[\s(«“"])\p{Lu}[\p{L}\p{M}\p{N}-]*|\b\p{Ll}+\p{Lu}[\p{L}\p{M}\p{N}-]*|\b\p{Lu}{2,}[\p{L}\p{N}-]*/gu;

function digits(value: string): string {
  return value.replace(/[^\p{N}]/gu, '');
}

/**
 * Why an LLM hook cannot be posted, or undefined when it can: every figure and every name must be in the article
 * (nothing invented), and a hook long enough to tell must be in the article's language.
 */
export function llmHookProblem(hook: string, article: Pick<Article, 'title' | 'summary' | 'content' | 'sections'>, language: string | undefined): string | undefined {
  const source = [article.title, article.summary, article.content, ...article.sections.map((s) => `${s.heading}\n${s.text}`)].join('\n');
  const sourceDigits = new Set((source.match(NUMBER) ?? []).map(digits));
  const invented = (hook.match(NUMBER) ?? []).find((n) => !sourceDigits.has(digits(n)));
  if (invented) return `the hook's figure "${invented}" is not in the article`;
  const folded = foldText(source);
  const unknown = (hook.match(NAME) ?? []).find((name) => !folded.includes(foldText(name)));
  if (unknown) return `the hook's name "${unknown}" is not in the article`;
  const expected = primaryLanguage(language);
  if (expected && hook.split(/\s+/u).length >= 8) {
    const found = detect(hook);
    if (found && found !== expected) return `the hook is in "${found}", the article in "${expected}"`;
  }
  return undefined;
}
