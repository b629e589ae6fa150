import type { FeedConfig } from '../config/schema.js';
import type { Article } from '../feeds/article.js';
import { cleanInline, foldText } from './fold-text.js';
import { headingKind, sectionOfKind, sectionsOf, stripTrailingHeading } from './known-sections.js';
import { splitParagraphs, splitSentences } from './split-sentences.js';

export type HookOrigin = 'section' | 'summary' | 'content' | 'title' | 'none';

export interface Hook {
  /** One or two sentences, in order; the fitter may drop the second. */
  sentences: string[];
  origin: HookOrigin;
  /** The title leads because the lead does not say what it says. */
  titleLeads: boolean;
}

const BOILERPLATE: RegExp[] = [
  /^redirection en cours/u,
  /^redirecting\b/u,
  /(cliquez|cliquer) ici/u,
  /click here/u,
  /^si vous n'etes pas redirige/u,
  /^if you are not (being )?redirected/u,
  /^article en reference\s*:/u,
  /^(source|via|lien|link)\s*:\s*\S+$/u,
  /^(leer mas|seguir leyendo|sigue leyendo|haga clic aqui|haz clic aqui|pincha aqui)\b/u,
  /\bsubmitted by\b.*\[(link|comments)\]/u,
  /^(read more|lire la suite|continue reading|en savoir plus|lire l'article|read the full (story|article)|keep reading)\b/u,
  /^(the post|l'article|le billet) .+ (appeared first on|est apparu en premier sur)/u,
  /^\W*(https?:\/\/|www\.)\S+\W*$/u,
];

// Only a short sentence is a prompt: a long one that mentions a newsletter is real text.
const SHORT_PROMPTS: RegExp[] = [
  /^(partagez|partager|share|abonnez-vous|inscrivez-vous|subscribe|sign up|suivez-nous|follow us)\b/u,
  /\b(newsletter|abonnez-vous|subscribe)\b/u,
];

/** Redirect notices, "read more", share prompts, bare links: never a hook. */
export function isBoilerplate(sentence: string): boolean {
  const folded = foldText(sentence);
  if (!/[\p{L}\p{N}]/u.test(folded)) return true;
  if (BOILERPLATE.some((pattern) => pattern.test(folded)) || headingKind(sentence)) return true;
  return folded.split(' ').length <= 14 && SHORT_PROMPTS.some((pattern) => pattern.test(folded));
}

function stripTruncationMarker(sentence: string): string {
  return sentence.replace(/\s*(\[(…|\.\.\.)\]|\(…\)|→)\s*$/u, '').trim();
}

/** The first `count` sentences of `text` that are not boilerplate, taken from one paragraph. */
export function leadSentences(text: string, language: string | undefined, skipHeadings: boolean, count = 2): string[] {
  for (const paragraph of splitParagraphs(text).slice(0, 8)) {
    if (skipHeadings && isHeadingLike(paragraph)) continue;
    const sentences = splitSentences(paragraph, language)
      .map((s) => stripTrailingHeading(stripTruncationMarker(s)))
      .filter((s) => s && !isBoilerplate(s));
    if (sentences.length > 0) return sentences.slice(0, count);
  }
  return [];
}

/** A short line with no sentence punctuation, such as "Récapitulatif factuel": a heading left in the content. */
function isHeadingLike(paragraph: string): boolean {
  return !paragraph.includes('\n') && paragraph.split(/\s+/u).length <= 8 && !/[.!?…:。！？]["»”’)]*$/u.test(paragraph.trim());
}

/** The factual-summary section, else the "why it matters" one (an explainer without a summary keeps its facts there). */
function findSummarySection(article: Article, feed: Pick<FeedConfig, 'summaryHeadings'>) {
  const sections = sectionsOf(article);
  return sectionOfKind(sections, 'fact', feed.summaryHeadings) ?? sectionOfKind(sections, 'why');
}

const STOPWORDS = new Set(
  (
    'les des une un le la du de et en au aux pour par sur dans avec sans est sont ce cet cette ces qui que quoi dont ou mais plus moins tout tous son sa ses leur leurs nous vous ils elles pas ne se comme apres avant entre vers chez pourquoi comment quand ' +
    'the a an and or of to in on for with without by from at is are was were be been this that these those which who what how why its it their his her our your not but as after before into about over more most than ' +
    'el los las unas unos del al con por para sin son este esta estos estas quien cual cuyo pero mas menos todo todos sus nuestro como despues antes entre hacia donde cuando porque'
  ).split(' '),
);

export function contentStems(text: string): Set<string> {
  const words = foldText(text).split(/[^\p{L}\p{N}]+/u);
  return new Set(words.filter((w) => w.length >= 3 && !STOPWORDS.has(w)).map((w) => w.slice(0, 5)));
}

/** Few of the title's content words in the lead: the title says something the lead does not. */
export function titleSaysMore(title: string, lead: string): boolean {
  const titleWords = contentStems(title);
  if (titleWords.size < 2) return false;
  const leadWords = contentStems(lead);
  let shared = 0;
  for (const word of titleWords) if (leadWords.has(word)) shared++;
  return shared / titleWords.size < 0.5;
}

export function asSentence(title: string): string {
  return /[.!?…。！？]["»”’)]*$/u.test(title) ? title : `${title}.`;
}

/** The hook: factual-summary section, else the feed's summary, else the content's first paragraph; the title leads when it says more. */
export function extractHook(article: Article, feed: Pick<FeedConfig, 'summaryHeadings'>): Hook {
  const language = article.language;
  const title = cleanInline(article.title);
  const section = findSummarySection(article, feed);
  const sources: Array<[HookOrigin, string]> = [
    ['section', section?.text ?? ''],
    ['summary', article.summary],
    ['content', article.content],
  ];
  for (const [origin, text] of sources) {
    if (!text.trim()) continue;
    const lead = leadSentences(text, language, origin === 'content');
    if (lead.length === 0) continue;
    if (title && !foldText(lead.join(' ')).startsWith(foldText(title)) && titleSaysMore(title, lead[0])) {
      return { sentences: [asSentence(title), lead[0]], origin, titleLeads: true };
    }
    return { sentences: lead, origin, titleLeads: false };
  }
  if (title) return { sentences: [title], origin: 'title', titleLeads: false };
  return { sentences: [], origin: 'none', titleLeads: false };
}
