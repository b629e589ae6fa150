import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/feeds/article.js';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';
import { measureBluesky, shortenLinkForDisplay } from '../../src/platforms/bluesky/bluesky-limits.js';
import { measureX } from '../../src/platforms/x/x-limits.js';
import { writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeArticle, makeFeed } from './make-article.js';

// From explainers-train.expect.md: the figure or name of the key fact each hook must carry, by slug.
const KEY_FACTS: Record<string, string[]> = {
  'sipearl-nvidia-accord-gpu-supercalculateurs': ['SiPearl', 'Nvidia'],
  'ai-coding-assistants-security-flaws-eth-zurich': ['1.7', 'ETH Zurich'],
  'ia-correction-copies-bac-experimentation': ['18 000'],
  'aesia-primera-multa-deepfakes-pulsa-media': ['3,2 millones', 'AESIA'],
  'mistral-ai-leve-1-5-milliard-euros': ['1,5 milliard', 'Mistral AI'],
  'ma-voix-mon-droit-comediens-doubleurs-clonage-vocal': ['15 000', '#MaVoixMonDroit'],
  'tsmc-arizona-nvidia-rubin-gpu-production': ['TSMC', 'Nvidia Rubin'],
  'edf-contrat-nucleaire-centres-de-donnees-15-ans': ['EDF', '1,2 GW', '15 ans'],
  'bsc-alia-2-modelo-abierto-lenguas-espana': ['ALIA-2', '70.000 millones'],
  omnibus: ['RGPD', 'Omnibus'],
  'nhs-england-ai-stroke-triage-national-rollout': ['NHS England', '14 minutes'],
  'thomas-keller-quitte-anthropic-pour-mistral-ai': ['Thomas Keller', 'Mistral AI', 'Anthropic'],
  'kyutai-sonal-modele-vocal-open-source-smartphone': ['Kyutai', 'Sonal'],
  'tutorin-edtech-mexicana-levanta-25-millones': ['Tutorín', '25 millones'],
  'cnil-amende-parlio-assistant-vocal': ['CNIL', '12 millions', 'Parlio'],
  'ai2-olmo-4-fully-open-model-training-data': ['OLMo 4'],
  'fos-sur-mer-campus-centres-de-donnees-1-4-gw': ['1,4 GW', 'Fos-sur-Mer'],
  'ap-hp-ia-depistage-cancer-du-sein': ['20 %', 'AP-HP'],
  'inria-filigranes-ia-effaces-95-pour-cent': ['95 %', 'Inria'],
  'iea-data-centres-electricity-ai-report': ['2.1%', 'IEA'],
};
const LANGUAGES: Record<string, string> = { 'ai-coding': 'en', tsmc: 'en', 'nhs-england': 'en', ai2: 'en', iea: 'en', aesia: 'es', bsc: 'es', tutorin: 'es' };

