import { graphemeBoundaries } from '../graphemes.js';
import { compressSentence } from './compose-hook.js';
import type { Facet, PlatformId } from '../platforms/platform.js';
import { platformSpec } from '../platforms/registry.js';
import type { Teaser, TeaserLength, WriterId } from './teaser.js';

/** The seed's layout: hook, emojis and hashtags on one line, the link after a blank line. */
export const DEFAULT_TEMPLATE = '{hook} {emojis} {hashtags}\n\n{link}';

const PLACEHOLDER = /\{(title|hook|summary|emojis|hashtags|link|author|feed)\}/gu;

export interface TeaserDraft {
  /** Hook sentences in order; the second is the first thing dropped when too long. */
  sentences: string[];
  title: string;
  emojis: string[];
  hashtags: string[];
  /** The full URL; shown as each platform shows links (whole, or shortened with a facet to the full URL). */
  link: string;
  langs: string[];
  writer: WriterId;
  /** Layout with {title} {hook} {summary} {emojis} {hashtags} {link} {author} {feed}; default DEFAULT_TEMPLATE. */
  template?: string;
  summary?: string;
  author?: string;
  feed?: string;
}

export interface FitOptions {
  /** false: only drop the second sentence, extra hashtags and emojis; never shorten text (the LLM writer asks again instead). */
  cut?: boolean;
}

interface State {
  template: string;
  hook: string;
  emojis: string[];
  hashtags: string[];
  title: string;
  summary: string;
}

interface Rendered {
  text: string;
  facets: Facet[];
  valid: boolean;
}

export function measureFor(platform: PlatformId, text: string): TeaserLength {
  return platformSpec(platform).measure(text);
}

/** How far over the limit a measured text is (0 when it fits). */
export function overflowOf(length: TeaserLength): number {
  if (length.valid) return 0;
  const used = length.weighted ?? length.graphemes ?? 0;
  return Math.max(1, used - length.limit);
}

let lastShown = { platform: '', link: '', shown: '' };

function shownLink(platform: PlatformId, link: string): string {
  if (lastShown.platform !== platform || lastShown.link !== link) lastShown = { platform, link, shown: platformSpec(platform).showLink(link) };
  return lastShown.shown;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function render(state: State, platform: PlatformId, link: string, draft: TeaserDraft): Rendered {
  const spec = platformSpec(platform);
  let text = '';
  let bytes = 0;
  const facets: Facet[] = [];
  const append = (value: string) => {
    if (!value) return;
    text += value;
    bytes += utf8Length(value);
  };
  const appendLiteral = (literal: string) => {
    let value = literal;
    if (text === '') value = value.replace(/^\s+/u, '');
    else if (/[ \n]$/u.test(text)) value = value.replace(/^ +/u, '');
    if (value.startsWith('\n') && / +$/u.test(text)) {
      const trimmed = text.replace(/ +$/u, '');
      bytes -= text.length - trimmed.length;
      text = trimmed;
    }
    if (value.startsWith('\n') && text === '') value = value.replace(/^\n+/u, '');
    append(value);
  };
  const appendFaceted = (value: string, feature: Facet['features'][number]) => {
    const byteStart = bytes;
    append(value);
    if (spec.facets) facets.push({ index: { byteStart, byteEnd: bytes }, features: [feature] });
  };
  const values: Record<string, string> = {
    title: state.title,
    hook: state.hook,
    summary: state.summary,
    emojis: state.emojis.join(''),
    author: draft.author ?? '',
    feed: draft.feed ?? '',
  };
  let last = 0;
  for (const match of state.template.matchAll(PLACEHOLDER)) {
    appendLiteral(state.template.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1];
    if (name === 'link') {
      appendFaceted(shownLink(platform, link), { $type: 'app.bsky.richtext.facet#link', uri: link });
    } else if (name === 'hashtags') {
      state.hashtags.forEach((tag, i) => {
        if (i > 0) append(' ');
        appendFaceted(`#${tag}`, { $type: 'app.bsky.richtext.facet#tag', tag });
      });
    } else {
      append(values[name] ?? '');
    }
  }
  appendLiteral(state.template.slice(last));
  text = text.replace(/\s+$/u, '');
  return { text, facets, valid: spec.fits(text) };
}

const PAIRS: Record<string, string> = { '«': '»', '“': '”', '‘': '’', '(': ')', '[': ']', '{': '}', '（': '）', '「': '」', '『': '』', '„': '“' };
const CLOSERS = new Set(Object.values(PAIRS));

function lastUnclosedOpener(text: string): number {
  const stack: Array<{ char: string; index: number }> = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack[stack.length - 1];
    if (char === '"') {
      if (top?.char === '"') stack.pop();
      else stack.push({ char, index: i });
    } else if (PAIRS[char] && !(char === '“' && top?.char === '„')) {
      stack.push({ char, index: i });
    } else if (CLOSERS.has(char) && top && PAIRS[top.char] === char) {
      stack.pop();
    }
  }
  return stack.length ? stack[stack.length - 1].index : -1;
}

