import { randomUUID } from 'node:crypto';
import { HerautError } from '../../errors.js';
import { isJobDone, type Job } from '../job.js';
import { defaultLeaseMs, type JobStore } from '../stores.js';
import { claimedJob } from '../transitions.js';
import { historyHashes } from './postgres-history.js';
import { holderIsGone } from './row-lease.js';
import { inTransaction } from './connect-postgres.js';
import { countPostIn } from './postgres-accounts.js';
import type { Queryable, Scope } from './scope.js';

interface JobRow {
  job: Omit<Job, 'targets'>;
  targets: Job['targets'] | null;
}

/** Jobs matching `where` (over heraut_jobs j; $1 is the namespace, `params` follow), oldest first, with their targets in order. */
export async function readJobs(scope: Scope, where: string, params: unknown[] = [], client: Queryable = scope.pool): Promise<Job[]> {
  const { rows } = await client.query<JobRow>(
    `SELECT j.job, (SELECT json_object_agg(t.target_id, t.target ORDER BY t.position) FROM heraut_job_targets t WHERE t.namespace = j.namespace AND t.job_id = j.id) AS targets
     FROM heraut_jobs j WHERE j.namespace = $1 AND (${where}) ORDER BY j.created_at, j.id`,
    [scope.namespace, ...params],
  );
  return rows.map((row) => ({ ...row.job, targets: row.targets ?? {} }) as Job);
}

function withoutTargets(job: Job): Omit<Job, 'targets'> {
  const { targets: _, ...rest } = job;
  return rest;
}