const BOILERPLATE = /Récapitulatif|Point de vue|Punto de vista|Resumen factual|Factual summary|Neutral view|Article en référence|Redirection|cliquez|Lire la suite|Leer más|Read more|Maya Okafor|Explainers IA|&(amp|#\d+|[a-z]+);/iu;

const feedFile = new URL('../fixtures/explainers/explainers-train.rss', import.meta.url);
const { articles } = await parseFeedDocument(readFileSync(feedFile), { feedId: 'explainers', feedUrl: 'https://explainers-ia.fr/feed/' });
const feed = makeFeed({ hashtags: ['IA'] });
const slugOf = (article: Article) => Object.keys(KEY_FACTS).find((slug) => article.link.includes(slug))!;
// Spaces inside figures may be no-break: compare with plain spaces.
const plain = (text: string) => text.replace(/[\u00A0\u202F]/gu, ' ');

function checkTeasers(article: Article, facts: string[], language: string): void {
  const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], feed);
  // One hook for both platforms, carrying the key fact's figure or name, whole sentences only.
  expect(bluesky!.hook).toBe(x!.hook);
  const hook = x!.hook!;
  for (const fact of facts) expect(plain(hook), `hook lacks "${fact}"`).toContain(fact);
  expect(hook).not.toContain('…');
  expect(hook).toMatch(/[.!?]$/u);
  expect(x!.text).not.toMatch(BOILERPLATE);
  expect(x!.langs).toEqual([language]);
  // Topic tag first in the article's language, 2-3 tags counting those in the hook, none repeated, no all-caps word.
  const inline = hook.match(/#[\p{L}\p{N}_]+/gu) ?? [];
  expect(x!.hashtags[0]).toBe(language === 'en' ? 'AI' : 'IA');
  expect(x!.hashtags.length + inline.length).toBeGreaterThanOrEqual(2);
  expect(x!.hashtags.length + inline.length).toBeLessThanOrEqual(3);
  for (const tag of x!.hashtags) {
    expect(inline.map((t) => t.slice(1).toLowerCase())).not.toContain(tag.toLowerCase());
    if (/^[\p{Lu}\p{N}]+$/u.test(tag)) expect(tag.replace(/\p{N}/gu, '').length, tag).toBeLessThanOrEqual(5);
  }
  expect(x!.emojis.length).toBeGreaterThanOrEqual(1);
  expect(x!.emojis.length).toBeLessThanOrEqual(3);
  // Typography follows the language: French spaces before : ; ! ? only in French.
  if (language === 'fr') expect(hook).not.toMatch(/[^\u202F\u00A0][:;!?](\s|$)/u);
  else expect(hook).not.toMatch(/\s[:;!?](\s|$)/u);
  // The posted link has no utm_*; both texts fit.
  expect(x!.link).not.toContain('utm_');
  expect(x!.text.endsWith(x!.link)).toBe(true);
  expect(measureX(x!.text).valid).toBe(true);
  expect(measureBluesky(bluesky!.text).valid).toBe(true);
  // Bluesky's text holds the link as shown, and only that counts.
  expect(bluesky!.text.endsWith(shortenLinkForDisplay(bluesky!.link))).toBe(true);
  // The second sentence says why it matters, not the fact's figure again.
  const [first, second] = bluesky!.hook!.split(/(?<=[.!?])\s+(?=\p{Lu})/u);
  const figures = (text: string) => text.replace(/(\p{Lu}[\p{L}-]*)\s\p{N}+/gu, '$1').match(/(?<![\p{L}\p{N}-])\p{N}+(?:[.,\u00A0\u202F ]\p{N}+)*/gu) ?? [];
  if (second) for (const figure of figures(second)) expect(figures(first!), second).not.toContain(figure);
  // No French or accented spelling the article does not use, no filler tag beside an entity.
  for (const tag of x!.hashtags) if (language === 'en' && /[^\p{ASCII}]/u.test(tag)) expect(plain(article.summary + article.content)).toContain(tag);
  if (x!.hashtags.length > 2) expect(x!.hashtags.map((t) => t.toLowerCase())).not.toContainEqual(expect.stringMatching(/^(research|culture|tech|innovation)$/u));
}

describe('teasers of the 20 training explainers', () => {
  it('covers every item', () => {
    expect(articles.map(slugOf).filter(Boolean)).toHaveLength(20);
  });

  for (const article of articles) {
    const slug = slugOf(article);
    it(slug, () => checkTeasers(article, KEY_FACTS[slug]!, Object.entries(LANGUAGES).find(([prefix]) => slug.startsWith(prefix))?.[1] ?? 'fr'));
  }

  it('keeps the no-break spaces of French figures that reach it', () => {
    // The feed parser turns them into plain spaces today (see the report); the writer must not be the one to lose them.
    const mistral = makeArticle({ title: 'Mistral AI lève 1,5\u00A0milliard d’euros et vise 12\u202F000 GPU en France', summary: 'La start-up parisienne est désormais valorisée 28\u00A0milliards d’euros.', language: 'fr' });
    const hook = writeExtractiveTeasers(mistral, ['x'], feed).x!.hook!;
    // The valuation is one more figure, not why it matters: the title stands alone.
    expect(hook).toBe('Mistral AI lève 1,5\u00A0milliard d’euros et vise 12\u202F000 GPU en France.');
  });
});

