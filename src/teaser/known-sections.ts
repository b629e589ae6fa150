import type { Article, ArticleSection } from '../feeds/article.js';
import { foldText } from './fold-text.js';
import { splitParagraphs } from './split-sentences.js';

// Folded (lower case, no accents, plain apostrophes). The explainer format and the usual news-site sections, fr/en/es.
const FACT_HEADINGS = [
  'recapitulatif factuel', 'recapitulatif', 'resume factuel', 'resume', 'en bref', "l'essentiel", "ce qu'il faut savoir", 'les faits',
  'factual summary', 'summary', 'tl;dr', 'tldr', 'key facts', 'key points', 'in brief', 'at a glance', 'the facts',
  'resumen factual', 'resumen', 'en resumen', 'en breve', 'los hechos', 'lo esencial', 'claves',
];
const WHY_HEADINGS = [
  'point de vue neutre', "pourquoi c'est important", 'pourquoi ca compte', 'les enjeux', 'enjeux', 'decryptage', 'analyse',
  'neutral view', 'neutral point of view', 'why it matters', 'why this matters', 'what it means', 'the stakes', 'analysis',
  'punto de vista neutral', 'punto de vista neutro', 'por que importa', 'por que es importante', 'lo que esta en juego', 'analisis',
];
const OTHER_HEADINGS = [
  'exemple', 'un exemple', 'exemple concret', 'example', 'for example', 'ejemplo', 'un ejemplo',
  'article en reference', 'article de reference', 'reference article', 'source article', 'articulo de referencia', 'articulo en referencia',
  'redirection en cours', 'redirecting', 'redirigiendo', 'sources', 'source', 'fuentes', 'fuente', 'references', 'referencias',
  'a lire aussi', 'lire aussi', 'read more', 'related', 'related articles', 'lee tambien', 'te puede interesar',
];
// "Point de vue optimiste", "Pessimistic view", "Punto de vista pesimista": any viewpoint heading.
const VIEW_HEADING = /^(points? de vue|punto de vista|(\p{L}+ )?(view|viewpoint|point of view|perspective|take))( \p{L}+)?$/u;

function headingKey(line: string): string {
  return foldText(line).replace(/^[\s#*\-–—:>]+|[\s:.!?…*\-–—]+$/gu, '');
}

const FACT = new Set(FACT_HEADINGS);
const WHY = new Set(WHY_HEADINGS);
const KNOWN = new Set([...FACT_HEADINGS, ...WHY_HEADINGS, ...OTHER_HEADINGS]);

export type HeadingKind = 'fact' | 'why' | 'other';

/** What a known section heading announces, or undefined when the line is not one. */
export function headingKind(line: string, extraFact: readonly string[] = []): HeadingKind | undefined {
  const key = headingKey(line);
  if (!key || key.length > 60) return undefined;
  if (FACT.has(key) || extraFact.some((h) => headingKey(h) === key)) return 'fact';
  if (WHY.has(key)) return 'why';
  if (KNOWN.has(key) || VIEW_HEADING.test(key)) return 'other';
  return undefined;
}

/** A known heading glued after a finished sentence in plain text ("… en 2027. Récapitulatif factuel"): the sentence without it. */
export function stripTrailingHeading(sentence: string): string {
  if (/[.!?…]["»”’)]*$/u.test(sentence)) return sentence;
  const words = sentence.split(' ');
  for (let n = Math.min(5, words.length - 1); n >= 1; n--) {
    const rest = words.slice(0, -n).join(' ').trim();
    if (/[.!?…]["»”’)]*$/u.test(rest) && headingKind(words.slice(-n).join(' '))) return rest;
  }
  return sentence;
}

/** The article's sections; a plain-text body is split on lines that are known headings. */
export function sectionsOf(article: Pick<Article, 'sections' | 'content'>): ArticleSection[] {
  if (article.sections.length > 0) return article.sections;
  const sections: ArticleSection[] = [];
  for (const paragraph of splitParagraphs(article.content)) {
    const [first, ...rest] = paragraph.split('\n');
    if (headingKind(first!)) sections.push({ heading: first!.trim(), text: rest.join('\n').trim() });
    else if (sections.length > 0) sections[sections.length - 1]!.text += `\n\n${paragraph}`;
  }
  for (const section of sections) section.text = section.text.trim();
  return sections;
}

export function sectionOfKind(sections: ArticleSection[], kind: HeadingKind, extraFact: readonly string[] = []): ArticleSection | undefined {
  return sections.find((section) => headingKind(section.heading, extraFact) === kind && section.text.trim());
}

export type ViewTone = 'optimistic' | 'pessimistic';

/** The "Point de vue optimiste" / "Pessimistic view" / "Punto de vista pesimista" section, when the article has one. */
export function viewSection(sections: ArticleSection[], tone: ViewTone): ArticleSection | undefined {
  const stem = tone === 'optimistic' ? /optimis/u : /pess?imis/u;
  return sections.find((section) => headingKind(section.heading) === 'other' && stem.test(headingKey(section.heading)) && section.text.trim());
}
