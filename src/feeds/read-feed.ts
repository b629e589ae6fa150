import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { FeedConfig } from '../config/schema.js';
import { parseDuration } from '../config/parse-duration.js';
import { silentLogger, type Logger } from '../log.js';
import type { Article } from './article.js';
import type { Resolve } from '../net/guarded-fetch.js';
import type { RejectedItem } from './parse-feed.js';
import { fetchFeed, type FeedFetchState, type FetchFunction } from './fetch-feed.js';

export type { FeedFetchState, FetchFunction } from './fetch-feed.js';
export type { RejectedItem } from './parse-feed.js';

export interface ReadFeedOptions {
  /** Folder that relative file paths in feed.url are resolved against (the config file's folder). */
  baseDir: string;
  state?: FeedFetchState;
  signal?: AbortSignal;
  log?: Logger;
  fetch?: FetchFunction;
  /** Host name to addresses (the system resolver by default); tests inject one so that no real name is looked up. */
  resolve?: Resolve;
  /** The configuration's `timezone`: feed dates that name no zone are read in it (default UTC). */
  timezone?: string;
}

export type ReadFeedResult =
  | { status: 'not-modified'; state: FeedFetchState; bytes: 0 }
  | { status: 'ok'; title?: string; articles: Article[]; state: FeedFetchState; bytes: number; movedTo?: string; skipped: number; rejected: RejectedItem[] };

type ReadableFeed = Pick<FeedConfig, 'id' | 'url'> & Partial<Pick<FeedConfig, 'language' | 'maxBytes' | 'timeout'>>;

/**
 * Fetches and parses one feed: articles oldest first, or 'not-modified' when the server answered 304 to the
 * conditional GET built from `state`. Throws HerautError feed-unreachable / feed-rate-limited / feed-too-large / feed-invalid.
 */
export async function readFeed(feed: ReadableFeed, options: ReadFeedOptions): Promise<ReadFeedResult> {
  const log = (options.log ?? silentLogger()).child({ feed: feed.id });
  const fetched = await fetchFeed(feed.url, {
    feedId: feed.id,
    baseDir: options.baseDir,
    timeoutMs: parseDuration(feed.timeout ?? '30s'),
    maxBytes: feed.maxBytes ?? 10 * 1024 * 1024,
    state: options.state,
    signal: options.signal,
    fetch: options.fetch,
    resolve: options.resolve,
  });
  if (fetched.status === 'not-modified') {
    log.debug('feed not modified');
    return { status: 'not-modified', state: fetched.state, bytes: 0 };
  }
  const feedUrl = /^(https?|file):/i.test(fetched.url) ? fetched.url : pathToFileURL(path.resolve(options.baseDir, fetched.url)).toString();
  // The parser and the HTML converter are the heaviest modules; a 304 never loads them.
  const { parseFeedDocument } = await import('./parse-feed.js');
  const parsed = await parseFeedDocument(fetched.body, { feedId: feed.id, feedUrl, contentType: fetched.contentType, language: feed.language, timezone: options.timezone });
  if (parsed.skipped > 0) log.warn({ skipped: parsed.skipped }, 'feed items without a link skipped');
  for (const item of parsed.rejected) log.warn({ link: item.link, reason: item.reason }, 'feed item rejected');
  log.debug({ articles: parsed.articles.length, bytes: fetched.body.length }, 'feed read');
  return {
    status: 'ok',
    ...(parsed.title ? { title: parsed.title } : {}),
    articles: parsed.articles,
    state: fetched.state,
    bytes: fetched.body.length,
    skipped: parsed.skipped,
    rejected: parsed.rejected,
    ...(fetched.movedTo ? { movedTo: fetched.movedTo } : {}),
  };
}
