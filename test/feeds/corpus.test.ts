import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HerautError } from '../../src/errors.js';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';

// rss-parser's real-world feeds, copied with their licence.
const corpus = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

interface Row {
  file: string;
  /** <item>/<entry> elements in the document. */
  items: number;
  /** Items with an http(s) link, so postable (the others are skipped). */
  articles: number;
  /** The FIRST item in DOCUMENT order (not the oldest), as heraut should clean it up. */
  first?: { title: string; link: string; key?: string };
  language: string | undefined;
  /** Where the file was served from, when its relative links need it. */
  feedUrl?: string;
}

// Written by reading each file (first <item>/<entry>, <language>/dc:language/xml:lang), not by running the parser.
const table: Row[] = [
  { file: 'atom-customfields.atom', items: 15, articles: 15, first: { title: 'Buy Now, Bitches*', link: 'https://www.youtube.com/watch?v=lR-w1h5ONOY' }, language: undefined },
  { file: 'content-encoded.rss', items: 7, articles: 7, first: { title: 'THE CREATIVE FORAGER', link: 'https://medium.com/invironment/the-creative-forager-125af37d838f?source=rss----d12c403d4976--food' }, language: undefined },
  // Title is CDATA with "&#x0024;" and "<sup>2</sup>": the entity decoded once, the markup dropped.
  { file: 'craigslist.rss', items: 25, articles: 25, first: { title: 'Bright, Spacious Beautiful Victorian (oakland north / temescal) $4300 3bd 1930ft2', link: 'http://sfbay.craigslist.org/eby/apa/6186664607.html' }, language: 'en-US' },
  { file: 'customfields.rss', items: 15, articles: 15, first: { title: 'ISUZU launches the ‘mu-X’ premium full-size 7 seater SUV in Bengaluru', link: 'http://www.varthabharati.in/article/english/74450' }, language: 'kn' },
  // Declared ISO-8859-1: the accents must come out right.
  { file: 'encoding.rss', items: 40, articles: 40, first: { title: 'Mãe de utente é a nova presidente da Raríssimas', link: 'http://feeds.jn.pt/~r/JN-ULTIMAS/~3/UBnb8Ra3Q1U/sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html' }, language: 'pt-PT' },
  // Several <link>s per entry: the rel="alternate" one is the article.
  { file: 'feedburner.atom', items: 25, articles: 25, first: { title: 'AdWords and DFP Java client library will soon require Java 7+', link: 'http://feedproxy.google.com/~r/blogspot/lQlzL/~3/Zjf41PDVLAc/adwords-and-dfp-java-client-library.html' }, language: undefined },
  { file: 'giantbomb-podcast.rss', items: 730, articles: 730, first: { title: 'Giant Bombcast 603: Call of Tuesday', link: 'https://www.giantbomb.com/shows/603-call-of-tuesday/2970-19653/free-podcast' }, language: 'en-US' },
  { file: 'guardian.rss', items: 55, articles: 55, first: { title: 'Trump State of the Union address promised unity but emphasized discord', link: 'https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord' }, language: 'en-GB' },
  // Relative entry links, resolved against the feed's own URL; xml:lang="en-US" on <feed>.
  { file: 'gulp-atom.atom', items: 10, articles: 10, first: { title: 'v3.9.0', link: 'https://github.com/gulpjs/gulp/releases/tag/v3.9.0' }, language: 'en-US', feedUrl: 'https://github.com/gulpjs/gulp/releases.atom' },
  { file: 'heise.atom', items: 15, articles: 15, first: { title: 'Java-Anwendungsserver: Red Hat gibt WildFly 10 frei', link: 'http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html?wt_mc=rss.developer.beitrag.atom' }, language: undefined },
  { file: 'heraldsun.rss', items: 2, articles: 2, first: { title: 'The First Item', link: 'http://www.oreilly.com/example/001.html' }, language: 'en-GB' },
  // One entry with nothing but an empty <author>: no link, skipped.
  { file: 'incomplete-fields.atom', items: 1, articles: 0, language: 'en-US' },
  { file: 'instant-article.rss', items: 1, articles: 1, first: { title: 'My first Instant Article', link: 'https://localhost:8000/' }, language: 'en' },
  { file: 'item-itunes-episodeType.rss', items: 1, articles: 1, first: { title: 'Trailer', link: 'https://baywatch-berlin.podigee.io/t1-trailer' }, language: 'de' },
  { file: 'itunes-category.rss', items: 1, articles: 1, first: { title: 'Taverncast 62 - Temporal Anomaly', link: 'http://taverncast.com/' }, language: 'en-US' },
  // Title and link start with a newline in the source.
  { file: 'itunes-href.rss', items: 10, articles: 10, first: { title: 'Manager bewertet Transfers | Eberl lobt BVB für Pulisic-Deal – Hudson-Odoi kostet „fast so viel wie mein Kader“', link: 'http://www.transfermarkt.de/eberl-lobt-bvb-fur-pulisic-deal-ndash-hudson-odoi-kostet-bdquo-fast-so-viel-wie-mein-kader-ldquo-/view/news/326649?rss' }, language: 'de-DE' },
  { file: 'itunes-keywords-array.rss', items: 1, articles: 1, first: { title: 'Ostafrika stellt sich auf die nächste Heuschreckenplage ein', link: 'https://www.swr.de/swr2/wissen/Hungersnot-Ostafrika-stellt-sich-auf-die-naechste-Heuschreckenplage-ein,ostafrika-stellt-sich-auf-naechste-heuschreckenplage-ein-100.html' }, language: 'de' },
  { file: 'itunes-keywords-astext.rss', items: 32, articles: 32, first: { title: 'Die mit Alice Merton und der Wespen-Taschen Psychologie', link: 'https://www.dasding.de/podcasts/die-mit-alice-merton-und-der-wespen-taschen-psychologie-102.html' }, language: 'de' },
  { file: 'itunes-keywords.rss', items: 1, articles: 1, first: { title: 'Taverncast 62 - Temporal Anomaly', link: 'http://taverncast.com/' }, language: 'en-US' },
  // Many episodes share the link http://taverncast.com/: the first one is found by its guid.
  { file: 'itunes-missing-image.rss', items: 131, articles: 131, first: { title: 'Taverncast 62 - Temporal Anomaly', link: 'http://taverncast.com/', key: 'http://taverncast.com/shows/taverncast-62.mp3' }, language: 'en-US' },
  { file: 'many-links.rss', items: 25, articles: 25, first: { title: 'Code Health: Providing Context with Commit Messages and Bug Reports', link: 'http://feedproxy.google.com/~r/blogspot/RLXA/~3/lTnHFI_mRTg/code-health-providing-context-with.html' }, language: undefined },
  // An entry with an <id> but no link: skipped, not postable.
  { file: 'missing-fields.atom', items: 1, articles: 0, language: 'en-US' },
  { file: 'narro.rss', items: 1, articles: 1, first: { title: 'FAQ for Narro', link: 'https://www.narro.co/article/54e703933058540300000069' }, language: 'en' },
  { file: 'pagination-links.rss', items: 1, articles: 1, first: { title: 'The First Episode', link: 'https://example.test/episode?id=283843' }, language: 'en-US' },
  // Descriptions escaped twice ("&amp;lt;p&amp;gt;", "&amp;amp;#39;").
  { file: 'reddit-atom.rss', items: 24, articles: 24, first: { title: 'The Difficulties in Space', link: 'https://www.reddit.com/r/space/comments/42babr/the_difficulties_in_space/' }, language: undefined },
  { file: 'reddit-home.rss', items: 24, articles: 24, first: { title: 'How the British as seen by Americans and Europeans', link: 'https://www.reddit.com/r/funny/comments/42tizy/how_the_british_as_seen_by_americans_and_europeans/' }, language: undefined },
  { file: 'reddit.rss', items: 24, articles: 24, first: { title: 'The water is too deep, so he improvises', link: 'https://www.reddit.com/r/funny/comments/3skxqc/the_water_is_too_deep_so_he_improvises/' }, language: undefined },
  { file: 'rss-1.rss', items: 69, articles: 69, first: { title: 'Food for fungi', link: 'http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1' }, language: undefined },
  // <rss> without a version, no XML declaration, windows-1252 bytes; <language></language> is empty.
  { file: 'uolNoticias.rss', items: 15, articles: 15, first: { title: 'Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno', link: 'https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm' }, language: undefined },
  { file: 'xml2js-options.rss', items: 69, articles: 69, first: { title: 'Food for fungi', link: 'http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1' }, language: undefined },
];