export function postgresJobs(scope: Scope): JobStore {
  const { pool, namespace, now } = scope;
  const live = 'NOT j.compacted';

  async function get(id: string): Promise<Job | undefined> {
    return (await readJobs(scope, `${live} AND j.id = $2`, [id]))[0];
  }

  return {
    async add(job) {
      return inTransaction(pool, async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO heraut_jobs (namespace, id, feed_id, article_key, canonical_link, created_at, job, done)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namespace, id) DO NOTHING`,
          [namespace, job.id, job.feedId, job.articleKey, job.canonicalLink, job.createdAt, withoutTargets(job), isJobDone(job)],
        );
        if (rowCount === 1) {
          await client.query(
            `INSERT INTO heraut_job_targets (namespace, job_id, target_id, position, target)
             SELECT $1, $2, t.key, t.position, t.value FROM jsonb_each($3::jsonb) WITH ORDINALITY AS t(key, value, position)`,
            [namespace, job.id, JSON.stringify(job.targets)],
          );
        }
        const { keyHash, linkHash } = historyHashes({ feedId: job.feedId, key: job.articleKey, canonicalLink: job.canonicalLink });
        await client.query(
          `INSERT INTO heraut_feeds (namespace, feed_id, seen) VALUES ($1, $2, true) ON CONFLICT (namespace, feed_id) DO UPDATE SET seen = true`,
          [namespace, job.feedId],
        );
        await client.query(
          `INSERT INTO heraut_history (namespace, feed_id, key_hash, link_hash, outcome, article_key, recorded_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6)
           ON CONFLICT (namespace, feed_id, key_hash, link_hash) DO UPDATE SET outcome = 'queued', recorded_at = EXCLUDED.recorded_at`,
          [namespace, job.feedId, keyHash, linkHash, job.articleKey, now()],
        );
        return rowCount === 1;
      });
    },
    get,
    list: () => readJobs(scope, live),
    async find(query) {
      const [found] = await readJobs(scope, `${live} AND (j.id = $2 OR j.article_key = $2 OR j.job->'article'->>'link' = $2 OR j.canonical_link = $2)`, [query]);
      if (!found || found.id === query) return found;
      return (await get(query)) ?? found;
    },
    async claim(id, options = {}) {
      const leaseMs = options.leaseMs ?? defaultLeaseMs;
      const holder = `${scope.worker}/${randomUUID()}`;
      const taken = await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ claim_holder: string | null; claim_until: Date | null }>(
          'SELECT claim_holder, claim_until FROM heraut_jobs j WHERE namespace = $1 AND id = $2 AND NOT compacted FOR UPDATE SKIP LOCKED',
          [namespace, id],
        );
        const row = rows[0];
        if (!row) return (await client.query('SELECT 1 FROM heraut_jobs WHERE namespace = $1 AND id = $2 AND NOT compacted', [namespace, id])).rowCount ? 'busy' : 'missing';
        if (row.claim_holder && row.claim_until && row.claim_until.getTime() > now().getTime() && !holderIsGone(row.claim_holder)) return 'busy';
        await client.query('UPDATE heraut_jobs SET claim_holder = $3, claim_until = $4 WHERE namespace = $1 AND id = $2', [namespace, id, holder, new Date(now().getTime() + leaseMs)]);
        return (await readJobs(scope, 'j.id = $2', [id], client))[0]!;
      });
      if (taken === 'missing') throw new HerautError('article-not-found', `no job "${id}" in ${scope.location}; heraut status lists the jobs`);
      if (taken === 'busy') return undefined;
      // One statement: the targets change only if this claim still holds the job.
      async function saveTargets(client: Queryable, job: Job): Promise<void> {
        const { rows } = await client.query<{ held: number }>(
          `WITH held AS (
             UPDATE heraut_jobs SET done = $4 WHERE namespace = $1 AND id = $2 AND claim_holder = $3 RETURNING id
           ), saved AS (
             UPDATE heraut_job_targets t SET target = v.value FROM held, jsonb_each($5::jsonb) AS v(key, value)
             WHERE t.namespace = $1 AND t.job_id = held.id AND t.target_id = v.key RETURNING 1
           )
           SELECT (SELECT count(*) FROM held)::int AS held`,
          [namespace, id, holder, isJobDone(job), JSON.stringify(job.targets)],
        );
        if (rows[0]!.held !== 1) throw new HerautError('queue-busy', `another heraut worker took over job "${id}" (this one was thought dead); give workers a longer lease`);
      }
      return claimedJob(
        taken,
        {
          async renew() {
            const { rowCount } = await pool.query('UPDATE heraut_jobs SET claim_until = $4 WHERE namespace = $1 AND id = $2 AND claim_holder = $3', [namespace, id, holder, new Date(now().getTime() + leaseMs)]);
            return rowCount === 1;
          },
          async release() {
            await pool.query('UPDATE heraut_jobs SET claim_holder = NULL, claim_until = NULL WHERE namespace = $1 AND id = $2 AND claim_holder = $3', [namespace, id, holder]);
          },
        },
        async (job, counted) => {
          if (!counted) return saveTargets(pool, job);
          // The post and its count commit together, or neither does and the target is settled again.
          await inTransaction(pool, async (client) => {
            await saveTargets(client, job);
            await countPostIn(scope, client, counted);
          });
        },
      );
    },
    async compact(retentionMs, options = {}) {
      return inTransaction(pool, async (client) => {
        const at = now();
        if (options.minIntervalMs !== undefined) {
          // Serialises compactions across workers; a worker that finds a recent one leaves.
          await client.query("SELECT pg_advisory_xact_lock(hashtext('heraut-compact:' || $1))", [namespace]);
          const { rows } = await client.query<{ value: string }>("SELECT value FROM heraut_meta WHERE namespace = $1 AND key = 'compacted-at'", [namespace]);
          if (rows[0] && at.getTime() - Date.parse(rows[0].value) < options.minIntervalMs) return 0;
          await client.query(
            "INSERT INTO heraut_meta (namespace, key, value) VALUES ($1, 'compacted-at', $2) ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value",
            [namespace, at.toISOString()],
          );
        }
        const { rowCount } = await client.query(
          `UPDATE heraut_jobs j SET compacted = true
           WHERE namespace = $1 AND done AND NOT compacted AND (claim_holder IS NULL OR claim_until < $2)
             AND greatest(
               j.created_at::timestamptz,
               (SELECT max(greatest((t.target->>'publishedAt')::timestamptz, (t.target->'lastError'->>'at')::timestamptz)) FROM heraut_job_targets t WHERE t.namespace = j.namespace AND t.job_id = j.id)
             ) < $3`,
          [namespace, at, new Date(at.getTime() - retentionMs)],
        );
        return rowCount ?? 0;
      });
    },
  };
}
