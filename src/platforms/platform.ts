import type { z } from 'zod';
import type { HerautError } from '../errors.js';
import type { Logger } from '../log.js';

/** The one interface every platform implements. Platforms see posts, never feeds. */
export type { PlatformId } from './registry.js';

/** A Bluesky rich-text facet in the record's own form: UTF-8 byte offsets, end exclusive. */
export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: 'app.bsky.richtext.facet#link'; uri: string } | { $type: 'app.bsky.richtext.facet#tag'; tag: string }>;
}

export interface PostRequest {
  /** The queue's job id, for logs. */
  jobId: string;
  text: string;
  /** Only for platforms whose spec has `facets: true`. */
  facets?: Facet[];
  /** BCP-47 tags of the text's language(s). */
  langs: string[];
  /** The article the post links to, for link cards and media. */
  link: { url: string; title: string; description: string; image?: string };
  /**
   * Chosen once (the spec's newPostKey), stored with the job before the first attempt, the same on every retry.
   * Bluesky uses it as the record key (a TID), so a retry can never make a second record.
   */
  postKey: string;
  /** Attach the article's image as media (X), or only use it as the card's thumb (Bluesky). */
  media: 'none' | 'image';
  /**
   * Which attempt at this post this is, counting this one (1: nothing was sent before). A platform that can only
   * tell "already posted" from "refused as a duplicate" by the history (X) reads it.
   */
  attempt?: number;
}

export interface PostResult {
  id: string;
  url: string;
  /** The platform says this exact post already exists (e.g. our own timed-out attempt went through). */
  alreadyPosted?: boolean;
}

/** Where a platform keeps a login session between runs; the queue's stores provide it. Values may hold tokens: stores write them 0600. */
export interface SessionStore {
  read(key: string): Promise<string | undefined>;
  /** undefined deletes the session. */
  write(key: string, value: string | undefined): Promise<void>;
}

export interface Publisher {
  readonly platform: string;
  readonly account: string;
  /**
   * Publishes one post. Throws a HerautError whose code tells policyFor (errors.ts) what happens next:
   * platform-auth (account needs attention, no retry), platform-rejected (this post fails for good),
   * platform-rate-limited (retry at retryAt), platform-unavailable (retry with backoff).
   */
  publish(request: PostRequest, signal?: AbortSignal): Promise<PostResult>;
  /** Checks the credentials against the platform; returns who we are posting as. */
  verify(): Promise<{ handle: string }>;
  close?(): Promise<void>;
}

/**
 * How a platform counts a text. The count compared with `limit` is `weighted` (X's weighted characters, or any
 * count where some characters or links weigh differently) or `graphemes` (Bluesky); `bytes` when the platform also caps bytes.
 */
export interface TextLength {
  weighted?: number;
  graphemes?: number;
  bytes?: number;
  limit: number;
  valid: boolean;
}

export interface PublisherContext<A> {
  /** The account's name in the config. */
  name: string;
  account: A;
  /** Already carries { account, platform }. */
  log: Logger;
  sessions: SessionStore;
}

export interface ErrorContext {
  /** The account's name in the config. */
  account: string;
  /** What heraut was doing, for the message: "post", "verify the credentials". */
  action: string;
}

/** An account schema: a strict object whose `platform` is the spec's id. */
export type AccountSchema<Id extends string = string> = z.ZodObject<{ platform: z.ZodLiteral<Id> } & z.core.$ZodLooseShape, z.core.$strict>;

/**
 * Everything heraut knows about one platform; src/platforms/registry.ts lists them. Code outside src/platforms/ asks
 * the registry and never names a platform. The account's config schema is listed apart, in account-schemas.ts.
 */
export interface PlatformSpec<Id extends string = string, Account extends { platform: Id } = { platform: Id }> {
  /** The everyday name, written in the config (`platform: x`), in template keys and in job files. */
  readonly id: Id;
  /** How people write it in a sentence: "X", "Bluesky". */
  readonly label: string;
  /** Account key → the environment variable meant to hold it, for messages and starter configurations. */
  readonly credentialEnv: Readonly<Record<string, string>>;
  /** How the platform counts a text, as the server does. */
  measure(text: string): TextLength;
  /** measure(text).valid, possibly without counting all of a long text: the fitting loop calls it often. */
  fits(text: string): boolean;
  /** One line for a person or a prompt: "281 weighted characters, X allows 280 (...)". */
  describeLength(length: TextLength): string;
  /** How a link appears in the text: whole (X) or shortened for display (Bluesky, whose facet holds the full URL). */
  showLink(url: string): string;
  /** Links and hashtags go beside the text as facets (UTF-8 byte ranges). */
  readonly facets: boolean;
  /** Whether the platform links `#tag` as one whole hashtag; absent: any tag of letters, digits and "_" is. */
  linksHashtag?(tag: string): boolean;
  /** A fresh post key, stored with the job before the first attempt. */
  newPostKey(): Promise<string>;
  /** The account's publisher; imports the platform's client on first use so that `--help` and dry runs stay fast. */
  createPublisher(context: PublisherContext<Account>): Promise<Publisher>;
  /** Lines printed under the text in a dry run or preview: how it measures, what goes with it. */
  describePost(request: PostRequest): string[];
  /** USD one post costs on a pay-per-use API; absent means free. */
  postPrice?(account: Account): number;
  /** The account's monthly spending cap in USD, if it has one. */
  monthlyBudget?(account: Account): number | undefined;
  /**
   * What the platform's client threw, as the HerautError whose code tells policyFor what happens next;
   * undefined for an error the platform does not know, which is then reported as a bug and not retried.
   */
  mapError(error: unknown, context: ErrorContext): HerautError | undefined;
}

/** Identity, for checking: `export const xPlatform = definePlatform<'x', XAccount>({ id: 'x', ... })`. */
export function definePlatform<Id extends string, Account extends { platform: Id }>(spec: PlatformSpec<Id, Account>): PlatformSpec<Id, Account> {
  return spec;
}
