import { decodeHTML } from 'entities';
import type { FeedConfig, Llm, Utm } from '../config/schema.js';
import { HerautError, errorMessage } from '../errors.js';
import type { Article } from '../feeds/article.js';
import type { Logger } from '../log.js';
import type { Facet, PlatformId } from '../platforms/platform.js';
import { platformSpec } from '../platforms/registry.js';
import { askLlm, type ChatMessage, type LlmTeaser } from './ask-llm.js';
import { llmHookProblem, VOICE_EXAMPLE } from './check-llm-hook.js';
import { composeHook, compressKeepingConsequence, HOOK_MAX } from './compose-hook.js';
import { articleLanguage } from './detect-language.js';
import { extractHook } from './extract-hook.js';
import { DEFAULT_TEMPLATE, fitTeaser, measureFor, overflowOf, type TeaserDraft } from './fit-teaser.js';
import { cleanInline, dominantApostrophe, graphemes, primaryLanguage, unifyApostrophes } from './fold-text.js';
import { applyFrenchTypography } from './french-typography.js';
import { isSingleEmoji, pickEmojis, DEFAULT_MAX_EMOJIS } from './pick-emojis.js';
import { isValidHashtag, pickHashtags } from './pick-hashtags.js';
import { postedLink } from './posted-link.js';
import { splitSentences } from './split-sentences.js';
import type { Teaser, WriterId } from './teaser.js';

export interface TeaserContext {
  feed: FeedConfig;
  llm?: Llm;
  log?: Logger;
  fetch?: typeof fetch;
}

export type Teasers = Partial<Record<PlatformId, Teaser>>;

interface Base {
  sentences: string[];
  title: string;
  summary: string;
  emojis: string[];
  hashtags: string[];
  langs: string[];
}

function typeset(language: string | undefined, feed: Pick<FeedConfig, 'typography'>, text: string): string {
  const primary = primaryLanguage(language);
  return primary === 'fr' || (!primary && feed.typography === 'fr') ? applyFrenchTypography(text) : text;
}

