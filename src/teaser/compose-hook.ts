import type { FeedConfig } from '../config/schema.js';
import type { Article } from '../feeds/article.js';
import { asSentence, contentStems, extractHook, isBoilerplate, leadSentences } from './extract-hook.js';
import { cleanInline, foldText } from './fold-text.js';
import { sectionOfKind, sectionsOf, viewSection } from './known-sections.js';
import { splitParagraphs, splitSentences } from './split-sentences.js';

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

// "At 2.1%", "En 2027": a capital that opens a sentence before a figure is no name.
const FUNCTION_WORD = /^(at|in|on|by|of|for|from|since|after|before|with|to|the|en|à|a|au|aux|sur|de|du|des|le|la|les|un|une|pour|dans|avec|après|avant|depuis|el|los|las|una|para|con|desde|tras|y|et|and)$/iu;

function withoutNameNumbers(sentence: string): string {
  return sentence.replace(/(\p{Lu}[\p{L}\p{M}-]*)\s(\p{N}+)/gu, (whole, name: string) => (FUNCTION_WORD.test(name) ? whole : name));
}

/** Shares a figure with what is already said: "610 TWh" after "2.1%" is more detail, "52 to 38 minutes" after "14 minutes" the same fact. */
function sharesFigure(sentence: string, said: string): boolean {
  const known = new Set(figures(said));
  // "OLMo 4", "Rhea 2": a figure after a name is part of the name, not a measure.
  const measures = withoutNameNumbers(sentence);
  return figures(measures).some((figure) => known.has(figure));
}

// Words that turn a sentence from what happened to what it changes: a consequence, a stake, a limit.
// "Ce mouvement illustre…", "shows", "refleja" file the news under a trend: a generality, not a stake.
const STAKE =
  /(?<![\p{L}\p{M}])(but|yet|however|still|means?|could|would|risks?|matters?|message|question|stakes?|mais|pourtant|encore|reste|risque|enjeu|question|preuve|signifie|pourrait|devrait|pero|sin embargo|aún|todavía|riesgo|pregunta|significa|podría|clave|de quoi|donc|therefore|enough to|por eso|así que|tensions?|signal|aunque|although|même si|bien que)(?![\p{L}\p{M}])/iu;

// A second figure, a date or who announced it: detail, not why it matters.
const NUMBER_WORD =
  /(?<![\p{L}\p{M}])(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|cent|mille|millions?|milliards?|two|three|four|five|seven|eight|nine|ten|hundred|thousand|billion|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|cien|mil|millones)(?![\p{L}\p{M}])/iu;
const ATTRIBUTION = /(?<![\p{L}\p{M}])(announced|said|according|annoncé|selon|déclaré|anunció|según)(?![\p{L}\p{M}])/iu;

function hasFigure(sentence: string): boolean {
  return /\p{N}/u.test(sentence) || NUMBER_WORD.test(sentence);
}

// "Deux jours", "one step" are words, not data: a detail brings digits or a large count.
function isDetail(sentence: string): boolean {
  return (/\p{N}/u.test(withoutNameNumbers(sentence)) || LARGE_NUMBER.test(sentence) || ATTRIBUTION.test(sentence)) && !STAKE.test(sentence);
}

/** Shares most of its content words and figures with what is already said. */
function repeats(sentence: string, said: string): boolean {
  return overlap(sentence, said) >= 0.5;
}

