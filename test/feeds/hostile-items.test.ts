import { describe, expect, it } from 'vitest';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';

const options = { feedId: 'hostile', feedUrl: 'https://news.example.org/feed.xml' };

function rss(items: string[], channelExtra = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Hostile</title>${channelExtra}${items.map((item) => `<item>${item}</item>`).join('')}</channel></rss>`;
}

const good = (n: number) => `<title>Good ${n}</title><link>https://news.example.org/${n}</link>`;

describe('one hostile item among good ones', () => {
  it('reads an item whose HTML nests 100,000 <div> as text, and the others as usual', async () => {
    const deep = `${'<div>'.repeat(100_000)}deep words${'</div>'.repeat(100_000)}`;
    const feed = await parseFeedDocument(rss([good(1), `<title>Deep</title><link>https://news.example.org/deep</link><description><![CDATA[${deep}]]></description>`, good(2)]), options);
    expect(feed.articles.map((a) => a.title)).toEqual(['Good 2', 'Deep', 'Good 1']);
    expect(feed.articles[1]!.summary).toBe('deep words');
    expect(feed.rejected).toEqual([]);
  });

  it('sets aside an Atom entry whose XHTML title nests 100,000 elements, with its link', async () => {
    const deep = `${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}`;
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
      <entry><id>1</id><title>One</title><link href="https://news.example.org/1"/></entry>
      <entry><id>2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${deep}</div></title><link href="https://news.example.org/deep"/></entry>
      <entry><id>3</id><title>Three</title><link href="https://news.example.org/3"/></entry></feed>`;
    const feed = await parseFeedDocument(atom, options);
    expect(feed.articles.map((a) => a.title).sort()).toEqual(['One', 'Three']);
    expect(feed.rejected).toHaveLength(1);
    expect(feed.rejected[0]!.link).toBe('https://news.example.org/deep');
    expect(feed.rejected[0]!.reason).toMatch(/^it could not be read/);
  });

  it('rejects an item with a 1 MB title alone, with its link and why', async () => {
    const feed = await parseFeedDocument(rss([good(1), `<title>${'A'.repeat(1024 * 1024)}</title><link>https://news.example.org/big</link>`, good(2)]), options);
    expect(feed.articles.map((a) => a.title)).toEqual(['Good 2', 'Good 1']);
    expect(feed.rejected).toEqual([{ link: 'https://news.example.org/big', reason: expect.stringContaining('title is 1048576 characters long') }]);
  });

  it('drops NUL and control characters, raw or as references, and keeps every item', async () => {
    const feed = await parseFeedDocument(
      rss([good(1), '<title>Bad\u0000 byte\u0007 here&#0;&#x1B;</title><link>https://news.example.org/nul</link><description>a\u0001b &amp;#1;c</description>', good(2)]),
      options,
    );
    expect(feed.articles).toHaveLength(3);
    const bad = feed.articles.find((a) => a.link.endsWith('/nul'))!;
    expect(bad.title).toBe('Bad byte here');
    expect(bad.summary).toBe('ab c');
  });
});

describe('decoding', () => {
  it('replaces only the one invalid byte of a UTF-8 feed', async () => {
    const xml = Buffer.from(rss([`<title>Café crème</title><link>https://news.example.org/c</link><description>bad X byte</description>`]), 'utf8');
    const broken = Buffer.from(xml);
    broken[xml.indexOf('X')] = 0xff;
    const article = (await parseFeedDocument(broken, options)).articles[0]!;
    expect(article.title).toBe('Café crème');
    expect(article.summary).toBe('bad \uFFFD byte');
  });
});

describe('links', () => {
  it('strips user:password@ from article links and images', async () => {
    const feed = await parseFeedDocument(rss(['<title>Creds</title><link>https://editor:hunter2@news.example.org/a?x=1</link><enclosure url="https://u:p@cdn.example.org/i.jpg" type="image/jpeg"/>']), options);
    const [article] = feed.articles;
    expect(article!.link).toBe('https://news.example.org/a?x=1');
    expect(article!.canonicalLink).toBe('https://news.example.org/a?x=1');
    expect(article!.image).toBe('https://cdn.example.org/i.jpg');
    expect(JSON.stringify(article)).not.toContain('hunter2');
  });

  it('resolves relative links of a local file against its rel="self", else its channel link', async () => {
    const fileUrl = 'file:///srv/feeds/local.xml';
    const self = await parseFeedDocument(rss(['<title>S</title><link>/posts/s.html</link>'], '<link>https://www.example.org/</link><atom:link rel="self" href="https://feeds.example.org/news/rss.xml"/>'), { ...options, feedUrl: fileUrl });
    expect(self.articles[0]!.link).toBe('https://feeds.example.org/posts/s.html');
    const channel = await parseFeedDocument(rss(['<title>C</title><link>posts/c.html</link>'], '<link>https://www.example.org/blog/</link>'), { ...options, feedUrl: fileUrl });
    expect(channel.articles[0]!.link).toBe('https://www.example.org/blog/posts/c.html');
    const atom = await parseFeedDocument(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel="self" href="https://a.example.org/feed.atom"/><entry><id>1</id><title>E</title><link href="/e/1"/></entry></feed>',
      { ...options, feedUrl: fileUrl },
    );
    expect(atom.articles[0]!.link).toBe('https://a.example.org/e/1');
  });
});

describe('dates', () => {
  const dated = (date: string) => rss([`<title>D</title><link>https://news.example.org/d</link><pubDate>${date}</pubDate>`]);

  it('reads a date without a zone in the configured timezone, not the host zone', async () => {
    const paris = { ...options, timezone: 'Europe/Paris' };
    expect((await parseFeedDocument(dated('Mon, 01 Jan 2024 10:00:00'), paris)).articles[0]!.published).toBe('2024-01-01T09:00:00.000Z');
    expect((await parseFeedDocument(dated('2024-07-01T10:00:00'), paris)).articles[0]!.published).toBe('2024-07-01T08:00:00.000Z');
    expect((await parseFeedDocument(dated('2024-07-01T10:00:00'), options)).articles[0]!.published).toBe('2024-07-01T10:00:00.000Z');
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id><title>E</title><link href="https://a.example.org/1"/><published>2024-01-01T10:00:00</published></entry></feed>';
    expect((await parseFeedDocument(atom, { ...options, timezone: 'America/New_York' })).articles[0]!.published).toBe('2024-01-01T15:00:00.000Z');
  });

  it('reads a date that names its zone as it says, whatever the timezone', async () => {
    const tokyo = { ...options, timezone: 'Asia/Tokyo' };
    expect((await parseFeedDocument(dated('Mon, 01 Jan 2024 10:00:00 GMT'), tokyo)).articles[0]!.published).toBe('2024-01-01T10:00:00.000Z');
    expect((await parseFeedDocument(dated('Mon, 01 Jan 2024 10:00:00 +0200'), tokyo)).articles[0]!.published).toBe('2024-01-01T08:00:00.000Z');
    expect((await parseFeedDocument(dated('2024-01-01T10:00:00.000+02:00'), tokyo)).articles[0]!.published).toBe('2024-01-01T08:00:00.000Z');
  });
});
