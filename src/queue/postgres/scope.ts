import type pg from 'pg';

/** What every PostgreSQL store shares: the pool, the namespace its rows carry, the clock, and who this process is. */
export interface Scope {
  pool: pg.Pool;
  namespace: 'live' | 'dry-run';
  now: () => Date;
  /** host:pid, or the configured name; a claim's holder is this plus "/" and the claim's own id, so status can tell which worker holds what. */
  worker: string;
  /** The database without its password, for messages. */
  location: string;
}

/** The pool, or one connection inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;