// The subject opens the sentence: "La CNIL, chargée des sanctions, a infligé…", never "Pour EDF, le contrat…".
const SUBJECT_APPOSITION = /^((?:\p{Lu}\p{Ll}* )?(?:[\p{L}’'-]+ ){0,4}\p{Lu}[\p{L}\p{M}\p{N}-]*), (?![^,;:()]*[\p{N}\p{Lu}])[^,;:()«»"]{3,100}, (?=\p{Ll})/u;
// "Kyutai, le laboratoire fondé à Paris en 2023, a publié…": an apposition that opens with an article describes the subject.
const DESCRIPTIVE_APPOSITION = /^(\p{Lu}[\p{L}\p{M}\p{N}-]*(?: \p{Lu}[\p{L}\p{M}\p{N}-]*)?), (?:le|la|les|l’|l'|un|une|the|an?|el|los|las|una?) [^,;:()«»"]{3,100}, (?=\p{Ll})/u;
// "…use Brief, an AI tool built by the province’s digital service, to summarise…": what a name is, without a figure, is detail.
// A name that is itself an item of a list ("Guitar Hero, Ed Boon, the flavor of…, technofear"), or what follows a list item
// ("…, the end of…, the problems with…"), is no apposition.
const NAME_APPOSITION =
  /(?<=\s)(?<!,\s(?:\p{Lu}[\p{L}\p{M}\p{N}-]*\s)*)(\p{Lu}[\p{L}\p{M}\p{N}-]*), (?:an?|the|un|une|le|la|el|una) [^,;:()«»"\p{N}]{3,80}, (?=\p{Ll})(?!(?:an?|the|and|or|un|une|le|la|les|des|el|los|las|et|ou|y|o)\s)/gu;
const OPENING_PREPOSITION = /^(pour|selon|après|avant|avec|pendant|depuis|for|after|before|with|according|since|during|para|según|tras|con|durante|desde)\b/iu;

// A trailing circumstance ("…, au moment où l’entreprise doit…") adds context, not the point.
// "…, many of them behind new defences" details the figure before it: the figure is the fact.
const TRAILING_CLAUSE =
  /,\s+(au moment où|où|alors que|tandis que|d’autant que|d'autant que|while|whereas|where|as|at a time when|mientras|cuando|donde|en un momento en que|(?:many|most|some|several|half|all) of (?:them|which|whom)|dont (?:beaucoup|certains|certaines|la plupart|une partie)|(?:muchos|muchas|algunos|algunas|la mayoría) de (?:ellos|ellas|los cuales|las cuales))\s[^,;:]+([.!?…])$/u;

// A trailing participle ("…, courtisés à coups de rémunérations") qualifies what is said; a figure or a name keeps it.
const TRAILING_PARTICIPLE = /,\s+\p{Ll}+(?:ée?s?|ed|ing|ad[oa]s?|id[oa]s?)\s[^,;:\p{N}\p{Lu}]+([.!?])$/u;

// A trailing "at what cost" ("…, au nom des économies", "…, sin necesidad de…") qualifies what is said.
const TRAILING_PHRASE = /,\s+(au nom d|au prix d|sans |without |at the cost of|sin necesidad|a costa d)[^,;:\p{N}\p{Lu}]*([.!?])$/u;

// "an AI tool built by the province’s digital service": what the name is ends where who made it begins.
const MAKER = /^, ((?:an?|the|un|une|le|la|el|una) (?:[^\s,]+ ){0,2}[^\s,]+) (?:built|made|developed|designed|created|run|conçu\p{L}*|développé\p{L}*|créé\p{L}*|fabriqué\p{L}*|desarrollad\p{L}*|cread\p{L}*|diseñad\p{L}*|construid\p{L}*)\s/u;

/** ", an AI tool built by the province’s digital service," -> ", an AI tool,": a name the reader has not met keeps what it is. */
function headOf(apposition: string): string {
  const head = MAKER.exec(apposition)?.[1];
  return head ? `, ${head},` : '';
}

/** Drops what carries no figure and no name: parentheses, an apposition after the opening subject, a trailing circumstance. */
export function compressSentence(sentence: string): string {
  let text = sentence.replace(TRAILING_CLAUSE, '$2').replace(TRAILING_PARTICIPLE, '$1').replace(TRAILING_PHRASE, '$2').replace(/\s*\((?![^()]*[\p{N}])[^()]{1,80}\)/gu, '');
  // "un modèle d’un milliard de paramètres" carries a figure in words: it stays.
  // "Según las simulaciones, el trayecto…": who says so is detail; ", de puerta a puerta," a manner.
  text = text.replace(LEADING_ATTRIBUTION, (_, first: string) => first.toLocaleUpperCase());
  // In a list ("Lost, an Ice Cube side-scroller, …, and more, at length,") every item stays.
  if ((text.match(/,/gu) ?? []).length <= 2) text = text.replace(MANNER, '');
  const dropUnlessCounted = (whole: string, subject: string) => (NUMBER_WORD.test(whole) ? whole : `${subject} `);
  if (!OPENING_PREPOSITION.test(text)) text = text.replace(SUBJECT_APPOSITION, dropUnlessCounted).replace(DESCRIPTIVE_APPOSITION, dropUnlessCounted);
  text = text.replace(NAME_APPOSITION, (whole, name: string) => (NUMBER_WORD.test(whole) ? whole : `${name}${headOf(whole.slice(name.length))} `));
  // Only the plain space a removed clause leaves: a French no-break space before ":" stays.
  return text.replace(/ +([,.;:!?])/gu, '$1').replace(/ {2,}/gu, ' ');
}

const LEADING_ATTRIBUTION = /^(?:Selon|D[’']après|Según|De acuerdo con|According to)\s[^,;:\p{N}]{3,40},\s+(\p{Ll})/u;
const MANNER = /,\s(?:de|à|en|in|at|on|por|a|par|by)\s[^,;:()\p{N}\p{Lu}]{3,25},(?=\s\p{Ll})/gu;

// "voted 94 to 12 on Thursday", "a annoncé mardi que": the day of the week is the wire's detail, never the teaser's.
const WEEKDAY =
  /\s(?:on |el |este |ce )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)(?=[,.;:]|\s(?!\p{N}))/giu;

function fitting(whole: string, room: number): string | undefined {
  const sentence = whole.replace(WEEKDAY, '');
  // Compression removes a clause or two; a sentence several times too long is not worth trying.
  if (sentence.length > 3 * room) return undefined;
  if (length(sentence) <= room) return sentence;
  const compressed = compressSentence(sentence);
  return length(compressed) <= room ? compressed : undefined;
}

function sentencesOf(text: string, language: string | undefined, count = 3): string[] {
  return text.trim() ? leadSentences(text, language, true, count) : [];
}

/** Every sentence of a section, paragraph after paragraph, up to `count`: the why may open its second paragraph. */
function sectionSentences(text: string | undefined, language: string | undefined, count: number): string[] {
  if (!text?.trim()) return [];
  const out: string[] = [];
  for (const paragraph of splitParagraphs(text).slice(0, 4)) {
    for (const sentence of splitSentences(paragraph, language)) {
      if (out.length >= count) return out;
      if (!isBoilerplate(sentence)) out.push(sentence);
    }
  }
  return out;
}

// "The problem is narrower: …": a comparison whose other side the colon brings.
const COMPARATIVE_END = /(?<![\p{L}\p{M}])(?:is|are|was|were|est|sont|était|es|son|era)\s+(?:\p{L}+er|(?:plus|moins|más|menos|more|less)\s\p{L}+)$/iu;

/** "Le projet confirme l’attrait de la France : une électricité abondante, …" -> the claim without its list, when the claim is a sentence of its own. */
function withoutElaboration(sentence: string): string | undefined {
  const colon = /^([^:;]+?)[\s\u00A0\u202F]?:\s/u.exec(sentence);
  if (!colon || colon[1]!.split(/\s+/u).length < 5 || /[,«“"(]$/u.test(colon[1]!) || COMPARATIVE_END.test(colon[1]!.trim())) return undefined;
  return `${colon[1]!.trim()}.`;
}

/** "Pour Mistral, c’est une recrue symbolique : la preuve qu’une entreprise européenne peut attirer…" -> what follows the colon, when the claim before it is short. */
function elaborationOf(sentence: string): string | undefined {
  const colon = /^([^:;]+?)[\s\u00A0\u202F]?:\s+(\p{Ll}[^:;]+[.!?])$/u.exec(sentence);
  if (!colon || colon[1]!.split(/\s+/u).length > 7 || colon[2]!.split(/\s+/u).length < 6 || PRONOUN_START.test(colon[2]!)) return undefined;
  return colon[2]!.charAt(0).toLocaleUpperCase() + colon[2]!.slice(1);
}

// "Et la surenchère profite…", "And households may…": the link to the article's previous sentence, meaningless in a hook.
const LEADING_CONNECTOR = /^(?:et|and|y|also,|moreover,|de plus,|en outre,|además,)\s+(?=\p{L})/iu;

function withoutConnector(sentence: string): string {
  const connector = LEADING_CONNECTOR.exec(sentence);
  const rest = connector ? sentence.slice(connector[0].length) : '';
  // "And why it matters." is no question: the connector stays when what follows would read as one.
  if (!connector || QUESTION_OPENER.test(rest)) return sentence;
  return rest.charAt(0).toLocaleUpperCase() + rest.slice(1);
}

type WhySource = 'description' | 'why' | 'optimistic' | 'pessimistic';

interface WhyCandidate {
  text: string;
  source: WhySource;
  /** Position in its source: an opening sentence states the point, the next ones argue it. */
  index: number;
}

// Who a stake is about: a country, a public, a profession, a system, rather than the company in the news.
const GENERAL_SUBJECT =
  /(?<![\p{L}\p{M}])(pays|france|europe|européens?|européennes?|ue|public|citoyens|usagers|utilisateurs|patients|femmes|élèves|enseignants|professeurs|chercheurs|ménages|consommateurs|secteur|industrie|réseau|voyageurs|salariés|artistes|régulateurs|countries|country|european|citizens|users|patients|researchers|households|consumers|industry|sector|grids?|workers|governments|regulators|maintainers|developers|país|países|españa|europa|europeos?|ciudadanos|usuarios|pacientes|alumnos|estudiantes|investigadores|hogares|consumidores|industria|administraciones|universidades|universités|universities|personnes|gens|people|personas|gente|women|mujeres|région|region|región|enfants|children|niños|familles|families|familias|états-unis|united states|us|american|américains?|estados unidos|américa latina|latinoamérica|afrique|africa|áfrica)(?![\p{L}\p{M}])/iu;
// "La décision", "The deal": a sentence may open on the news itself.
const EVENT_NOUN =
  /^(décision|sanction|amende|projet|accord|contrat|loi|mouvement|levée|annonce|affaire|mesure|decision|fine|project|deal|agreement|contract|law|ban|move|rule|announcement|decisión|multa|proyecto|acuerdo|contrato|ley|medida|sanción|anuncio)$/iu;

/** "The round trip to Taiwan…" after a fact that never mentioned one: a definite noun the reader has not met yet. */
function opensOnUnknown(sentence: string, said: string): boolean {
  const noun = /^(?:le|la|les|the|el|los|las)\s+(\p{L}+)|^l[’'](\p{L}+)/iu.exec(sentence);
  const word = noun?.[1] ?? noun?.[2];
  if (!word) return false;
  return !contentStems(said).has([...contentStems(word)][0] ?? '') && !EVENT_NOUN.test(word) && !GENERAL_SUBJECT.test(word) && !STAKE_NOUN.test(word);
}
// What it changes, costs or risks, beyond the connectives of STAKE.
const STAKE_NOUN =
  /(?<![\p{L}\p{M}])(problème|problem|problema|dépend\p{L}*|depend\p{L}*|souveraineté|sovereignty|soberanía|confiance|trust|confianza|vie privée|privacy|privacidad|menace|threat|amenaza|valeur|value|valor|handicap|recul|avantage|advantage|ventaja|équité|fairness|equidad|sécurité|security|seguridad|transparen\p{L}*|audit\p{L}*|démontre|demuestra|demonstrates|proves?|prouve|attrait|appeal|milestone|jalon|hito|tournant|turning point|reminder|rappelle|recordatorio|précédent|precedent|precedente|symbole|symbol|símbolo|historique|historic|histórico|importante?|majeur|major)(?![\p{L}\p{M}])/iu;
const NEGATION = /(?<![\p{L}\p{M}])(ne|n[’']|pas|not|no|ni|nor|never|jamais|nunca|doesn[’']t|isn[’']t|don[’']t|won[’']t|can[’']t)(?![\p{L}\p{M}])/iu;
const CONTRAST = /(?<![\p{L}\p{M}])(mais|but|pero|sino|instead|plutôt|rather|yet)(?![\p{L}\p{M}])/iu;
// A pronoun that stands for something the previous sentence of the article named.
// "This is a milestone", "C’est une reconnaissance" speak of the news itself and read well after it; "They", "Il" do not.
const PRONOUN_START =
  /^((mais|but|pero|et|and|y)\s+)?(il|elle|ils|elles|on|it|they|he|she|él|ella|ellos|ellas|there (?:is|are)|il y a|hay)(?![\p{L}\p{M}])|^(mais|but|pero)\s+(ce|c[’']|cela|ça|this|that|esto|eso)(?![\p{L}\p{M}])/iu;
const DEMONSTRATIVE_START = /^(c[’']est|ce sont|cela|ça|ceci|this|that|these|those|esto|eso|esta|este|ello)(?![\p{L}\p{M}])/iu;
const CONTRAST_START = /^(mais|but|pero|however|pourtant|sin embargo)(?![\p{L}\p{M}])/iu;
// A sum of money: "£600", "2 millions d’euros", "4.200 millones de pesos".
const SUM = /[£€$¥]\s?\p{N}[\p{N}.,\u00A0\u202F ]*(?:m|bn|k)?|\p{N}[\p{N}.,\u00A0\u202F ]*\s?(?:(?:millions?|milliards?|millones|billions?|mil)\s(?:d[’']|de\s)?)?(?:€|£|\$|euros?|dollars?|pounds?|livres|pesos|dólares)(?![\p{L}\p{M}])/giu;

/**
 * A sum the fact has not introduced, standing as the subject ("For someone…, £600 does not undo…"): the reader does not know
 * what it is. "…is worth more than $50m" says what its sum is.
 */
function unanchoredSum(text: string, said: string): boolean {
  const known = new Set(figures(said));
  for (const opening of [text, text.replace(/^[^,]{1,80},\s*/u, '')]) {
    const sum = [...opening.matchAll(SUM)][0];
    if (sum?.index === 0 && figures(sum[0]).every((figure) => !known.has(figure))) return true;
  }
  return false;
}
const POSSESSIVE_START = /^(son|sa|ses|leur|leurs|its|their|his|her|su|sus)(?![\p{L}\p{M}])/iu;
const CONJUNCTION_START = /^(et|and|y|or|also|aussi|además|meanwhile|pendant ce temps)(?![\p{L}\p{M}])/iu;
// "Pour EDF, le contrat…": what one side of the deal gains is not why it matters.
const SIDE_OPENER = /^(pour|for|para)\s+([^,:;]{1,40})[,:]/iu;
// How the result was obtained: a caveat for the specialist, not the stake.
const METHOD = /(?<![\p{L}\p{M}])(résultats?|étude|study|results?|resultados?|estudio|ensayo|trial|pilot|chiffres|cifras)(?![\p{L}\p{M}])/iu;
// The article talking about itself, not the news.
const META = /(ce qui change|voici|l[’']article|this article|here[’']s|what changes|lo que cambia|este artículo)/iu;
// "Reste à savoir si…", "Falta saber si…": the open question an editor ends on.
const OPEN_QUESTION = /^(reste à savoir|reste une question|la question|falta saber|queda por ver|la pregunta|it remains to be seen|the question)(?![\p{L}\p{M}])/iu;

function opensWithName(sentence: string, said: string): boolean {
  const first = /^\p{Lu}[\p{L}\p{M}\p{N}-]*/u.exec(sentence)?.[0];
  return !!first && first.length > 1 && new RegExp(`(?<![\\p{L}])${first}(?![\\p{L}])`, 'u').test(said.slice(1)) && !FUNCTION_WORD.test(first);
}

/** The side a sentence speaks for, when it opens with one the fact names ("Pour EDF, …"). */
function speaksForSide(sentence: string, said: string): boolean {
  const side = SIDE_OPENER.exec(sentence)?.[2];
  return !!side && /\p{Lu}/u.test(side) && (side.match(/\p{Lu}[\p{L}\p{M}\p{N}-]*/gu) ?? []).some((name) => said.includes(name));
}

function overlap(sentence: string, said: string): number {
  const words = new Set([...contentStems(sentence), ...figures(sentence)]);
  if (words.size === 0) return 1;
  const known = new Set([...contentStems(said), ...figures(said)]);
  let shared = 0;
  for (const word of words) if (known.has(word)) shared++;
  return shared / words.size;
}

// Who gains or loses what: the stake in its plainest form.
const GAIN_LOSS =
  /(?<![\p{L}\p{M}])(profite\p{L}*|profiter\p{L}*|bénéficie\p{L}*|gagne|gagnent|gagner\p{L}*|perd|perdent|perdre|perdr\p{L}+|paie|paient|payer|coûte\p{L}*|benefits?|benefiting|loses?|losing|pay|paying|paid|costs?|beneficia\p{L}*|gana|ganan|pierde|pierden|pagan?|cuesta|cuestan)(?![\p{L}\p{M}])/iu;
const EVERYONE = /(?<![\p{L}\p{M}])(tout le monde|everyone|everybody|todo el mundo|todos)(?![\p{L}\p{M}])/iu;
// "Some of the gain may have come from people": a doubt about the result is the specialist's caveat, not the stake.
const HEDGE = /(?<![\p{L}\p{M}])(may have|might have|could have|aurai(?:t|ent) pu|pourrai(?:t|ent) avoir|a pu|puede haber|podría haber|podrían haber|pudo)(?![\p{L}\p{M}])/iu;
// A modal or a stake in a clause that compression removed: the why stopped before its consequence.
const CONSEQUENCE = /(?<![\p{L}\p{M}])(can|could|will|would|peut|peuvent|pourrait|pourraient|va|vont|puede|pueden|podría|podrían|va a|van a)(?![\p{L}\p{M}])/iu;

/** The words of `whole` that `kept` no longer has: what compression removed. */
function removedPart(whole: string, kept: string): string {
  const left = new Set(kept.split(/\s+/u));
  return whole
    .split(/\s+/u)
    .filter((word) => !left.has(word))
    .join(' ');
}

/** Compressed only when what goes holds no consequence: "…, where they can strain local grids" is the point of the sentence. */
export function compressKeepingConsequence(sentence: string): string {
  const compressed = compressSentence(sentence);
  return CONSEQUENCE.test(removedPart(sentence, compressed)) ? sentence : compressed;
}

/** How well a sentence says why the fact matters: a stake for a public, fresh words, standing alone; higher is better. */
function whyScore(candidate: WhyCandidate, said: string): number {
  const { text, source, index } = candidate;
  let score = 0;
  if (STAKE.test(text)) score += 2;
  if (STAKE_NOUN.test(text)) score += 1;
  // What the actor itself pays or gains is more of the fact; "tout le monde" names no one.
  if (GAIN_LOSS.test(text) && !opensWithName(text, said) && !EVERYONE.test(text)) score += 1;
  if (HEDGE.test(text)) score -= 2;
  if (GENERAL_SUBJECT.test(text.replace(FIELD, ''))) score += 1.5;
  // "OLMo 4 is not the most capable model": what the subject is not says nothing of why it matters.
  if (NEGATION.test(text) && !CONTRAST.test(text.replace(/^\p{L}+/u, '')) && opensWithName(text, said)) score -= 4;
  if (PRONOUN_START.test(text)) score -= 4;
  else if (POSSESSIVE_START.test(text)) score -= 1;
  // "C’est la voie que…" further into a section points back to the sentence before it, which the hook does not carry.
  // "C’est la preuve que…", "This is a milestone" judge the news itself and stand alone.
  const judges = STAKE.test(firstWords(text, 4)) || STAKE_NOUN.test(firstWords(text, 4));
  if (index > 0 && source !== 'description' && DEMONSTRATIVE_START.test(text) && !judges) score -= 4;
  // "Mais sur un trajet qui en compte une vingtaine…": the answer to a one-sided view's previous line.
  if (index > 0 && (source === 'optimistic' || source === 'pessimistic') && CONTRAST_START.test(text)) score -= 4;
  // "£600 does not undo…": a sum the fact never introduced leaves the reader asking what it is.
  if (unanchoredSum(text, said)) score -= 4;
  if (CONJUNCTION_START.test(text)) score -= 2;
  if (speaksForSide(text, said)) score -= 3;
  if (opensOnUnknown(text, said)) score -= 1;
  // "Reste à savoir si…" closes a hook better than it explains one.
  if (OPEN_QUESTION.test(text)) score -= 2.5;
  if (META.test(text)) score -= 2;
  // "Pour les 450 000 personnes sourdes du pays": a figure that counts who is concerned is the stake, not a detail.
  if (isDetail(text) && !GENERAL_SUBJECT.test(text)) score -= 2;
  if (length(text) < 40) score -= 1;
  if (METHOD.test(text) && !STAKE.test(text)) score -= 1.5;
  score -= 3 * overlap(text, said);
  // The subtitle and the neutral view are the site's own "why"; a one-sided view posted as the why reads as editorialising.
  if (source === 'why') score += index === 0 ? 1 : 0.5;
  else if (source === 'description') score += 0.5;
  else score -= index === 0 ? 0.75 : 1;
  return score;
}

function firstWords(text: string, count: number): string {
  return text.split(/\s+/u).slice(0, count).join(' ');
}

/** A short closing line that stands alone: an open question, a blunt limit. */
function punchlineScore(candidate: WhyCandidate): number | undefined {
  const { text, source } = candidate;
  // An open question may run longer: it is the line the reader leaves with.
  if (length(text) > (OPEN_QUESTION.test(text) ? 2 * PUNCHLINE_MAX : PUNCHLINE_MAX) || isQuestion(text) || /[:;]$/u.test(text)) return undefined;
  if (PRONOUN_START.test(text) || POSSESSIVE_START.test(text) || CONJUNCTION_START.test(text) || META.test(text)) return undefined;
  if (/\p{N}/u.test(text) || ATTRIBUTION.test(text)) return undefined;
  // "The service depends on donor money." after the why: a one-sided line tacked on tips the hook into a verdict.
  if ((source === 'optimistic' || source === 'pessimistic') && !OPEN_QUESTION.test(text)) return undefined;
  let score = 0;
  if (OPEN_QUESTION.test(text)) score += 2;
  if (STAKE.test(text) || STAKE_NOUN.test(text)) score += 1;
  return score;
}

/** Capitalised words of a title, its first one included: "Kyutai", "Sonal". */
function namesOf(text: string): Set<string> {
  return new Set((text.replace(FIELD, '').match(/\p{Lu}[\p{L}\p{M}\p{N}-]*/gu) ?? []).filter((w) => w.length > 1));
}

/** A measure, not a name's number: "1,4 GW", "un milliard", not "Rhea 2". */
function hasMeasure(sentence: string): boolean {
  return figures(withoutNameNumbers(sentence)).length > 0 || LARGE_NUMBER.test(sentence);
}

const LARGE_NUMBER = /(?<![\p{L}\p{M}])(millions?|milliards?|billions?|trillions?|millones|billones)(?![\p{L}\p{M}])/iu;

// A fact sentence leaves this much of the hook to the why.
const FACT_ROOM = 160;

/** A title that names the news without its figure: the sentence that names the same subject with the figure, compressed. */
function factWithFigure(title: string, candidates: string[]): string | undefined {
  const names = namesOf(title);
  if (names.size === 0) return undefined;
  for (const candidate of candidates) {
    const shared = [...namesOf(candidate)].filter((name) => names.has(name)).length;
    if (shared < Math.min(2, names.size) || overlap(title, candidate) < 0.5 || PRONOUN_START.test(candidate) || POSSESSIVE_START.test(candidate)) continue;
    const fitted = fitting(candidate, FACT_ROOM);
    if (fitted && hasMeasure(fitted)) return fitted;
  }
  return undefined;
}

// "le 1 de marzo de 2027", "en 2026": when it happens is no measure of what happened.
const DATE =
  /(?<![\p{L}\p{N}])(?:\p{N}{1,2}(?:er)?\s(?:de\s)?(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|january|february|march|april|may|june|july|august|september|october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)(?:\s(?:de\s)?\p{N}{4})?|(?:19|20)\p{N}{2})(?![\p{L}\p{N}])/giu;

/** A measure other than a date, that the title does not already give. */
function bringsMeasure(sentence: string, title: string): boolean {
  const known = new Set(figures(title));
  return figures(withoutNameNumbers(sentence.replace(DATE, ''))).some((figure) => !known.has(figure)) || (LARGE_NUMBER.test(sentence) && !LARGE_NUMBER.test(title));
}

// A figure sentence that points back ("Sus 64 rutas", "They", "Cela") needs the sentence before it.
function standsAlone(sentence: string): boolean {
  return !PRONOUN_START.test(sentence) && !POSSESSIVE_START.test(sentence) && !DEMONSTRATIVE_START.test(sentence) && !LEADING_CONNECTOR.test(sentence);
}

/**
 * A title that states the news without its figure, followed by the first sentence of the subtitle or the factual summary
 * that brings one, compressed: "Medellín rediseña su red… . Según las simulaciones, el trayecto medio bajará de 58 a 47 minutos."
 */
function titleThenFigure(title: string, candidates: string[], theme: string): string | undefined {
  const room = FACT_ROOM - length(title) - 1;
  let best: { text: string; score: number } | undefined;
  for (const candidate of candidates) {
    if (!standsAlone(candidate) || repeats(candidate, title)) continue;
    const fitted = fitting(candidate, room);
    // The figure of what the title and the subtitle speak of ("el trayecto medio"), not of what it cost.
    const score = fitted && bringsMeasure(fitted, title) ? overlap(fitted, theme) : -1;
    if (fitted && score > (best?.score ?? -1)) best = { text: fitted, score };
  }
  return best && `${title} ${best.text}`;
}

/** "Le ministère a testé…" in the subtitle, "Le ministère de l’Éducation nationale a publié…" in the article: the fact names who. */
function namedSubject(sentence: string, text: string): string {
  const opening = /^(?:Le|La|Les|L[’']|The|El|Los|Las)\s?\p{Ll}[\p{L}\p{M}-]*(?=\s)/u.exec(sentence)?.[0];
  if (!opening) return sentence;
  const either = `[${opening[0]}${opening[0]!.toLowerCase()}]${opening.slice(1).replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}`;
  const name = new RegExp(`${either} ((?:de l[’']|de la |du |des |de |del |of the |of )\\p{Lu}[\\p{L}\\p{M}-]*(?: \\p{Lu}[\\p{L}\\p{M}-]*)*)`, 'u').exec(text)?.[1];
  return name ? `${opening} ${name}${sentence.slice(opening.length)}` : sentence;
}

const INDEFINITE = /^(una?|une|an?)$/iu;

/**
 * "Una startup de Bogotá traduce…" when the article says "Señalia, una startup de Bogotá fundada en 2024, ha lanzado…":
 * the title with the name the article gives its unnamed actor, "Señalia, una startup de Bogotá, traduce…".
 */
function namedActor(title: string, text: string): string {
  const words = title.split(' ');
  if (!INDEFINITE.test(words[0] ?? '')) return title;
  const apposition = new RegExp(`(\\p{Lu}[\\p{L}\\p{M}\\p{N}-]*(?: \\p{Lu}[\\p{L}\\p{M}\\p{N}-]*)?), ${words[0]!.toLowerCase()} ([^,;:.]{3,120})`, 'gu');
  for (const match of text.matchAll(apposition)) {
    const said = match[2]!.split(' ');
    let shared = 0;
    while (shared < said.length && shared + 1 < words.length && foldText(said[shared]!) === foldText(words[shared + 1]!)) shared++;
    // Two words at least, the last a word of its own ("una startup de Bogotá", never "a Nairobi").
    if (shared < 2 || FUNCTION_WORD.test(said[shared - 1]!)) continue;
    const next = words[shared + 1] ?? '';
    const lowered = `${title.charAt(0).toLowerCase()}${title.slice(1)}`;
    // "Un outil de prévision du mildiou, testé sur…, a permis…": the subject is already set off by a comma; the name goes before it.
    if (/^[^,]+,\s/u.test(words.slice(shared + 1).join(' ')) && (FUNCTION_WORD.test(next) || !/,/u.test(words[shared]!))) return `${match[1]}, ${lowered}`;
    // The title goes on with a verb.
    if (!/^\p{Ll}/u.test(next) || FUNCTION_WORD.test(next)) continue;
    const actor = words.slice(0, shared + 1).join(' ');
    return `${match[1]}, ${actor.charAt(0).toLowerCase()}${actor.slice(1)}, ${words.slice(shared + 1).join(' ')}`;
  }
  return title;
}

/**
 * The editor's hook: the key fact (the title when it states it, else the shortest sentence that carries a figure or a name),
 * then why it matters (the best-scoring sentence of the subtitle, the neutral view and the openings of the optimistic and
 * pessimistic views), then a short punchline when there is room; each sentence whole or compressed, never cut.
 */
export function composeHook(article: Article, feed: Pick<FeedConfig, 'summaryHeadings'>, maxLength = HOOK_MAX): ComposedHook {
  const language = article.language;
  const { title, emoji } = cleanTitle(article.title);
  const sections = sectionsOf(article);
  const why = sectionOfKind(sections, 'why');
  const factSection = sectionOfKind(sections, 'fact', feed.summaryHeadings) ?? why;
  const description = sentencesOf(article.summary, language);
  const lead = extractHook({ ...article, title: '' }, feed).sentences;
  const usable = (sentences: string[]) => sentences.filter((s) => s !== title && !isQuestion(s));
  // The fact is looked for in the subtitle, then the factual summary.
  const factCandidates = usable([...description, ...lead]);

  const stated = title && title.split(' ').length >= 4 ? statementOf(title) : undefined;
  const statement = stated && namedActor(stated, [article.summary, article.content].join('\n'));
  const titleStates = statement ? fitting(asSentence(statement), HOOK_MAX) : undefined;
  const figureCandidates = usable([...lead, ...description]);
  // Only an article with a factual summary says which sentence states the news: elsewhere a figure may be a price or a count of episodes.
  const figureSentences = factSection ? usable([...description, ...lead, ...sectionSentences(factSection.text, language, 8)]).filter((s) => s.split(/\s+/u).length >= 6) : [];
  const withFigure = (stated: string) => factWithFigure(stated, figureCandidates) ?? titleThenFigure(stated, figureSentences, `${stated} ${article.summary}`) ?? stated;
  const titleFact = titleStates && !hasFigure(titleStates) ? withFigure(titleStates) : titleStates;
  const carriers = factCandidates.filter(carriesFact).map((s) => fitting(s, HOOK_MAX)).filter((s): s is string => !!s);
  const fallback = factCandidates.map((s) => fitting(s, HOOK_MAX)).find(Boolean);
  const found = titleFact ?? carriers.find((s) => /\p{N}/u.test(s)) ?? carriers[0] ?? fallback;
  // "Un outil de prévision du mildiou, testé sur…" in the subtitle: the fact names the tool as the article does.
  const fact = found && found !== titleFact ? namedActor(namedSubject(found, article.content ?? ''), article.content ?? '') : found;
  const base = { title, subject: `${title}\n${fact ?? ''}`, ...(emoji ? { titleEmoji: emoji } : {}) };
  if (!fact) return { ...base, sentences: title ? [asSentence(title)] : lead.slice(0, 1) };

  const explained = explain(fact);
  // A figure that leaves no room for the why is worth less than the title's names with one.
  const alternative = explained.length < 2 && titleStates && fact !== titleStates ? explain(titleStates) : undefined;
  const chosen = alternative && alternative.length >= 2 ? alternative : explained;
  // The actor the article names ("Señalia, una startup de Bogotá, traduce…") opens the subject, as a title's would.
  const subjectTitle = statement !== stated && chosen[0] === titleStates ? chosen[0] : title;
  return { ...base, subject: `${subjectTitle}\n${chosen[0]}`, sentences: chosen };

  function explain(fact: string): string[] {
    const said = `${title} ${fact}`;
    const room = maxLength - length(fact) - 1;
    const fresh = (text: string) => text !== fact && !isQuestion(text) && !repeats(text, said) && !sharesFigure(text, said);
    const candidates: WhyCandidate[] = [
      ...description.map((text, index) => ({ text, source: 'description' as const, index })),
      ...sectionSentences(why?.text, language, 4).map((text, index) => ({ text, source: 'why' as const, index })),
      ...(['optimistic', 'pessimistic'] as const).flatMap((tone) => sectionSentences(viewSection(sections, tone)?.text, language, 3).map((text, index) => ({ text, source: tone, index }))),
    ].filter((c) => fresh(c.text));

    const ranked = candidates
      .flatMap((c) => {
        const text = withoutConnector(c.text);
        // "Et la chaleur des serveurs pourrait…" adds to an argument the article made before: a second point, not the main one.
        const added = text === c.text ? 0 : 1;
        const whole = fitting(text, room);
        // A why compressed before its consequence ("…, where they can strain local grids") is half a why.
        const halved = !!whole && CONSEQUENCE.test(removedPart(text.replace(WEEKDAY, ''), whole)) ? 1.5 : 0;
        const short = whole ? undefined : withoutElaboration(text);
        const tail = whole ? undefined : elaborationOf(text);
        return [
          // A claim without the list that backs it ("répond à un problème très concret.") is vaguer than a whole sentence.
          { ...c, text: whole ?? (short && fitting(short, room)) ?? '', penalty: (short ? 1.5 : halved) + added },
          // The point without its announcement reads well alone; it lost only the words that introduced it.
          { ...c, text: (tail && fitting(tail, room)) ?? '', penalty: 0.5 + added },
          // "El trayecto medio se acorta, pero algunos barrios pierden…" after the figure that says so: the turn alone.
          { ...c, text: fitting(turnAfter(text, said) ?? '', room) ?? '', penalty: added },
        ];
      })
      // "We talk Nintendo, getting "Genesis big," Las Vegas,": a feed's summary cut mid-list stops mid-idea.
      .filter((c) => c.text && fresh(c.text) && !/[,;:\u2013-]$/u.test(c.text))
      .map((c) => ({ candidate: c, score: whyScore(c, said) - c.penalty }))
      .sort((a, b) => b.score - a.score);
    const reason = ranked[0] && ranked[0].score > WHY_FLOOR ? ranked[0].candidate.text : undefined;
    if (!reason) return [fact];

    const left = room - length(reason) - 1;
    const closing = `${said} ${reason}`;
    const punchline = candidates
      .filter((c) => c.text !== reason && length(c.text) <= left && !repeats(c.text, closing) && !sharesFigure(c.text, closing))
      .map((c) => ({ text: c.text, score: punchlineScore(c) }))
      .filter((c): c is { text: string; score: number } => c.score !== undefined && c.score >= 1)
      .sort((a, b) => b.score - a.score)[0]?.text;
    return punchline ? [fact, reason, punchline] : [fact, reason];
  }
}

/** What follows ", pero / mais / but" when what precedes it repeats what the hook already says. */
function turnAfter(sentence: string, said: string): string | undefined {
  const turn = /^([^,;:]+),\s+(pero|mais|but|yet)\s+(\p{Ll}[^;:]+[.!?])$/u.exec(sentence);
  if (!turn || overlap(turn[1]!, said) < 0.5 || !standsAlone(turn[3]!)) return undefined;
  return `${turn[2]!.charAt(0).toUpperCase()}${turn[2]!.slice(1)} ${turn[3]}`;
}

// Below this a sentence says too little, or the fact again: the fact alone reads better.
const WHY_FLOOR = -1.5;
