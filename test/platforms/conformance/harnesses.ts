import { blueskyHarness } from '../bluesky/bluesky-harness.js';
import { mastodonHarness } from '../mastodon/mastodon-harness.js';
import { xHarness } from '../x/x-harness.js';
import type { PlatformHarness } from './harness.js';

/** One harness per registered platform; the suite fails for a platform that has none. */
export const harnesses: PlatformHarness[] = [xHarness, blueskyHarness, mastodonHarness];