// Written after the tuning, never tuned on: the same checks on explainers heraut had not seen.
describe('teasers of the hold-out explainers', async () => {
  const holdout = await parseFeedDocument(readFileSync(new URL('../fixtures/explainers/explainers-holdout.rss', import.meta.url)), { feedId: 'explainers', feedUrl: 'https://explainers-ia.fr/feed/' });
  const cases: Array<[string, string[], string]> = [
    ['sncf', ['SNCF', '3 000'], 'fr'],
    ['denmark', ['Denmark', '94 to 12'], 'en'],
    ['chile', ['LatamGPT-2', '40.000 millones'], 'es'],
  ];
  for (const [slug, facts, language] of cases) {
    it(slug, () => checkTeasers(holdout.articles.find((a) => a.link.includes(slug))!, facts, language));
  }
});

// Six explainers written for the voice work (2 fr, 2 en, 2 es), never tuned on word by word: the fact, and a why that adds to it.
describe('teasers of the dev explainers', async () => {
  const dev = await parseFeedDocument(readFileSync(new URL('../fixtures/explainers/explainers-dev.rss', import.meta.url)), { feedId: 'explainers', feedUrl: 'https://explainers-ia.fr/feed/' });
  const cases: Array<[string, string[], string]> = [
    ['meteo-france', ['Météo-France', '48 heures'], 'fr'],
    ['la-poste', ['La Poste', '3 200'], 'fr'],
    ['ontario', ['Ontario'], 'en'],
    ['kenya', ['M-Afya', '2 million'], 'en'],
    ['uruguay', ['Uruguay', '71 votos a 18'], 'es'],
    ['bogota', ['Bogotá', '92 %'], 'es'],
  ];
  for (const [slug, facts, language] of cases) {
    it(slug, () => {
      const article = dev.articles.find((a) => a.link.includes(slug))!;
      checkTeasers(article, facts, language);
      // Every dev hook says why it matters in a second sentence that is not a restatement of the first.
      const [first, second] = writeExtractiveTeasers(article, ['bluesky'], feed).bluesky!.hook!.split(/(?<=[.!?])\s+(?=\p{Lu})/u);
      expect(second, first).toBeDefined();
      expect(second).not.toMatch(/^(il|elle|it|they|ellos?)\s/iu);
    });
  }
});

// Scored blind before the fourth pass (explainers-fresh.expect.md): the key fact's figure or name, whatever the title gives.
describe('teasers of the fresh explainers', async () => {
  const fresh = await parseFeedDocument(readFileSync(new URL('../fixtures/explainers/explainers-fresh.rss', import.meta.url)), { feedId: 'explainers', feedUrl: 'https://explainers-ia.fr/feed/' });
  const cases: Array<[string, string[], string]> = [
    ['lyon-feux-tricolores', ['Lyon', '12 lignes'], 'fr'],
    ['marlow-finch', ['Marlow & Finch', '38,000'], 'en'],
    // The title names neither figure: 58 → 47 comes from the summary.
    ['medellin-red-autobuses', ['Medellín', '58 a 47 minutos'], 'es'],
    // The subtitle's "Un outil de prévision" is named as the article names it.
    ['vignerons-bordelais', ['Vitalerte', '38 000'], 'fr'],
    ['world-rugby', ['World Rugby', '31%'], 'en'],
    ['hospital-miguel-servet', ['Miguel Servet', '23 %'], 'es'],
    ['sacem-accord-licence', ['Sacem'], 'fr'],
    // The title names no figure: 23,000 and 40% come from the subtitle.
    ['central-bank-ireland', ['23,000', '40%'], 'en'],
  ];
  it('covers every item', () => expect(fresh.articles.map((a) => cases.find(([slug]) => a.link.includes(slug))).filter(Boolean)).toHaveLength(8));
  for (const [slug, facts, language] of cases) {
    it(slug, () => checkTeasers(fresh.articles.find((a) => a.link.includes(slug))!, facts, language));
  }
});