// A body encoded twice keeps "r&eacute;seau" after parsing; what the teaser reads (hook, names, tags) is decoded once more.
const ENTITY = /&[#\p{L}\p{N}]+;/u;
const readable = (text: string) => (ENTITY.test(text) ? decodeHTML(text) : text);

function prepare(source: Article, feed: FeedConfig, room = HOOK_MAX): Base {
  const language = articleLanguage(source);
  const article = { ...source, language, content: readable(source.content), sections: source.sections.map((section) => ({ ...section, text: readable(section.text) })) };
  const whole = [article.title, article.summary, article.content].join('\n');
  const hook = composeHook(article, feed, room);
  const apostrophe = dominantApostrophe(hook.sentences.join(' '), whole);
  const sentences = hook.sentences.map((s) => typeset(language, feed, unifyApostrophes(s, apostrophe)));
  const hookText = sentences.join(' ');
  const categories = article.categories.map(cleanInline);
  const emojis = pickEmojis([hook.title, hookText].join('\n'), language, feed, hookText, hook.titleEmoji, categories.join(', '));
  return {
    sentences,
    title: typeset(language, feed, hook.title),
    summary: typeset(language, feed, cleanInline(article.summary)),
    emojis,
    hashtags: pickHashtags({ text: hook.subject, categories, language, hook: hookText, article: whole }, feed),
    langs: language ? [language] : [],
  };
}

function templateFor(feed: FeedConfig, platform: PlatformId): string | undefined {
  const template = feed.template;
  if (template === undefined) return undefined;
  if (typeof template === 'string') return template;
  return template[platform] ?? template.default ?? DEFAULT_TEMPLATE;
}

function assertValid(teaser: Teaser, article: Article): Teaser {
  if (teaser.length.valid) return teaser;
  throw new HerautError(
    'teaser-invalid',
    `no ${teaser.platform} teaser fits for ${article.link}: ${describeLength(teaser)}; the link itself is too long for ${teaser.platform}, shorten it in the feed`,
    { details: { article: article.key, length: teaser.length } },
  );
}

function describeLength(teaser: Pick<Teaser, 'platform' | 'length'>): string {
  return platformSpec(teaser.platform).describeLength(teaser.length);
}

function draftFrom(article: Article, base: Base, writer: WriterId, template?: string): TeaserDraft {
  return {
    sentences: base.sentences,
    title: base.title,
    emojis: base.emojis,
    hashtags: base.hashtags,
    link: postedLink(article.link),
    langs: base.langs,
    writer,
    template,
    summary: base.summary,
    author: article.author ? cleanInline(article.author) : '',
    feed: article.feedId,
  };
}

/** The offline writer: hook from the article's own sentences, emojis and hashtags from dictionaries. Deterministic. */
export function writeExtractiveTeasers(article: Article, platforms: PlatformId[], feed: FeedConfig): Teasers {
  return writeOffline(article, platforms, feed, 'extractive');
}

/** feed.template filled with {title} {hook} {summary} {emojis} {hashtags} {link} {author} {feed}, fitted like the extractive writer. */
export function writeTemplateTeasers(article: Article, platforms: PlatformId[], feed: FeedConfig): Teasers {
  return writeOffline(article, platforms, feed, 'template');
}

function writeOffline(article: Article, platforms: PlatformId[], feed: FeedConfig, writer: 'extractive' | 'template'): Teasers {
  let base = prepare(article, feed);
  let common = writer === 'extractive' ? commonDraft(draftFrom(article, base, writer), platforms) : undefined;
  // A long link leaves less room than HOOK_MAX: the why is chosen again to fit, rather than dropped.
  if (writer === 'extractive' && base.sentences.length > 1 && (common?.sentences.length ?? 0) < 2) {
    const room = hookRoom(draftFrom(article, base, writer), platforms);
    if (room < HOOK_MAX) {
      const again = prepare(article, feed, room);
      const draft = commonDraft(draftFrom(article, again, writer), platforms);
      if (draft && draft.sentences.length >= 2) [base, common] = [again, draft];
    }
  }
  const out: Teasers = {};
  for (const platform of platforms) {
    const template = writer === 'template' ? (templateFor(feed, platform) ?? DEFAULT_TEMPLATE) : undefined;
    out[platform] = assertValid(fitTeaser(common ?? draftFrom(article, base, writer, template), platform), article);
  }
  return out;
}

// Fewer decorations before fewer sentences: the why is worth more than a third hashtag or a second emoji.
const DECORATIONS: Array<[hashtags: number, emojis: number]> = [
  [Infinity, Infinity],
  [2, 2],
  [2, 1],
];

/** The longest hook every platform takes whole beside two hashtags and one emoji, in plain characters, with a margin for wide ones. */
function hookRoom(draft: TeaserDraft, platforms: PlatformId[]): number {
  const fits = (size: number) =>
    // Two sentences (a fact and its why) of at least one letter and a full stop each, kept whole by every platform.
    size >= 4 &&
    platforms.every((platform) => {
      const half = Math.floor(size / 2);
      const candidate = { ...draft, sentences: [`${'x'.repeat(half - 1)}.`, `${'x'.repeat(size - half - 2)}.`], hashtags: draft.hashtags.slice(0, 2), emojis: draft.emojis.slice(0, 1) };
      const teaser = fitTeaser(candidate, platform, { cut: false });
      return teaser.length.valid && teaser.hook === candidate.sentences.join(' ') && teaser.hashtags.length === candidate.hashtags.length;
    });
  let [low, high] = [0, HOOK_MAX];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return Math.max(0, low - 6);
}

/** The richest draft that every platform takes whole, so X and Bluesky say the same thing; undefined when none does. */
function commonDraft(draft: TeaserDraft, platforms: PlatformId[]): TeaserDraft | undefined {
  // No platform takes 300 characters of hook whole: leave such a draft to the fitter's ladder at once.
  if ((draft.sentences[0] ?? '').length > 300) return undefined;
  // A compressed why before no why at all.
  const compressed = draft.sentences.map(compressKeepingConsequence);
  const variants = compressed.join(' ') === draft.sentences.join(' ') ? [draft.sentences] : [draft.sentences, compressed];
  for (let count = draft.sentences.length; count >= 1; count--) {
    for (const [sentences, [hashtags, emojis]] of variants.flatMap((v) => DECORATIONS.map((d) => [v, d] as const))) {
      const candidate = { ...draft, sentences: sentences.slice(0, count), hashtags: draft.hashtags.slice(0, hashtags), emojis: draft.emojis.slice(0, emojis) };
      const whole = platforms.every((platform) => {
        const teaser = fitTeaser(candidate, platform, { cut: false });
        return teaser.length.valid && teaser.hook === candidate.sentences.join(' ') && teaser.hashtags.length === candidate.hashtags.length && teaser.emojis.length === candidate.emojis.length;
      });
      if (whole) return candidate;
    }
  }
  return undefined;
}

function languageName(language: string | undefined): string {
  const primary = primaryLanguage(language);
  if (!primary) return 'the language of the article';
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(primary) ?? primary;
  } catch {
    return primary;
  }
}

