import { performance } from 'node:perf_hooks';
import { parseFeedDocument } from '../../src/feeds/parse-feed.js';
import { generateFeed } from './generate-feed.js';

// Usage: npx tsx test/bench/parse-feed.bench.ts [items]
const items = Number(process.argv[2] ?? 5000);
const xml = Buffer.from(generateFeed(items), 'utf8');
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const feed = await parseFeedDocument(xml, { feedId: 'bench', feedUrl: 'https://news.example.org/feed.xml' });
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(`items=${feed.articles.length} size=${mb(xml.length)}MB parse=${ms.toFixed(0)}ms cpu=${((cpu.user + cpu.system) / 1000).toFixed(0)}ms rssBefore=${mb(rssBefore)}MB peakRss=${mb(peakRss)}MB`);
