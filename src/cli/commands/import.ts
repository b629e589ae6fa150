import { readFile } from 'node:fs/promises';
import { canonicalLink } from '../../feeds/canonical-link.js';
import type { FeedConfig } from '../../config/schema.js';
import { errorMessage, HerautError } from '../../errors.js';
import type { ArticleHistory } from '../../queue/stores.js';
import { openRuntime } from '../context.js';
import type { GlobalOptions } from '../options.js';

/** feed2toot's cache (one entry id per line: the entry's id, else guid, else link) or a plain list of URLs. */
export type ImportSource = 'feed2toot' | 'urls';

export interface ImportOptions {
  feed: string;
  dryRun?: boolean;
}

/** One article another tool already posted, keyed the way heraut keys the feed's items (canonical-link.ts). */
export interface ImportEntry {
  key: string;
  canonicalLink: string;
}

const isHttp = (value: string): boolean => /^https?:\/\//i.test(value);

/**
 * What a file says was posted. feed2toot writes the entry id, which feed parsers take from the guid: heraut's own key.
 * A line that is a link also counts by its canonical link, which heraut checks too.
 */
export function readImportLines(source: ImportSource, text: string): { entries: ImportEntry[]; ignored: string[] } {
  const entries: ImportEntry[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || (source === 'urls' && line.startsWith('#'))) continue;
    let entry: ImportEntry;
    if (isHttp(line)) entry = { key: source === 'urls' ? canonicalLink(line) : line, canonicalLink: canonicalLink(line) };
    // An id that is not a link stands for itself as link too: an empty one would match every linkless article.
    else if (source === 'feed2toot') entry = { key: line, canonicalLink: line };
    else {
      ignored.push(line);
      continue;
    }
    if (seen.has(entry.key)) continue;
    seen.add(entry.key);
    entries.push(entry);
  }
  return { entries, ignored };
}

/** The import's only use of the queue: which entries are new to the feed, and recording those as already posted. */
async function recordAsPosted(history: ArticleHistory, feed: FeedConfig, entries: ImportEntry[], dryRun: boolean): Promise<{ added: ImportEntry[]; known: number }> {
  const added = await history.unknownOf(entries.map((entry) => ({ ...entry, feedId: feed.id })), feed.dedupe);
  if (!dryRun && added.length > 0) await history.record(added.map((entry) => ({ feedId: feed.id, key: entry.key, canonicalLink: entry.canonicalLink, outcome: 'baseline' as const })));
  return { added, known: entries.length - added.length };
}

export async function importCommand(global: GlobalOptions, source: ImportSource, file: string, options: ImportOptions): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HerautError('usage', `cannot read ${file} (${errorMessage(error)}); give the path of the ${source === 'feed2toot' ? "feed2toot cache (its config's cachefile)" : 'list of URLs'}`);
  }
  const runtime = await openRuntime(global);
  try {
    const { config } = runtime.loaded;
    const feed = config.feeds.find((candidate) => candidate.id === options.feed);
    if (!feed) throw new HerautError('usage', `no feed "${options.feed}" in the config; --feed must be one of: ${config.feeds.map((f) => f.id).join(', ') || '(no feeds defined)'}`);
    const { entries, ignored } = readImportLines(source, text);
    const { added, known } = await recordAsPosted(runtime.stores.history, feed, entries, options.dryRun === true);
    const lines: string[] = [];
    if (options.dryRun) for (const entry of added) lines.push(`would record ${entry.key}`);
    const verb = options.dryRun ? 'would be recorded' : 'recorded';
    lines.push(`${source}: ${entries.length} entries read from ${file}; ${added.length} ${verb} as already posted for feed ${feed.id}, ${known} already known`);
    if (ignored.length > 0) lines.push(`${ignored.length} lines ignored (not http(s) URLs), first: ${ignored[0]}`);
    if (entries.length === 0) lines.push(`nothing to record: the first run of feed ${feed.id} follows its firstRun setting (${feed.firstRun})`);
    else lines.push(`the next run posts only the items of feed ${feed.id} that are not in this file (items older than maxAge ${feed.maxAge} are skipped)`);
    runtime.write(`${lines.join('\n')}\n`);
  } finally {
    await runtime.close();
  }
}
