import { describe, expect, it } from 'vitest';
import { HerautError } from '../../src/errors.js';
import { contentAndSections } from '../../src/feeds/html-to-text.js';
import { normaliseLanguage, parseFeedDocument } from '../../src/feeds/parse-feed.js';

const options = { feedId: 'unit', feedUrl: 'https://news.example.org/feeds/main.xml' };

async function one(item: string, channelExtra = '', rssAttrs = '') {
  const xml = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" ${rssAttrs} xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Unit</title>${channelExtra}<item>${item}</item></channel></rss>`;
  const feed = await parseFeedDocument(xml, options);
  expect(feed.articles).toHaveLength(1);
  return feed.articles[0]!;
}

describe('parseFeedDocument', () => {
  it('decodes HTML entities in titles exactly once', async () => {
    const cases: Array<[string, string]> = [
      ['Tom &amp;amp; Jerry', 'Tom & Jerry'],
      ['It&amp;#8217;s here', 'It’s here'],
      ['It&#8217;s here', 'It’s here'],
      ['<![CDATA[Caf&eacute; &amp; cr&egrave;me]]>', 'Café & crème'],
      ['Use &amp;amp;lt;div&amp;amp;gt; wisely', 'Use &lt;div&gt; wisely'],
      ['Use &amp;lt;div&amp;gt; wisely', 'Use <div> wisely'],
      // A no-break space stays one: it holds "12 000" and "20 %" together.
      ['A&nbsp;B &hellip;', 'A\u00a0B …'],
    ];
    for (const [source, expected] of cases) {
      const article = await one(`<title>${source}</title><link>https://news.example.org/a</link>`);
      expect(article.title, source).toBe(expected);
    }
  });

  it('turns HTML summaries and content into plain text with paragraphs and sections', async () => {
    const html =
      '<p>Intro with <a href="https://x.example/">a link</a> &amp; more.</p><img src="/i.png" alt="alt junk"><script>evil()</script><style>p{}</style>' +
      '<h2>What happened</h2><p>First point.</p><p>Second point.</p><p><strong>Why it matters</strong></p><p>Because.</p>';
    const article = await one(`<title>T</title><link>https://news.example.org/a</link><description>&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two &amp;amp;amp; three.&lt;/p&gt;</description><content:encoded><![CDATA[${html}]]></content:encoded>`);
    expect(article.summary).toBe('One.\n\nTwo &amp; three.');
    expect(article.content).toBe('Intro with a link & more.\n\nWhat happened\n\nFirst point.\n\nSecond point.\n\nWhy it matters\n\nBecause.');
    expect(article.sections).toEqual([
      { heading: 'What happened', text: 'First point.\n\nSecond point.' },
      { heading: 'Why it matters', text: 'Because.' },
    ]);
    expect(article.image).toBe('https://news.example.org/i.png');
  });

  it('keeps content empty and sections from the description when there is no content', async () => {
    const article = await one('<title>T</title><link>https://news.example.org/a</link><description><![CDATA[<h3>Key</h3><p>Body.</p>]]></description>');
    expect(article.content).toBe('');
    expect(article.summary).toBe('Key\n\nBody.');
    expect(article.sections).toEqual([{ heading: 'Key', text: 'Body.' }]);
  });

  it('finds the image in enclosure, media:content, media:thumbnail and itunes:image', async () => {
    const base = '<title>T</title><link>https://news.example.org/a</link><description><![CDATA[<img src="/fallback.jpg">]]></description>';
    expect((await one(`${base}<enclosure url="https://cdn.example.org/e.jpg" type="image/jpeg" length="1"/>`)).image).toBe('https://cdn.example.org/e.jpg');
    expect((await one(`${base}<enclosure url="https://cdn.example.org/e.mp3" type="audio/mpeg" length="1"/>`)).image).toBe('https://news.example.org/fallback.jpg');
    expect((await one(`${base}<media:content url="https://cdn.example.org/m.png" medium="image"/>`)).image).toBe('https://cdn.example.org/m.png');
    expect((await one(`${base}<media:thumbnail url="https://cdn.example.org/t.png"/>`)).image).toBe('https://cdn.example.org/t.png');
    expect((await one(`${base}<itunes:image href="https://cdn.example.org/p.jpg"/>`)).image).toBe('https://cdn.example.org/p.jpg');
    expect((await one('<title>T</title><link>https://news.example.org/a</link>')).image).toBeUndefined();
  });

  it('resolves relative links against xml:base and the feed URL', async () => {
    const xml = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/posts/" xml:lang="FR-fr"><title>B</title>
      <entry><id>tag:1</id><title type="html">&lt;em&gt;Bonjour&lt;/em&gt; &amp;amp; adieu</title><link href="one.html"/><updated>2024-03-01T10:00:00Z</updated>
        <category term="politique"/><category term="x" label=" Économie "/><category term="Politique"/><summary>Hi</summary></entry>
      <entry xml:base="/other/" xml:lang="en-gb"><id>tag:2</id><title>Two</title><link rel="alternate" href="two.html"/><updated>not a date</updated></entry>
    </feed>`;
    const feed = await parseFeedDocument(xml, options);
    const [second, first] = feed.articles;
    expect(first!.link).toBe('https://blog.example.org/posts/one.html');
    expect(first!.title).toBe('Bonjour & adieu');
    expect(first!.language).toBe('fr-FR');
    expect(first!.categories).toEqual(['politique', 'Économie']);
    expect(first!.key).toBe('tag:1');
    expect(first!.published).toBe('2024-03-01T10:00:00.000Z');
    expect(second!.link).toBe('https://blog.example.org/other/two.html');
    expect(second!.language).toBe('en-GB');
    expect(second!.published).toBeUndefined();
    const relative = await parseFeedDocument('<rss version="2.0"><channel><title>R</title><item><title>R</title><link>/r/1?utm_source=x#top</link></item></channel></rss>', options);
    expect(relative.articles[0]!.link).toBe('https://news.example.org/r/1?utm_source=x#top');
    expect(relative.articles[0]!.canonicalLink).toBe('https://news.example.org/r/1');
  });

  it('takes the language from config, else xml:lang, else <language>', async () => {
    expect((await one('<title>T</title><link>https://n.example/a</link>', '<language>en-us</language>')).language).toBe('en-US');
    expect((await one('<title>T</title><link>https://n.example/a</link>', '<language>en-us</language>', 'xml:lang="de"')).language).toBe('en-US');
    const configured = await parseFeedDocument('<rss version="2.0"><channel><language>en</language><item><title>T</title><link>https://n.example/a</link></item></channel></rss>', { ...options, language: 'fr' });
    expect(configured.articles[0]!.language).toBe('fr');
    expect(normaliseLanguage('pt_br')).toBe('pt-BR');
    expect(normaliseLanguage('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(normaliseLanguage('')).toBeUndefined();
  });

  it('skips items without a link, uses a permalink guid as link, and counts the skipped', async () => {
    const xml = `<rss version="2.0"><channel><title>S</title>
      <item><title>No link</title><guid isPermaLink="false">abc</guid></item>
      <item><title>Guid link</title><guid>https://n.example/g</guid></item>
      <item><title>Ok</title><link>https://n.example/ok</link></item></channel></rss>`;
    const feed = await parseFeedDocument(xml, options);
    expect(feed.skipped).toBe(1);
    expect(feed.articles.map((a) => a.link)).toEqual(['https://n.example/ok', 'https://n.example/g']);
  });

  it('orders articles oldest first, undated items in reverse document order', async () => {
    const xml = `<rss version="2.0"><channel><title>O</title>
      <item><title>c</title><link>https://n.example/c</link><pubDate>Wed, 03 Jan 2024 00:00:00 GMT</pubDate></item>
      <item><title>u1</title><link>https://n.example/u1</link></item>
      <item><title>a</title><link>https://n.example/a</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
      <item><title>b</title><link>https://n.example/b</link><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item>
      <item><title>u2</title><link>https://n.example/u2</link></item>
    </channel></rss>`;
    const feed = await parseFeedDocument(xml, options);
    expect(feed.articles.map((a) => a.title)).toEqual(['u2', 'a', 'b', 'u1', 'c']);
  });

  it('reads RSS 0.91, RSS 1.0 (RDF) and RSS without a version', async () => {
    const rss091 = await parseFeedDocument('<rss version="0.91"><channel><title>Old</title><item><title>Nine one</title><link>https://n.example/91</link></item></channel></rss>', options);
    expect(rss091.articles[0]!.title).toBe('Nine one');
    const rdf = await parseFeedDocument(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>RDF</title></channel><item rdf:about="https://n.example/r"><title>Rdf item</title><link>https://n.example/r</link><dc:date>2024-01-05T00:00:00Z</dc:date><dc:language>it</dc:language></item></rdf:RDF>',
      options,
    );
    expect(rdf.articles[0]).toMatchObject({ title: 'Rdf item', published: '2024-01-05T00:00:00.000Z', language: 'it' });
    const bare = await parseFeedDocument('<rss><channel><title>Bare</title><item><title>B</title><link>https://n.example/b</link></item></channel></rss>', options);
    expect(bare.articles).toHaveLength(1);
  });

  it('rejects entity declarations and non-feeds with feed-invalid', async () => {
    const bodies = [
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title></channel></rss>',
      'not xml at all',
      '',
      '<opml version="2.0"><body/></opml>',
    ];
    for (const body of bodies) {
      const error = await parseFeedDocument(body, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, body).toBeInstanceOf(HerautError);
      expect((error as HerautError).code).toBe('feed-invalid');
      expect((error as HerautError).message).toMatch(/^Feed "unit" \(https:\/\/news\.example\.org\/feeds\/main\.xml\) is not a readable RSS or Atom feed: [^\n]+$/);
    }
  });

  it('reads UTF-16 with a BOM and falls back to windows-1252 for bytes that are not UTF-8', async () => {
    const doc = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Ü</title><item><title>Ça va</title><link>https://n.example/u</link></item></channel></rss>';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]);
    expect((await parseFeedDocument(utf16, options)).articles[0]!.title).toBe('Ça va');
    const mislabeled = Buffer.from('<rss version="2.0"><channel><title>x</title><item><title>Caf\xe9 \x93ok\x94</title><link>https://n.example/c</link></item></channel></rss>', 'latin1');
    expect((await parseFeedDocument(mislabeled, options)).articles[0]!.title).toBe('Café “ok”');
  });
});

describe('contentAndSections', () => {
  it('keeps headings nested in containers and ignores bold inside a sentence', () => {
    const result = contentAndSections('<div><h1>One</h1><p>Text with <b>bold</b> words.</p><section><h4>Two</h4><ul><li>a</li><li>b</li></ul></section></div>');
    expect(result.sections).toEqual([
      { heading: 'One', text: 'Text with bold words.' },
      { heading: 'Two', text: '- a\n- b' },
    ]);
    expect(contentAndSections('<p>No headings here.</p>')).toEqual({ text: 'No headings here.', sections: [] });
  });
});
