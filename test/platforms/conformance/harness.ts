import type { PlatformAccount, PlatformId } from '../../../src/platforms/registry.js';

/** What a case does to the next post request of an account. */
export type PostFault =
  /** The server does the post, but its answer never arrives (the connection drops). */
  | 'lose-answer'
  | '5xx'
  | '429'
  /** The server refuses the request with a message that quotes its Authorization header. */
  | 'echo-authorization';

export interface HarnessAccount {
  account: PlatformAccount;
  /** Every credential value the account's config holds. */
  secrets: string[];
}

/** One platform's real or emulated server, started once for the suite's cases. */
export interface HarnessServer {
  /** A fresh account with its own posts; `badCredentials`: one the server will refuse (401). */
  account(options?: { badCredentials?: boolean }): Promise<HarnessAccount>;
  failNextPost(account: HarnessAccount, fault: PostFault): void;
  /** The texts of the account's posts, as the server has them. */
  posts(account: HarnessAccount): Promise<string[]>;
  /** Whether the server itself takes this text as a post, without heraut's own checks. */
  acceptsText(account: HarnessAccount, text: string): Promise<boolean>;
  close(): Promise<void>;
}

/** How the conformance suite runs a platform: every registered platform has one (see harnesses.ts). */
export interface PlatformHarness {
  platform: PlatformId;
  start(): Promise<HarnessServer>;
}
