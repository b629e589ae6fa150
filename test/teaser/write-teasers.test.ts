import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Llm } from '../../src/config/schema.js';
import { measureBluesky } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { applyFrenchTypography } from '../../src/teaser/french-typography.js';
import { writeExtractiveTeasers, writeTeasers } from '../../src/teaser/write-teasers.js';
import { startLlmServer, type LlmServer } from '../support/llm-server.js';
import { makeArticle, makeFeed } from './make-article.js';

const article = makeArticle({
  link: 'https://news.example.com/2025/02/schulman',
  title: 'John Schulman quitte Anthropic',
  summary: 'John Schulman, co-fondateur d’OpenAI, quitte Anthropic après cinq mois. Son départ interroge l’industrie de l’IA.',
  categories: ['OpenAI'],
  language: 'fr',
  author: 'Marie Curie',
});

// The title states the fact; the summary's first sentence repeats it, its second says why it matters.
const HOOK = 'John Schulman quitte Anthropic. Son départ interroge l’industrie de l’IA.';

function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('template writer', () => {
  it('fills {title} {hook} {summary} {emojis} {hashtags} {link} {author} {feed}, per platform', async () => {
    const feed = makeFeed({
      writer: 'template',
      hashtags: ['IA'],
      template: { default: '{title} — {author} ({feed}) {emojis} {hashtags}\n{link}', x: '🗞️ {hook}\n\n{link}' },
    });
    const { x, bluesky } = await writeTeasers(article, ['x', 'bluesky'], { feed });
    expect(x!.text).toBe(`🗞️ ${HOOK}\n\n${article.link}`);
    expect(x!.writer).toBe('template');
    expect(x!.hashtags).toEqual([]);
    expect(bluesky!.text).toMatch(/^John Schulman quitte Anthropic — Marie Curie \(test\) \S+ #IA #Anthropic #OpenAI\nnews\.example\.com\/2025\/02\/schu…$/u);
    const text = Buffer.from(bluesky!.text, 'utf8');
    expect(bluesky!.facets!.map((f) => text.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8'))).toEqual(['#IA', '#Anthropic', '#OpenAI', 'news.example.com/2025/02/schu…']);
  });

  it('adds the link when the template forgets it, and leaves no double spaces for empty parts', async () => {
    const feed = makeFeed({ writer: 'template', template: '{hook} {author} {emojis} {hashtags}', emojis: { max: 0 }, maxHashtags: 0 });
    const { x } = await writeTeasers({ ...article, author: undefined }, ['x'], { feed });
    expect(x!.text).toBe(`${HOOK}\n\n${article.link}`);
  });

  it('shortens {summary} first when a template is too long', async () => {
    const long = `${'Une phrase longue et détaillée sur le sujet. '.repeat(12)}`;
    const feed = makeFeed({ writer: 'template', template: '{title}: {summary}\n{link}' });
    const { x, bluesky } = await writeTeasers({ ...article, summary: long }, ['x', 'bluesky'], { feed });
    expect(x!.text.startsWith('John Schulman quitte Anthropic: Une phrase')).toBe(true);
    expect(measureX(x!.text).valid).toBe(true);
    expect(measureBluesky(bluesky!.text).valid).toBe(true);
    expect(x!.text).toMatch(/(sujet\.|…)\n/u);
  });
});

describe('llm writer (against a local OpenAI-compatible server)', () => {
  let server: LlmServer;
  const env = 'HERAUT_TEST_LLM_KEY';
  beforeAll(async () => {
    server = await startLlmServer();
    process.env[env] = 'sk-test-secret';
  });
  afterAll(async () => {
    await server.close();
    delete process.env[env];
  });
  const llm = () => Llm.parse({ baseUrl: server.baseUrl, model: 'tiny', apiKeyEnv: env, timeout: '5s' });
  const feed = makeFeed({ writer: 'llm', hashtags: ['IA'] });
  const good = { hook: 'John Schulman quitte Anthropic après cinq mois : l’IA perd un pionnier d’OpenAI.', emojis: ['🤖', '🚪', 'not-an-emoji'], hashtags: ['OpenAI', 'Talents IA'] };

  it('uses a good answer: hook, emojis, hashtags in the article’s language, apostrophes kept', async () => {
    const before = server.requests.length;
    server.reply({ content: JSON.stringify(good) });
    const { log, lines } = captureLog();
    const { x, bluesky } = await writeTeasers(article, ['x', 'bluesky'], { feed, llm: llm(), log });
    expect(x!.writer).toBe('llm');
    // French by default gets French typography: a narrow no-break space before ":".
    const hook = applyFrenchTypography(good.hook);
    expect(x!.hook).toBe(hook);
    expect(x!.emojis).toEqual(['🤖', '🚪']);
    expect(x!.hashtags).toEqual(['IA', 'OpenAI', 'TalentsIA']);
    expect(x!.text).toBe(`${hook} 🤖🚪 #IA #OpenAI #TalentsIA\n\n${article.link}`);
    expect(bluesky!.text.startsWith(hook)).toBe(true);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(0);
    const request = server.requests[before];
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test-secret');
    expect(request.body.model).toBe('tiny');
    expect(request.body.messages![0].content).toMatch(/Write in French/u);
    expect(request.body.messages![1].content).toContain('d’OpenAI');
  });

  it('asks once more with the measured overflow when too long, then uses the shorter answer', async () => {
    const before = server.requests.length;
    const tooLong = { ...good, hook: `${'une très longue accroche qui ne tient pas '.repeat(8)}fin.` };
    server.reply({ content: JSON.stringify(tooLong) }, { content: `\`\`\`json\n${JSON.stringify(good)}\n\`\`\`` });
    const { x } = await writeTeasers(article, ['x', 'bluesky'], { feed, llm: llm() });
    expect(server.requests.length - before).toBe(2);
    const retry = server.requests[before + 1].body.messages!;
    expect(retry.at(-1)!.content).toMatch(/That teaser is \d+ characters too long for (X|Bluesky)/u);
    expect(retry.at(-2)!.role).toBe('assistant');
    expect(x!.writer).toBe('llm');
    expect(x!.hook).toBe(applyFrenchTypography(good.hook));
  });

  beforeEach(() => server.clear());

  it.each([
    ['garbage', [{ content: 'Sure! Here is a teaser: great news' }], /did not answer with JSON/u],
    ['JSON of the wrong shape', [{ content: '{"teaser": "x"}' }], /not \{hook, emojis, hashtags\}/u],
    ['HTTP 500', [{ status: 500 }], /answered HTTP 500/u],
    ['not a chat completion', [{ raw: '{"ok":true}' }], /no chat completion/u],
    ['still too long after asking again', [{ content: JSON.stringify({ ...good, hook: `${'trop long '.repeat(40)}.` }) }, { content: JSON.stringify({ ...good, hook: `${'encore trop long '.repeat(30)}.` }) }], /still \d+ characters too long/u],
  ] as const)('falls back to extractive with a warning on %s', async (_name, replies, reason) => {
    server.reply(...replies);
    const { log, lines } = captureLog();
    const teasers = await writeTeasers(article, ['x', 'bluesky'], { feed, llm: llm(), log });
    expect(teasers).toEqual(writeExtractiveTeasers(article, ['x', 'bluesky'], feed));
    const warning = lines.find((l) => l.level === 40)!;
    expect(warning.msg).toBe('llm writer failed; using the extractive writer');
    expect(warning.reason).toMatch(reason);
    expect(JSON.stringify(lines)).not.toContain('sk-test-secret');
  });

  it('falls back when the key variable is empty or no llm is configured', async () => {
    const { log, lines } = captureLog();
    const missing = Llm.parse({ baseUrl: server.baseUrl, model: 'tiny', apiKeyEnv: 'HERAUT_TEST_NO_SUCH_KEY' });
    const before = server.requests.length;
    expect((await writeTeasers(article, ['x'], { feed, llm: missing, log })).x!.writer).toBe('extractive');
    expect((await writeTeasers(article, ['x'], { feed, log })).x!.writer).toBe('extractive');
    expect(server.requests.length).toBe(before);
    expect(lines.map((l) => l.reason)).toEqual([expect.stringMatching(/HERAUT_TEST_NO_SUCH_KEY is empty/u), expect.stringMatching(/no llm endpoint/u)]);
  });

  it('falls back on a timeout', async () => {
    const hanging = Llm.parse({ baseUrl: 'http://127.0.0.1:9/v1', model: 'tiny', timeout: '200ms' });
    const { log, lines } = captureLog();
    const { x } = await writeTeasers(article, ['x'], { feed, llm: hanging, log });
    expect(x!.writer).toBe('extractive');
    expect(lines[0].reason).toMatch(/cannot reach/u);
  });
});

describe('writeTeasers', () => {
  it('defaults to the extractive writer and only writes the platforms asked for', async () => {
    const teasers = await writeTeasers(article, ['bluesky'], { feed: makeFeed() });
    expect(Object.keys(teasers)).toEqual(['bluesky']);
    expect(teasers.bluesky!.writer).toBe('extractive');
    expect(teasers.bluesky!.langs).toEqual(['fr']);
  });

  it('is deterministic', () => {
    const feed = makeFeed({ hashtags: ['IA'] });
    expect(writeExtractiveTeasers(article, ['x', 'bluesky'], feed)).toEqual(writeExtractiveTeasers(article, ['x', 'bluesky'], feed));
  });
});