function promptFor(article: Article, feed: FeedConfig, platforms: PlatformId[]): ChatMessage[] {
  const language = languageName(article.language);
  const section = extractHook(article, feed);
  const body = [article.summary, ...article.sections.map((s) => `${s.heading}\n${s.text}`), article.sections.length ? '' : article.content]
    .filter(Boolean)
    .join('\n\n')
    .slice(0, 4000);
  const max = Math.min(DEFAULT_MAX_EMOJIS, feed.emojis?.max ?? DEFAULT_MAX_EMOJIS);
  return [
    {
      role: 'system',
      content:
        `You write the teaser posted on ${platforms.map((id) => platformSpec(id).label).join(' and ')} for a new article, as the site's social-media editor. Write in ${language}. ` +
        `The hook is at most ${HOOK_MAX} characters: the key fact with its name and figure, then why it matters, then a short punchline if there is room; ` +
        'no link, no hashtags, no emojis inside it; never "the article explains…". Use only names and figures that are in the article. ' +
        'Keep every apostrophe, accent and quotation mark exactly as written in the language. ' +
        `The site's voice, for an article on John Schulman leaving Anthropic:\n${VOICE_EXAMPLE}\n` +
        `Answer only with JSON: {"hook": string, "emojis": [1 to ${max} emojis tied to the subject, no filler such as 🚀 ✨ 🔥], "hashtags": [2 or 3 words without #: the topic, then organisations, products or laws named in the hook]}.`,
    },
    {
      role: 'user',
      content: `Title: ${article.title}\nLead: ${section.sentences.join(' ')}\n\n${body}`,
    },
  ];
}

function draftFromLlm(article: Article, base: Base, answer: LlmTeaser, feed: FeedConfig): TeaserDraft {
  const sentences = splitSentences(answer.hook, article.language).map((s) => typeset(article.language, feed, s));
  const max = Math.min(DEFAULT_MAX_EMOJIS, feed.emojis?.max ?? DEFAULT_MAX_EMOJIS);
  const emojis = [...new Set(answer.emojis.map((e) => e.trim().normalize('NFC')).filter(isSingleEmoji))].slice(0, max);
  const hookText = sentences.join(' ');
  const hashtags = answer.hashtags.length
    ? pickHashtags({ text: '', categories: [], suggested: answer.hashtags, language: article.language, hook: hookText }, feed)
    : base.hashtags;
  return { ...draftFrom(article, base, 'llm'), sentences, emojis: emojis.length || max === 0 ? emojis : base.emojis, hashtags };
}

function fitAll(draft: TeaserDraft, platforms: PlatformId[]): { teasers: Teasers; overflow: number; worst?: Teaser } {
  const teasers: Teasers = {};
  let overflow = 0;
  let worst: Teaser | undefined;
  for (const platform of platforms) {
    const teaser = fitTeaser(draft, platform, { cut: false });
    teasers[platform] = teaser;
    const over = overflowOf(teaser.length);
    if (over > overflow) {
      overflow = over;
      worst = teaser;
    }
  }
  return { teasers, overflow, worst };
}

async function writeLlmTeasers(article: Article, platforms: PlatformId[], context: TeaserContext): Promise<Teasers> {
  const { feed, llm } = context;
  const log = context.log?.child({ feed: feed.id, article: article.key });
  const fallback = (reason: string) => {
    log?.warn({ reason, writer: 'llm' }, 'llm writer failed; using the extractive writer');
    return writeExtractiveTeasers(article, platforms, feed);
  };
  if (!llm) return fallback('no llm endpoint configured; add llm: { baseUrl, model, apiKeyEnv } to the config');
  const base = prepare(article, feed);
  const localized = { ...article, language: base.langs[0] };
  const messages = promptFor(localized, feed, platforms);
  try {
    let answer = await askLlm(llm, messages, context.fetch);
    let fitted = fitAll(draftFromLlm(localized, base, answer, feed), platforms);
    if (fitted.overflow > 0 && fitted.worst) {
      log?.info({ overflow: fitted.overflow, platform: fitted.worst.platform }, 'llm teaser too long; asking again');
      messages.push(
        { role: 'assistant', content: JSON.stringify(answer) },
        {
          role: 'user',
          content: `That teaser is ${fitted.overflow} characters too long for ${platformSpec(fitted.worst.platform).label} (${describeLength(fitted.worst)}). Shorten the hook by at least ${fitted.overflow + 10} characters and answer with the same JSON.`,
        },
      );
      answer = await askLlm(llm, messages, context.fetch);
      fitted = fitAll(draftFromLlm(localized, base, answer, feed), platforms);
      if (fitted.overflow > 0) return fallback(`the second answer is still ${fitted.overflow} characters too long`);
    }
    const problem = llmHookProblem(answer.hook, article, localized.language);
    return problem ? fallback(problem) : fitted.teasers;
  } catch (error) {
    return fallback(errorMessage(error));
  }
}