const DANGLING_END = /[\s,;:、，；：\-‐–—«“‘„"'’(\[{（「『/\\&·•|…+=*_~^]+$/u;
const SENTENCE_END = /[.!?。！？]["»”’)\]]*$/u;

type CutMode = 'space' | 'word' | 'grapheme';

/** A prefix made presentable: no dangling punctuation, no unclosed quote or bracket, "…" unless it ends a sentence. */
function tidyCut(prefix: string, mode: CutMode): string {
  let text = prefix;
  for (let i = 0; i < 32; i++) {
    text = text.replace(DANGLING_END, '');
    const opener = lastUnclosedOpener(text);
    if (opener < 0) break;
    let start = opener;
    if (mode === 'space') while (start > 0 && !/\s/u.test(text[start - 1])) start--;
    text = text.slice(0, start);
  }
  if (!text) return '';
  if (mode === 'space' && SENTENCE_END.test(text)) return text;
  return `${text}…`;
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

function cutPoints(text: string, mode: CutMode): number[] {
  const points: number[] = [];
  if (mode === 'space') {
    for (let i = 1; i < text.length; i++) if (/\s/u.test(text[i]) && !/\s/u.test(text[i - 1])) points.push(i);
  } else {
    if (mode === 'grapheme') return graphemeBoundaries(text);
    for (const { index } of wordSegmenter.segment(text)) if (index > 0) points.push(index);
  }
  return points;
}

/** The longest tidy prefix of `text`, cut at a `mode` boundary, that `fits`; undefined when none does. */
function cutToFit(text: string, mode: CutMode, fits: (candidate: string) => boolean): string | undefined {
  const points = cutPoints(text, mode);
  let lo = 0;
  let hi = points.length - 1;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = tidyCut(text.slice(0, points[mid]), mode);
    if (candidate === '') {
      lo = mid + 1;
    } else if (fits(candidate)) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

function finish(draft: TeaserDraft, platform: PlatformId, state: State, rendered: Rendered): Teaser {
  const uses = (name: string) => state.template.includes(`{${name}}`);
  return {
    platform,
    text: rendered.text,
    link: draft.link,
    hashtags: uses('hashtags') ? state.hashtags : [],
    emojis: uses('emojis') ? state.emojis : [],
    langs: draft.langs.slice(0, 3),
    ...(platformSpec(platform).facets ? { facets: rendered.facets } : {}),
    length: measureFor(platform, rendered.text),
    writer: draft.writer,
    hook: uses('hook') ? state.hook : undefined,
  };
}

/**
 * Fits a draft to one platform. Ladder: drop the second sentence, then hashtags beyond 2, then emojis beyond 1,
 * then shorten the summary and the hook at a word boundary with "…"; last resorts cut the title, then graphemes.
 * The link is never dropped.
 */
export function fitTeaser(draft: TeaserDraft, platform: PlatformId, options: FitOptions = {}): Teaser {
  let template = draft.template ?? DEFAULT_TEMPLATE;
  if (!template.includes('{link}')) template = `${template.trimEnd()}\n\n{link}`;
  const link = draft.link;
  const sentences = draft.sentences.filter(Boolean);
  let state: State = {
    template,
    hook: sentences.join(' '),
    emojis: draft.emojis,
    hashtags: draft.hashtags,
    title: draft.title,
    summary: draft.summary ?? '',
  };
  const attempt = (s: State) => render(s, platform, link, draft);
  const full = attempt(state);
  // Sentences are compressed, then go from the end (the punchline, then the why), before any hashtag or emoji.
  const compressed = options.cut === false ? sentences : sentences.map(compressSentence);
  const steps: Array<(s: State) => State> = [
    (s) => ({ ...s, hook: compressed.join(' ') }),
    ...sentences.slice(1).map((_, i) => (s: State) => ({ ...s, hook: compressed.slice(0, sentences.length - 1 - i).join(' ') })),
    (s) => ({ ...s, hashtags: s.hashtags.slice(0, 2) }),
    (s) => ({ ...s, emojis: s.emojis.slice(0, 1) }),
  ];
  if (full.valid) return finish(draft, platform, state, full);
  for (const step of steps) {
    state = step(state);
    const rendered = attempt(state);
    if (rendered.valid) return finish(draft, platform, state, rendered);
  }
  if (options.cut === false) return finish(draft, platform, { ...state, hook: sentences.join(' '), emojis: draft.emojis, hashtags: draft.hashtags }, full);

  type Key = 'hook' | 'summary' | 'title';
  const fitsWith = (key: Key, base: State) => (candidate: string) => attempt({ ...base, [key]: candidate }).valid;
  const done = (next: State) => {
    state = next;
    return finish(draft, platform, state, attempt(state));
  };

  if (template.includes('{summary}') && state.summary) {
    const summary = cutToFit(state.summary, 'space', fitsWith('summary', state));
    if (summary) return done({ ...state, summary });
    state = { ...state, summary: '' };
    if (attempt(state).valid) return done(state);
  }
  for (const mode of ['space', 'word'] as const) {
    const hook = state.hook && cutToFit(state.hook, mode, fitsWith('hook', state));
    if (hook) return done({ ...state, hook });
  }
  const usesTitle = template.includes('{title}');
  const title = draft.title;
  if (title) {
    const base = usesTitle ? { ...state, hook: '' } : state;
    const key: Key = usesTitle ? 'title' : 'hook';
    for (const mode of ['space', 'word', 'grapheme'] as const) {
      const cut = cutToFit(title, mode, fitsWith(key, base));
      if (cut) return done({ ...base, [key]: cut });
    }
  }
  // Last resorts: the seed layout with nothing but a grapheme-cut hook, then the link alone.
  state = { template: DEFAULT_TEMPLATE, hook: '', emojis: [], hashtags: [], title: '', summary: '' };
  const source = title || sentences.join(' ');
  const hook = source ? cutToFit(source, 'grapheme', fitsWith('hook', state)) : undefined;
  return done({ ...state, hook: hook ?? '' });
}
