import type { FeedConfig } from '../config/schema.js';
import type { Article } from '../feeds/article.js';
import { asSentence, contentStems, extractHook, leadSentences } from './extract-hook.js';
import { cleanInline } from './fold-text.js';
import { sectionOfKind, sectionsOf } from './known-sections.js';

/** Longest hook, in graphemes: room is left on X and Bluesky for two emojis, three hashtags and the link. */
export const HOOK_MAX = 230;
// A third sentence is a punchline only when it is this short.
const PUNCHLINE_MAX = 60;

export interface ComposedHook {
  /** Key fact first, then why it matters; the fitter drops from the end when a platform has less room. */
  sentences: string[];
  /** The title without its site or author suffix and without a leading emoji. */
  title: string;
  /** An emoji the title itself starts with. */
  titleEmoji?: string;
  /** Where entities are looked for: the title and the key fact, not the context around them. */
  subject: string;
}

const LEADING_EMOJI = /^(\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}|\u200D\p{Extended_Pictographic})*)\s+(?=.*\p{L})/u;
const SITE_SUFFIX = /\s+[|·•]\s+[^|·•]{1,40}$/u;
// " - Maya Okafor": one to four capitalised words and no figure after a dash ends the title with its author or site.
const AUTHOR_SUFFIX = /\s+[-–—]\s+(\p{Lu}[\p{L}\p{M}.'’-]*)(\s+\p{Lu}[\p{L}\p{M}.'’-]*){0,3}$/u;

/** "🩺 Title | Site" -> "Title", with the emoji kept apart. */
export function cleanTitle(raw: string): { title: string; emoji?: string } {
  let title = cleanInline(raw);
  const emoji = LEADING_EMOJI.exec(title);
  if (emoji) title = title.slice(emoji[0].length);
  for (const suffix of [SITE_SUFFIX, AUTHOR_SUFFIX]) {
    const stripped = title.replace(suffix, '');
    if (stripped.split(' ').length >= 3) title = stripped;
  }
  return { title, ...(emoji ? { emoji: emoji[1] } : {}) };
}

