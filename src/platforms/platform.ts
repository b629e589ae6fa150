/** The one interface every platform implements. Platforms see posts, never feeds. */
export type PlatformId = 'x' | 'bluesky' | 'mastodon';

export const platformIds: readonly PlatformId[] = ['x', 'bluesky'];

/** A Bluesky rich-text facet in the record's own form: UTF-8 byte offsets, end exclusive. */
export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: 'app.bsky.richtext.facet#link'; uri: string } | { $type: 'app.bsky.richtext.facet#tag'; tag: string }>;
}

export interface PostRequest {
  /** The queue's job id, for logs. */
  jobId: string;
  text: string;
  /** Bluesky only. */
  facets?: Facet[];
  /** BCP-47 tags of the text's language(s). */
  langs: string[];
  /** The article the post links to, for link cards and media. */
  link: { url: string; title: string; description: string; image?: string };
  /**
   * Chosen once, stored with the job before the first attempt, the same on every retry.
   * Bluesky uses it as the record key (a TID), so a retry can never make a second record.
   */
  postKey: string;
  /** Attach the article's image as media (X), or only use it as the card's thumb (Bluesky). */
  media: 'none' | 'image';
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
  readonly platform: PlatformId;
  readonly account: string;
  /**
   * Publishes one post. Throws a HerautError whose code decides what happens next:
   * platform-auth (account needs attention, no retry), platform-rejected (this post fails for good),
   * platform-rate-limited (retry at retryAt), platform-unavailable (retry with backoff).
   */
  publish(request: PostRequest, signal?: AbortSignal): Promise<PostResult>;
  /** Checks the credentials against the platform; returns who we are posting as. */
  verify(): Promise<{ handle: string }>;
  close?(): Promise<void>;
}
