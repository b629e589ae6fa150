// Version 3: the alert outbox of a database queue, so "once per event" holds across every worker, not per machine.
// The entry is the file outbox's JSON; the columns the queries filter on are derived from it.
export const sql = `
CREATE TABLE heraut_alert_outbox (
  key text PRIMARY KEY,
  entry jsonb NOT NULL,
  pending boolean GENERATED ALWAYS AS (jsonb_array_length(entry->'pending') > 0) STORED,
  next_attempt_at double precision GENERATED ALWAYS AS ((entry->>'nextAttemptAt')::double precision) STORED,
  raised_at double precision GENERATED ALWAYS AS ((entry->'alert'->>'at')::double precision) STORED,
  attempts integer GENERATED ALWAYS AS ((entry->>'attempts')::integer) STORED
);
CREATE INDEX heraut_alert_outbox_due ON heraut_alert_outbox (next_attempt_at) WHERE pending;
`;