// Code points, not graphemes: segmenting costs a millisecond a sentence, and an emoji in a hook is rare.
function length(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const NAME = /(?<=\s)\p{Lu}|\p{Ll}\p{Lu}|\p{Lu}{2,}/u;
// The field's own name is in every sentence of an AI feed: it names nothing.
const FIELD = /\b(IA|AI|KI)\b/gu;

/** A figure or a name (a capital after the first word, an inner capital, an acronym): what a fact is carried by. */
function carriesFact(sentence: string): boolean {
  return /\p{N}/u.test(sentence) || NAME.test(sentence.replace(FIELD, ''));
}

// "Pourquoi…", "How…": a title that announces an explanation is a question without its mark.
const QUESTION_OPENER = /^(pourquoi|comment|faut-il|peut-on|why|how|what|should|can|por qué|cómo|qué|debe)(?![\p{L}\p{M}])/iu;

/**
 * The statement a title makes: itself, or "Pourquoi la SNCF confie 3 000 trains à une IA" without its "Pourquoi" when
 * what follows carries a figure; undefined for a question, which the article's sentences answer instead.
 */
function statementOf(title: string): string | undefined {
  if (!isQuestion(title)) return title;
  if (/[?¿]/u.test(title) || !/\p{N}/u.test(title)) return undefined;
  const rest = title.replace(QUESTION_OPENER, '').trim();
  return rest.charAt(0).toLocaleUpperCase() + rest.slice(1);
}

function isQuestion(sentence: string): boolean {
  return /[?¿]["»”’)]*$/u.test(sentence.trim()) || QUESTION_OPENER.test(sentence.trim());
}

function figures(text: string): string[] {
  // "Ai2", "ALIA-2" hold digits but name something: a figure stands on its own.
  return text.match(/(?<![\p{L}\p{N}-])\p{N}+(?:[.,\u00A0\u202F ]\p{N}+)*/gu) ?? [];
}

/** Shares a figure with what is already said: "610 TWh" after "2.1%" is more detail, "52 to 38 minutes" after "14 minutes" the same fact. */
function sharesFigure(sentence: string, said: string): boolean {
  const known = new Set(figures(said));
  // "OLMo 4", "Rhea 2": a figure after a name is part of the name, not a measure.
  const measures = sentence.replace(/(\p{Lu}[\p{L}\p{M}-]*)\s\p{N}+/gu, '$1');
  return figures(measures).some((figure) => known.has(figure));
}

// Words that turn a sentence from what happened to what it changes: a consequence, a stake, a limit.
const STAKE =
  /(?<![\p{L}\p{M}])(but|yet|however|still|means?|could|would|risks?|matters?|message|question|stakes?|mais|pourtant|encore|reste|risque|enjeu|question|preuve|signifie|pourrait|devrait|pero|sin embargo|aún|todavía|riesgo|pregunta|significa|podría|clave|de quoi|donc|so|therefore|enough to|por eso|así que|tensions?|illustre|reflète|shows?|signal|muestra|refleja)(?![\p{L}\p{M}])/iu;

// A second figure, a date or who announced it: detail, not why it matters.
const NUMBER_WORD =
  /(?<![\p{L}\p{M}])(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|cent|mille|millions?|milliards?|two|three|four|five|seven|eight|nine|ten|hundred|thousand|billion|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|cien|mil|millones)(?![\p{L}\p{M}])/iu;
const ATTRIBUTION = /(?<![\p{L}\p{M}])(announced|said|according|annoncé|selon|déclaré|anunció|según)(?![\p{L}\p{M}])/iu;

function hasFigure(sentence: string): boolean {
  return /\p{N}/u.test(sentence) || NUMBER_WORD.test(sentence);
}

// "Mais ce n’est pas son terrain", "It…": a sentence that leans on the one before it in the article.
const BACK_REFERENCE = /^(mais|ce|cela|il|elle|ils|elles|but|it|its|this|that|these|pero|esto|eso)(?![\p{L}\p{M}])/iu;

function isDetail(sentence: string): boolean {
  return (hasFigure(sentence) || ATTRIBUTION.test(sentence)) && !STAKE.test(sentence);
}

/** Shares most of its content words and figures with what is already said. */
function repeats(sentence: string, said: string): boolean {
  const words = new Set([...contentStems(sentence), ...figures(sentence)]);
  if (words.size === 0) return true;
  const known = new Set([...contentStems(said), ...figures(said)]);
  let shared = 0;
  for (const word of words) if (known.has(word)) shared++;
  return shared / words.size >= 0.5;
}

// The subject opens the sentence: "La CNIL, chargée des sanctions, a infligé…", never "Pour EDF, le contrat…".
const SUBJECT_APPOSITION = /^((?:\p{Lu}\p{Ll}* )?(?:[\p{L}’'-]+ ){0,4}\p{Lu}[\p{L}\p{M}\p{N}-]*), (?![^,;:()]*[\p{N}\p{Lu}])[^,;:()«»"]{3,100}, (?=\p{Ll})/u;
const OPENING_PREPOSITION = /^(pour|selon|après|avant|avec|pendant|depuis|for|after|before|with|according|since|during|para|según|tras|con|durante|desde)\b/iu;

// A trailing circumstance ("…, au moment où l’entreprise doit…") adds context, not the point.
const TRAILING_CLAUSE = /,\s+(au moment où|où|alors que|tandis que|d’autant que|d'autant que|while|whereas|where|as|at a time when|mientras|cuando|donde|en un momento en que)\s[^,;:]+([.!?…])$/u;

// A trailing participle ("…, courtisés à coups de rémunérations") qualifies what is said; a figure or a name keeps it.
const TRAILING_PARTICIPLE = /,\s+\p{Ll}+(?:ée?s?|ed|ing|ad[oa]s?|id[oa]s?)\s[^,;:\p{N}\p{Lu}]+([.!?])$/u;

/** Drops what carries no figure and no name: parentheses, an apposition after the opening subject, a trailing circumstance. */
export function compressSentence(sentence: string): string {
  let text = sentence.replace(TRAILING_CLAUSE, '$2').replace(TRAILING_PARTICIPLE, '$1').replace(/\s*\((?![^()]*[\p{N}])[^()]{1,80}\)/gu, '');
  if (!OPENING_PREPOSITION.test(text)) text = text.replace(SUBJECT_APPOSITION, '$1 ');
  // Only the plain space a removed clause leaves: a French no-break space before ":" stays.
  return text.replace(/ +([,.;:!?])/gu, '$1').replace(/ {2,}/gu, ' ');
}

function fitting(sentence: string, room: number): string | undefined {
  // Compression removes a clause or two; a sentence several times too long is not worth trying.
  if (sentence.length > 3 * room) return undefined;
  if (length(sentence) <= room) return sentence;
  const compressed = compressSentence(sentence);
  return length(compressed) <= room ? compressed : undefined;
}

function sentencesOf(text: string, language: string | undefined): string[] {
  return text.trim() ? leadSentences(text, language, true, 3) : [];
}

/**
 * The editor's hook: the key fact (the title when it states it, else the shortest sentence that carries a figure or a name),
 * then why it matters (the description, which the site writes as a subtitle, else the first lines of the "why" section
 * or of the body), each sentence whole or compressed, never cut.
 */
export function composeHook(article: Article, feed: Pick<FeedConfig, 'summaryHeadings'>): ComposedHook {
  const language = article.language;
  const { title, emoji } = cleanTitle(article.title);
  const sections = sectionsOf(article);
  const why = sectionOfKind(sections, 'why');
  const description = sentencesOf(article.summary, language);
  const lead = extractHook({ ...article, title: '' }, feed).sentences;
  const whySentences = why ? sentencesOf(why.text, language).slice(0, 2) : [];
  const usable = (sentences: string[]) => sentences.filter((s) => s !== title && !isQuestion(s));
  // The fact is looked for in the subtitle, then the factual summary.
  const factCandidates = usable([...description, ...lead]);

  const statement = title && title.split(' ').length >= 4 ? statementOf(title) : undefined;
  const titleStates = statement ? fitting(asSentence(statement), HOOK_MAX) : undefined;
  const carriers = factCandidates.filter(carriesFact).map((s) => fitting(s, HOOK_MAX)).filter((s): s is string => !!s);
  const fallback = factCandidates.map((s) => fitting(s, HOOK_MAX)).find(Boolean);
  const fact = titleStates ?? carriers.find((s) => /\p{N}/u.test(s)) ?? carriers[0] ?? fallback;
  const base = { title, subject: `${title}\n${fact ?? ''}`, ...(emoji ? { titleEmoji: emoji } : {}) };
  if (!fact) return { ...base, sentences: title ? [asSentence(title)] : lead.slice(0, 1) };

  const sentences = [fact];
  const said = `${title} ${fact}`;
  const room = HOOK_MAX - length(fact) - 1;
  const fresh = (candidate: string) => candidate !== fact && !repeats(candidate, said) && !sharesFigure(candidate, said);
  // The why: a subtitle sentence that states a stake, else the "why" section's opening, else a subtitle sentence that adds
  // no detail, else whatever the subtitle adds; never the fact's own figure again.
  const whyCandidates = [
    ...description.filter((s) => STAKE.test(s)),
    ...whySentences.filter((s, i) => i === 0 || !BACK_REFERENCE.test(s)),
    ...description.filter((s) => !isDetail(s)),
    ...description,
  ].filter((s) => !isQuestion(s) && fresh(s));
  // A title without a figure leaves the figure to the next sentence: the fact comes before the why.
  const figure = hasFigure(fact) ? undefined : description.find((s) => /\p{N}/u.test(s) && fresh(s) && length(s) <= room);
  const reason = figure ?? whyCandidates.map((s) => fitting(s, room)).find(Boolean);
  if (reason) sentences.push(reason);
  // A third sentence only as a short punchline, in the subtitle's order.
  const left = room - (reason ? length(reason) + 1 : 0);
  const punchline = usable(description).find((s) => s !== reason && length(s) < PUNCHLINE_MAX && length(s) <= left && !isDetail(s) && fresh(s) && !repeats(s, `${said} ${reason ?? ''}`));
  if (reason && punchline) sentences.splice(description.indexOf(punchline) < description.indexOf(reason) ? 1 : 2, 0, punchline);
  return { ...base, sentences };
}
