import { BlueskyAccount } from './bluesky/bluesky-account.js';
import { MastodonAccount } from './mastodon/mastodon-account.js';
import type { AccountSchema } from './platform.js';
import type { PlatformId } from './registry.js';
import { XAccount } from './x/x-account.js';

/**
 * The account schemas of the registered platforms, in registry order, for the config's account union. Apart from the
 * registry so that what only runs platforms (a cycle that finds nothing new) never loads the schema library.
 */
export const accountSchemas = [XAccount, BlueskyAccount, MastodonAccount] as const;

// A platform in the registry without its schema here, or the reverse, does not compile.
type SchemaIds = (typeof accountSchemas)[number] extends AccountSchema<infer Id> ? Id : never;
const sameIds: [SchemaIds, PlatformId] extends [PlatformId, SchemaIds] ? true : never = true;
void sameIds;
