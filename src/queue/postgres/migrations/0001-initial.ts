// Version 1 of heraut's tables. A released migration never changes: a change is a new file and a line in migrate-schema.ts.
// Hashes are the file store's (16 hex digits of SHA-1, "-" for none), so `heraut migrate` copies a history without its articles.
export const sql = `
CREATE TABLE heraut_history (
  namespace text NOT NULL,
  feed_id text NOT NULL,
  key_hash text NOT NULL,
  link_hash text NOT NULL,
  outcome text NOT NULL,
  -- Kept for articles that failed to become jobs (status shows them); unknown for a history copied from a folder.
  article_key text,
  link text,
  reason text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL,
  PRIMARY KEY (namespace, feed_id, key_hash, link_hash)
);
CREATE INDEX heraut_history_link ON heraut_history (namespace, link_hash, feed_id) WHERE link_hash <> '-';
CREATE INDEX heraut_history_failed ON heraut_history (namespace, seq) WHERE outcome = 'failed';

CREATE TABLE heraut_feeds (
  namespace text NOT NULL,
  feed_id text NOT NULL,
  seen boolean NOT NULL DEFAULT false,
  state jsonb NOT NULL DEFAULT '{}',
  poll_holder text,
  poll_until timestamptz,
  PRIMARY KEY (namespace, feed_id)
);

CREATE TABLE heraut_jobs (
  namespace text NOT NULL,
  id text NOT NULL,
  feed_id text NOT NULL,
  article_key text NOT NULL,
  canonical_link text NOT NULL,
  created_at text NOT NULL,
  -- The job without its targets, which are rows of heraut_job_targets.
  job jsonb NOT NULL,
  done boolean NOT NULL DEFAULT false,
  -- Settled and past retention: out of the live list, kept for lookups.
  compacted boolean NOT NULL DEFAULT false,
  claim_holder text,
  claim_until timestamptz,
  PRIMARY KEY (namespace, id)
);
CREATE INDEX heraut_jobs_live ON heraut_jobs (namespace, created_at, id) WHERE NOT compacted;
CREATE INDEX heraut_jobs_article ON heraut_jobs (namespace, article_key);
CREATE INDEX heraut_jobs_link ON heraut_jobs (namespace, canonical_link);

CREATE TABLE heraut_job_targets (
  namespace text NOT NULL,
  job_id text NOT NULL,
  target_id text NOT NULL,
  position integer NOT NULL,
  target jsonb NOT NULL,
  account text GENERATED ALWAYS AS (target->>'account') STORED,
  state text GENERATED ALWAYS AS (target->>'state') STORED,
  not_before text GENERATED ALWAYS AS (target->>'notBefore') STORED,
  PRIMARY KEY (namespace, job_id, target_id),
  FOREIGN KEY (namespace, job_id) REFERENCES heraut_jobs (namespace, id) ON DELETE CASCADE
);
CREATE INDEX heraut_job_targets_due ON heraut_job_targets (namespace, account, state);

CREATE TABLE heraut_accounts (
  namespace text NOT NULL,
  account text NOT NULL,
  state jsonb NOT NULL DEFAULT '{}',
  post_holder text,
  post_until timestamptz,
  PRIMARY KEY (namespace, account)
);

-- Posts and spending per day (YYYY-MM-DD) and month (YYYY-MM), in the configured time zone.
CREATE TABLE heraut_account_counters (
  namespace text NOT NULL,
  account text NOT NULL,
  period text NOT NULL,
  posts integer NOT NULL DEFAULT 0,
  spent_usd numeric(14, 6) NOT NULL DEFAULT 0,
  PRIMARY KEY (namespace, account, period)
);

-- Post keys already counted: a retry that finds its post already made is not counted twice.
CREATE TABLE heraut_counted_posts (
  namespace text NOT NULL,
  account text NOT NULL,
  post_key text NOT NULL,
  seq bigserial NOT NULL,
  PRIMARY KEY (namespace, account, post_key)
);

CREATE TABLE heraut_sessions (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE heraut_meta (
  namespace text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (namespace, key)
);
`;
