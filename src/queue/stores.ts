import type { Logger } from '../log.js';
import type { SessionStore } from '../platforms/platform.js';
import type { Teaser } from '../teaser/teaser.js';
import type { PostCount } from './count-post.js';
import type { Job, WaitReason } from './job.js';

/**
 * Where heraut keeps what it knows, as a few small async stores behind named operations. The file store is one
 * implementation; every implementation passes test/queue/store-conformance.ts unchanged.
 */
export interface Stores {
  /** Where the state lives, for status and messages (a folder, or a database URL without its password). */
  readonly location: string;
  readonly history: ArticleHistory;
  readonly jobs: JobStore;
  readonly feeds: FeedStore;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  /** The job claims, feed leases and account leases held now (not run out), by kind then id. */
  holders(): Promise<Holding[]>;
  close(): Promise<void>;
}

/** What a worker holds: a job's claim, a feed's polling, an account's posting. */
export interface Holding {
  kind: 'job' | 'feed' | 'account';
  id: string;
  /** The holder: host:pid, or the name given in StoresOptions.worker. */
  worker: string;
  /** When the lease runs out unless its holder renews it. */
  until: string;
}

export interface StoresOptions {
  /** The configuration's `queue:` value, resolved: a folder today. */
  location: string;
  /** Live and dry-run state never mix. */
  namespace: 'live' | 'dry-run';
  now?: () => Date;
  log?: Logger;
  /** How this process's claims and leases are named in status (PostgreSQL); default host:pid. */
  worker?: string;
}

export interface ArticleRef {
  feedId: string;
  key: string;
  canonicalLink: string;
}

/** baseline: seen on a feed's first poll and not posted; failed: could not become a job (the reason is kept). */
export type ArticleOutcome = 'baseline' | 'skipped' | 'filtered' | 'queued' | 'failed';

export interface ArticleRecord extends ArticleRef {
  outcome: ArticleOutcome;
  /** outcome 'failed': what went wrong and the article's link, for status. */
  reason?: string;
  link?: string;
}

export interface ArticleFailure {
  feedId: string;
  key: string;
  link: string;
  reason: string;
  at: string;
}

/** What the history knows of one article: its outcome and every job made for it, kept or compacted. */
export interface ArticleLookup {
  outcome: ArticleOutcome;
  jobs: Job[];
}

/**
 * The one source of truth for "already seen" and "already posted". It survives compaction: an article whose job was
 * archived is still known. A store whose index is damaged or gone rebuilds it from what it still has or refuses to
 * open (queue-corrupt); "not in the index" never silently means "never posted".
 */
export interface ArticleHistory {
  /** Whether the key or the link was seen for this feed (dedupe 'link': the link in any feed), whatever the outcome. */
  isKnown(article: ArticleRef, dedupe: 'feed' | 'link'): Promise<boolean>;
  /** The articles isKnown would call unknown, in their order, asked at once: one round trip for a whole feed. */
  unknownOf<T extends ArticleRef>(articles: readonly T[], dedupe: 'feed' | 'link'): Promise<T[]>;
  hasSeenFeed(feedId: string): Promise<boolean>;
  /** Durable as one batch, before it returns; also marks each feed as seen. */
  record(entries: ArticleRecord[]): Promise<void>;
  markFeedSeen(feedId: string): Promise<void>;
  /** Undefined when the article was never seen; jobs include compacted ones. */
  lookup(article: ArticleRef, dedupe: 'feed' | 'link'): Promise<ArticleLookup | undefined>;
  /** Articles that could not become jobs, newest last. */
  failures(feedId?: string): Promise<ArticleFailure[]>;
}

