import { jobIdFor, shortHash } from '../file/history-file.js';
import type { ArticleHistory, ArticleOutcome, ArticleRef } from '../stores.js';
import { readJobs } from './postgres-jobs.js';
import type { Scope } from './scope.js';

const noLink = '-';

function linkHash(canonicalLink: string): string {
  return canonicalLink ? shortHash(canonicalLink) : noLink;
}

/** The file store's hashes, so a history copied from a folder answers the same. */
export function historyHashes(article: ArticleRef): { keyHash: string; linkHash: string; jobId: string } {
  return { keyHash: shortHash(article.key), linkHash: linkHash(article.canonicalLink), jobId: jobIdFor(article.feedId, article.key) };
}

// $1 namespace, $2 feed, $3 key hash, $4 link hash, $5 any feed's link counts. Two lookups, so each uses its index.
const byKey = 'SELECT outcome, seq, 0 AS rank FROM heraut_history WHERE namespace = $1 AND feed_id = $2 AND key_hash = $3';
const byLink = "SELECT outcome, seq, 1 AS rank FROM heraut_history WHERE $4 <> '-' AND namespace = $1 AND link_hash = $4 AND ($5 OR feed_id = $2)";

export function postgresHistory(scope: Scope): ArticleHistory {
  const { pool, namespace } = scope;
  async function unknownOf<T extends ArticleRef>(articles: readonly T[], dedupe: 'feed' | 'link'): Promise<T[]> {
    if (articles.length === 0) return [];
    const hashes = articles.map(historyHashes);
    // One statement for the whole batch. Lateral lookups with LIMIT keep one index probe per article: EXISTS under OR
    // lets the planner hash the whole history instead when its statistics are stale (after a bulk record or a migrate).
    const { rows } = await pool.query<{ n: string }>(
      `SELECT a.n FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS a(feed_id, key_hash, link_hash, job_id, n)
       LEFT JOIN LATERAL (SELECT 1 AS hit FROM heraut_history h WHERE h.namespace = $1 AND h.feed_id = a.feed_id AND h.key_hash = a.key_hash LIMIT 1) by_key ON true
       LEFT JOIN LATERAL (SELECT 1 AS hit FROM heraut_history h WHERE a.link_hash <> '-' AND h.namespace = $1 AND h.link_hash <> '-' AND h.link_hash = a.link_hash AND ($6 OR h.feed_id = a.feed_id) LIMIT 1) by_link ON true
       LEFT JOIN LATERAL (SELECT 1 AS hit FROM heraut_jobs j WHERE j.namespace = $1 AND j.id = a.job_id LIMIT 1) by_job ON true
       WHERE by_key.hit IS NOT NULL OR by_link.hit IS NOT NULL OR by_job.hit IS NOT NULL`,
      [namespace, articles.map((a) => a.feedId), hashes.map((h) => h.keyHash), hashes.map((h) => h.linkHash), hashes.map((h) => h.jobId), dedupe === 'link'],
    );
    const known = new Set(rows.map((row) => Number(row.n) - 1));
    return articles.filter((_, i) => !known.has(i));
  }

  return {
    async isKnown(article, dedupe) {
      return (await unknownOf([article], dedupe)).length === 0;
    },
    unknownOf,
    async hasSeenFeed(feedId) {
      const { rows } = await pool.query<{ seen: boolean }>('SELECT seen FROM heraut_feeds WHERE namespace = $1 AND feed_id = $2', [namespace, feedId]);
      return rows[0]?.seen ?? false;
    },
    async record(entries) {
      if (entries.length === 0) return;
      const columns = entries.map((entry) => ({ ...historyHashes(entry), entry }));
      await pool.query(
        `WITH entries AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS e(feed_id, key_hash, link_hash, outcome, article_key, link, reason)
         ), feeds AS (
           INSERT INTO heraut_feeds (namespace, feed_id, seen) SELECT DISTINCT $1, feed_id, true FROM entries
           ON CONFLICT (namespace, feed_id) DO UPDATE SET seen = true
         )
         INSERT INTO heraut_history (namespace, feed_id, key_hash, link_hash, outcome, article_key, link, reason, recorded_at)
         SELECT DISTINCT ON (feed_id, key_hash, link_hash) $1, *, $9::timestamptz FROM entries
         ON CONFLICT (namespace, feed_id, key_hash, link_hash) DO UPDATE
           SET outcome = EXCLUDED.outcome, article_key = EXCLUDED.article_key, link = EXCLUDED.link, reason = EXCLUDED.reason, recorded_at = EXCLUDED.recorded_at`,
        [
          namespace,
          columns.map((c) => c.entry.feedId),
          columns.map((c) => c.keyHash),
          columns.map((c) => c.linkHash),
          columns.map((c) => c.entry.outcome),
          columns.map((c) => c.entry.key),
          columns.map((c) => c.entry.link ?? null),
          columns.map((c) => c.entry.reason ?? null),
          scope.now(),
        ],
      );
    },
    async markFeedSeen(feedId) {
      await pool.query('INSERT INTO heraut_feeds (namespace, feed_id, seen) VALUES ($1, $2, true) ON CONFLICT (namespace, feed_id) DO UPDATE SET seen = true', [namespace, feedId]);
    },
    async lookup(article, dedupe) {
      const { keyHash, linkHash: lHash, jobId } = historyHashes(article);
      const { rows } = await pool.query<{ outcome: ArticleOutcome }>(
        `SELECT outcome FROM (${byKey} UNION ALL ${byLink}) found ORDER BY rank, seq DESC LIMIT 1`,
        [namespace, article.feedId, keyHash, lHash, dedupe === 'link'],
      );
      const jobs = await readJobs(
        scope,
        `j.id = $2 OR (j.feed_id = $3 AND j.article_key = $4) OR ($5 <> '' AND j.canonical_link = $5 AND ($6 OR j.feed_id = $3))`,
        [jobId, article.feedId, article.key, article.canonicalLink, dedupe === 'link'],
      );
      if (rows.length === 0 && jobs.length === 0) return undefined;
      return { outcome: rows[0]?.outcome ?? 'queued', jobs };
    },
    async failures(feedId) {
      const { rows } = await pool.query<{ feed_id: string; article_key: string | null; link: string | null; reason: string | null; recorded_at: Date }>(
        `SELECT feed_id, article_key, link, reason, recorded_at FROM heraut_history
         WHERE namespace = $1 AND outcome = 'failed' AND ($2::text IS NULL OR feed_id = $2) ORDER BY seq`,
        [namespace, feedId ?? null],
      );
      return rows.map((row) => ({ feedId: row.feed_id, key: row.article_key ?? '', link: row.link ?? '', reason: row.reason ?? '', at: row.recorded_at.toISOString() }));
    },
  };
}
