const words = ['explainer', 'climate', 'budget', 'policy', 'data', 'energy', 'city', 'science', 'health', 'market', 'école', 'réforme', 'naïve', 'café', 'why', 'how', 'what', 'vote', 'court', 'water'];

function sentence(seed: number, length: number): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(words[(seed * 7 + i * 13) % words.length]!);
  const text = out.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function paragraph(seed: number): string {
  return `<p>${sentence(seed, 12)} ${sentence(seed + 1, 9)} It&#8217;s <a href="/topics/${seed}">linked &amp; relevant</a>, with <em>emphasis</em> and <strong>weight</strong>. ${sentence(seed + 2, 14)}</p>`;
}

function content(index: number): string {
  return [
    paragraph(index),
    `<figure><img src="/img/${index}.jpg" alt="Photo ${index}"><figcaption>${sentence(index, 6)}</figcaption></figure>`,
    '<h2>What happened</h2>',
    paragraph(index + 3),
    paragraph(index + 4),
    '<h2>Why it matters</h2>',
    paragraph(index + 5),
    `<ul><li>${sentence(index, 5)}</li><li>${sentence(index + 1, 6)}</li><li>${sentence(index + 2, 4)}</li></ul>`,
    '<p><strong>What comes next</strong></p>',
    paragraph(index + 6),
    '<script>trackView();</script>',
  ].join('\n');
}

/** An RSS 2.0 feed of `items` items numbered from `first`, newest first, each with about 2 KB of HTML content (content:encoded), for benchmarks. */
export function generateFeed(items: number, first = 0): string {
  const start = Date.UTC(2025, 0, 1);
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">',
    '<channel><title>Generated explainers</title><link>https://news.example.org/</link><description>Benchmark feed</description><language>en-us</language>',
  ];
  for (let i = first + items - 1; i >= first; i--) {
    parts.push(
      '<item>',
      `<title>Explainer ${i}: ${sentence(i, 8).replace('.', '')} &amp; more</title>`,
      `<link>https://news.example.org/explainers/${i}?utm_source=rss</link>`,
      `<guid isPermaLink="false">explainer-${i}</guid>`,
      `<pubDate>${new Date(start + i * 3_600_000).toUTCString()}</pubDate>`,
      `<dc:creator>Author ${i % 17}</dc:creator>`,
      `<category>${words[i % words.length]}</category><category>Explainers</category>`,
      `<description><![CDATA[<p>${sentence(i, 20)} ${sentence(i + 9, 15)}</p>]]></description>`,
      `<content:encoded><![CDATA[${content(i)}]]></content:encoded>`,
      `<media:content url="https://news.example.org/img/${i}.jpg" medium="image" />`,
      '</item>',
    );
  }
  parts.push('</channel></rss>');
  return parts.join('\n');
}