export interface JobStore {
  /** Exclusive create; an existing job with that id is kept as it is (returns false). Records the article as 'queued'. */
  add(job: Job): Promise<boolean>;
  get(id: string): Promise<Job | undefined>;
  /** Jobs not compacted yet, oldest first. */
  list(): Promise<Job[]>;
  /** By job id, article key, link or canonical link, among jobs not compacted. */
  find(query: string): Promise<Job | undefined>;
  /**
   * Exclusive: undefined while another live holder has the job. The claim is a lease: a holder that dies, or does not
   * renew within `leaseMs` (default 15 minutes), loses it to the next claimer, and its later transitions fail (queue-busy).
   */
  claim(id: string, options?: { leaseMs?: number }): Promise<JobClaim | undefined>;
  /**
   * Moves settled jobs whose last activity is older than retention out of the live list; the history keeps them. With
   * `minIntervalMs`, does nothing when any process compacted more recently than that.
   */
  compact(retentionMs: number, options?: { minIntervalMs?: number }): Promise<number>;
}

export interface WaitInput {
  reason: WaitReason;
  until?: Date;
}

/**
 * A held job. Each transition names a target (account), checks that it is allowed from the target's state (else throws
 * a 'usage' HerautError), checks the lease is still held (else 'queue-busy'), is durable when it returns, renews the
 * lease, and returns the job as stored.
 */
export interface JobClaim {
  readonly job: Job;
  /** review → pending; pending → pending due now (its wait cleared). */
  approve(account: string): Promise<Job>;
  /** review, pending, failed → skipped. */
  skip(account: string): Promise<Job>;
  /** failed → pending, attempts from zero. */
  retry(account: string): Promise<Job>;
  /** review, pending, failed: the teaser is replaced; the state stays. */
  edit(account: string, teaser: Teaser): Promise<Job>;
  /** pending (or publishing left by a dead process) → publishing, one attempt more; saved before the platform is called. */
  publishing(account: string): Promise<Job>;
  /**
   * publishing → published. With `count`, the account's counters, last post time and hold change in the same durable
   * step (counted once per post key): a worker killed at any point neither loses the post's count nor counts it twice.
   */
  published(account: string, post: { id: string; url: string; at: Date }, count?: PostCount): Promise<Job>;
  /** pending, publishing → failed for good, with a reason a person can act on. */
  failed(account: string, error: { code: string; message: string; at: Date }): Promise<Job>;
  /** publishing, pending → pending, not before `until`; `error` when an attempt failed. */
  postpone(account: string, wait: WaitInput, error?: { code: string; message: string; at: Date }): Promise<Job>;
  /** Extends the lease; false when it was lost. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface FeedState {
  etag?: string;
  lastModified?: string;
  movedTo?: string;
  lastPollAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  nextPollAt?: string;
}

export interface FeedStore {
  get(feedId: string): Promise<FeedState>;
  put(feedId: string, state: FeedState): Promise<void>;
  all(): Promise<Record<string, FeedState>>;
  /** One poller per feed across workers (PostgreSQL): undefined while another live holder polls it. A store for one machine may leave it out. */
  lease?(feedId: string, options?: { leaseMs?: number }): Promise<AccountLock | undefined>;
}

export interface AccountState {
  attention?: { code: string; message: string; at: string };
  lastPostAt?: string;
  /** Posts per calendar day (YYYY-MM-DD in the configured timezone). */
  postsByDay: Record<string, number>;
  /** USD spent per calendar month (YYYY-MM in the configured timezone). */
  spentByMonth: Record<string, number>;
  holdReason?: WaitReason;
  /** No post for this account before this time (the platform's rate limit). */
  holdUntil?: string;
  /** Post keys counted last, so a retry that finds its post already made is not counted twice. */
  recentPostKeys?: string[];
}

export interface AccountStore {
  /** Read fresh: another process may have posted. */
  get(account: string): Promise<AccountState>;
  put(account: string, state: AccountState): Promise<void>;
  all(): Promise<Record<string, AccountState>>;
  /**
   * Serialises posting per account across processes, so pacing and budget hold with several heraut processes.
   * Undefined while another live holder has it. A lease like a job claim: renew it while holding, check it before each post.
   */
  lock(account: string, options?: { leaseMs?: number }): Promise<AccountLock | undefined>;
}

export interface AccountLock {
  /** Extends the lease; false when it was lost. */
  renew(): Promise<boolean>;
  isHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export const defaultLeaseMs = 15 * 60_000;
