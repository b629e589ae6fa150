import { FeedConfig } from '../../config/schema.js';
import { loadConfig } from '../../config/load-config.js';
import type { Article } from '../../feeds/article.js';
import { readFeed } from '../../feeds/read-feed.js';
import { formatDryRunPost } from '../../platforms/dry-run/dry-run-publisher.js';
import { platformIds } from '../../platforms/registry.js';
import { writeTeasers } from '../../teaser/write-teasers.js';
import { shortenUrls } from '../../error-text.js';
import { errorMessage } from '../../errors.js';
import { cliLogger } from '../context.js';
import type { GlobalOptions, PreviewOptions } from '../options.js';

/** Shows what heraut would write, for any feed, without a config, a queue or a network call beyond the feed itself. */
export async function previewCommand(global: GlobalOptions, source: string | undefined, options: PreviewOptions): Promise<void> {
  const log = cliLogger(global);
  let feeds: FeedConfig[];
  let baseDir = process.cwd();
  let llm;
  if (source) {
    feeds = [FeedConfig.parse({ id: 'preview', url: source, maxAge: '0' })];
  } else {
    const loaded = loadConfig({ file: global.config, dryRun: true });
    feeds = loaded.config.feeds;
    baseDir = loaded.baseDir;
    llm = loaded.config.llm;
  }
  let failures = 0;
  for (const feed of feeds) {
    let articles: Article[] = [];
    try {
      const result = await readFeed(feed, { baseDir, log });
      if (result.status === 'ok') articles = result.articles;
    } catch (error) {
      failures++;
      process.stderr.write(`heraut: ${shortenUrls(`feed ${feed.id} (${feed.url}): ${errorMessage(error)}`)}\n`);
      continue;
    }
    const shown = options.limit ? articles.slice(-options.limit) : articles;
    for (const article of shown) {
      const teasers = await writeTeasers(article, [...platformIds], { feed, llm, log });
      const shownTeasers = platformIds.map((id) => teasers[id]!);
      if (options.json) {
        const line: Record<string, unknown> = { feed: feed.id, id: article.key, url: article.link, title: article.title, language: article.language ?? null };
        for (const teaser of shownTeasers) line[teaser.platform] = { text: teaser.text, ...teaser.length, ...(teaser.facets ? { facets: teaser.facets } : {}), langs: teaser.langs };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        process.stdout.write(`▶ ${article.title}\n  ${article.link}${article.language ? ` [${article.language}]` : ''}\n\n`);
        for (const teaser of shownTeasers) {
          const link = { url: article.link, title: article.title, description: article.summary, image: article.image };
          process.stdout.write(formatDryRunPost(teaser.platform, teaser.platform, { jobId: article.key, text: teaser.text, facets: teaser.facets, langs: teaser.langs, link, postKey: '', media: 'none' }, 'preview'));
        }
      }
    }
  }
  if (failures > 0) process.exitCode = 1;
}