const rawEntity = /&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

describe('the real-world feed corpus', () => {
  it.each(table)('$file', async (row) => {
    const feedUrl = row.feedUrl ?? `https://feeds.example.test/${row.file}`;
    const feed = await parseFeedDocument(readFileSync(corpus + row.file), { feedId: 'corpus', feedUrl });
    expect(feed.articles.length).toBe(row.articles);
    expect(feed.articles.length + feed.skipped).toBe(row.items);
    if (row.first) {
      const first = feed.articles.find((article) => article.link === row.first!.link && (row.first!.key === undefined || article.key === row.first!.key));
      expect(first, 'first item in document order').toBeDefined();
      expect(first!.title).toBe(row.first.title);
      expect(first!.language).toBe(row.language);
    }
    for (const article of feed.articles) {
      expect(article.title, article.link).not.toMatch(rawEntity);
      expect(article.summary, article.link).not.toMatch(rawEntity);
      expect(article.link).toMatch(/^https?:\/\//);
      expect(article.key).not.toBe('');
      expect(article.language).toBe(row.language);
      if (article.published) expect(new Date(article.published).toISOString()).toBe(article.published);
    }
    const dates = feed.articles.flatMap((article) => (article.published ? [Date.parse(article.published)] : []));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
  });

  it('rejects unrecognized.rss, an HTML "Document Moved" page, as feed-invalid', async () => {
    const error = await parseFeedDocument(readFileSync(corpus + 'unrecognized.rss'), { feedId: 'corpus', feedUrl: 'https://feeds.example.test/unrecognized.rss' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HerautError);
    expect((error as HerautError).code).toBe('feed-invalid');
  });

  it('covers every feed file in the corpus', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(corpus).filter((file) => !file.startsWith('LICENSE'));
    expect(files.sort()).toEqual([...table.map((row) => row.file), 'unrecognized.rss'].sort());
  });

  it('cleans up a double-escaped reddit summary', async () => {
    const feed = await parseFeedDocument(readFileSync(corpus + 'reddit-atom.rss'), { feedId: 'corpus', feedUrl: 'https://www.reddit.com/.rss' });
    const summary = feed.articles.find((article) => article.summary.includes('grandma'))!.summary;
    expect(summary).toContain('grandma\'s');
    expect(summary).not.toContain('<p>');
  });
});