/** Teasers for the given platforms with the feed's writer (default extractive); the llm writer falls back to extractive with a warning. */
export async function writeTeasers(article: Article, platforms: PlatformId[], context: TeaserContext): Promise<Teasers> {
  const writer = context.feed.writer ?? 'extractive';
  if (writer === 'llm') return writeLlmTeasers(article, platforms, context);
  if (writer === 'template') return writeTemplateTeasers(article, platforms, context.feed);
  return writeExtractiveTeasers(article, platforms, context.feed);
}

const HASHTAG_IN_TEXT = /(?<![\p{L}\p{M}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]+)/gu;

/**
 * Checks a text a person edited against the platform's limits and rebuilds what goes with it:
 * hashtags, emojis and, for platforms with facets, facets for the link (shown whole or shortened) and the hashtags.
 */
export function checkEditedTeaser(platform: PlatformId, text: string, link: string, langs: string[], writer: WriterId = 'extractive'): Teaser {
  const length = measureFor(platform, text);
  if (!text.trim()) throw new HerautError('teaser-invalid', `the edited ${platform} teaser is empty; write a text that contains the link ${link}`);
  if (!length.valid) {
    throw new HerautError('teaser-invalid', `the edited ${platform} teaser is too long: ${describeLength({ platform, length })}; shorten it`, { details: { length } });
  }
  const spec = platformSpec(platform);
  const shown = [link, spec.showLink(link)].find((candidate) => text.includes(candidate));
  if (!shown) {
    throw new HerautError('teaser-invalid', `the edited ${platform} teaser does not contain the article's link; put ${link} back in the text`);
  }
  return { ...describeText(platform, text, link, shown, langs, writer), length, edited: true };
}

/** Hashtags, emojis and, for Bluesky, the facets of a finished text whose link is shown as `shown`. */
function describeText(platform: PlatformId, text: string, link: string, shown: string, langs: string[], writer: WriterId): Omit<Teaser, 'length'> {
  const linkStart = text.lastIndexOf(shown);
  const linkEnd = linkStart + shown.length;
  // Facets count UTF-8 bytes, not the string's UTF-16 positions.
  const facetOver = (start: number, end: number, feature: Facet['features'][number]): Facet => ({
    index: { byteStart: Buffer.byteLength(text.slice(0, start), 'utf8'), byteEnd: Buffer.byteLength(text.slice(0, end), 'utf8') },
    features: [feature],
  });
  const facets: Facet[] = [facetOver(linkStart, linkEnd, { $type: 'app.bsky.richtext.facet#link', uri: link })];
  const hashtags: string[] = [];
  for (const match of text.matchAll(HASHTAG_IN_TEXT)) {
    const start = match.index;
    const end = start + match[0].length;
    const tag = match[1];
    if ((start < linkEnd && end > linkStart) || !isValidHashtag(tag)) continue;
    hashtags.push(tag);
    facets.push(facetOver(start, end, { $type: 'app.bsky.richtext.facet#tag', tag }));
  }
  facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
  return {
    platform,
    text,
    link,
    hashtags,
    emojis: [...new Set(graphemes(text).filter(isSingleEmoji))],
    langs: langs.slice(0, 3),
    ...(platformSpec(platform).facets ? { facets } : {}),
    writer,
  };
}

/** The teaser with an account's utm on its link (text and Bluesky facets follow); unchanged if it would no longer fit. */
export function withUtm(teaser: Teaser, utm: Utm): Teaser {
  const link = postedLink(teaser.link, utm);
  const show = (url: string) => platformSpec(teaser.platform).showLink(url);
  const at = teaser.text.lastIndexOf(show(teaser.link));
  if (link === teaser.link || at < 0) return teaser;
  const text = teaser.text.slice(0, at) + show(link) + teaser.text.slice(at + show(teaser.link).length);
  const length = measureFor(teaser.platform, text);
  if (!length.valid) return teaser;
  return { ...teaser, ...describeText(teaser.platform, text, link, show(link), teaser.langs, teaser.writer), emojis: teaser.emojis, length };
}
