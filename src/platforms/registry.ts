import type { z } from 'zod';
import type { accountSchemas } from './account-schemas.js';
import { HerautError } from '../errors.js';
import { scrubSecrets, type Logger } from '../log.js';
import { blueskyPlatform } from './bluesky/bluesky-platform.js';
import { mastodonPlatform } from './mastodon/mastodon-platform.js';
import type { ErrorContext, PlatformSpec, PostResult, Publisher, SessionStore, TextLength } from './platform.js';
import { xPlatform } from './x/x-platform.js';

/** Every platform heraut posts to. Adding one is adding its folder, one line here and one in account-schemas.ts. */
const specs = [xPlatform, blueskyPlatform, mastodonPlatform] as const;

export type PlatformId = (typeof specs)[number]['id'];
type AnySpec = PlatformSpec<PlatformId, PlatformAccount>;

const registry: ReadonlyMap<string, AnySpec> = new Map(specs.map((spec) => [spec.id, spec as AnySpec]));

export const platformIds = [...registry.keys()] as PlatformId[];

/** Any registered platform's account, as the config holds it. */
export type PlatformAccount = z.infer<(typeof accountSchemas)[number]>;

export function isPlatformId(id: string): id is PlatformId {
  return registry.has(id);
}

export function platformSpec(id: string): AnySpec {
  const spec = registry.get(id);
  if (!spec) throw new HerautError('config-invalid', `platform "${id}" is not supported; must be one of: ${platformIds.join(', ')}`);
  return spec;
}

export function measureText(platform: string, text: string): TextLength {
  return platformSpec(platform).measure(text);
}

/** The key a job stores for a target before its first attempt. */
export function newPostKey(platform: string): Promise<string> {
  return platformSpec(platform).newPostKey();
}

/** USD one post costs on this account (pay-per-use APIs); 0 where posting is free. */
export function postPrice(account: PlatformAccount): number {
  return platformSpec(account.platform).postPrice?.(account) ?? 0;
}

/** The account's monthly spending cap in USD, if it has one. */
export function monthlyBudget(account: PlatformAccount): number | undefined {
  return platformSpec(account.platform).monthlyBudget?.(account);
}

export interface PublisherDeps {
  log: Logger;
  /** Where platforms keep login sessions between runs. */
  sessions: SessionStore;
}

/**
 * The account's publisher. Whatever it throws comes out as the platform's HerautError (or, when the platform does
 * not know the error, as the bug it is), scrubbed of credentials: this is where platform errors are stored from.
 */
export async function createPublisher(name: string, account: PlatformAccount, deps: PublisherDeps): Promise<Publisher> {
  const spec = platformSpec(account.platform);
  const guard = (action: string) => (error: unknown) => {
    throw platformError(spec, error, { account: name, action });
  };
  const publisher = await spec.createPublisher({ name, account, log: deps.log.child({ account: name, platform: spec.id }), sessions: deps.sessions }).catch(guard('start'));
  return {
    platform: spec.id,
    account: name,
    publish: (request, signal): Promise<PostResult> => publisher.publish(request, signal).catch(guard('post')),
    verify: () => publisher.verify().catch(guard('verify the credentials')),
    close: async () => publisher.close?.(),
  };
}

/**
 * The error a platform call ends with, as it may be stored and printed: mapped by the platform, message and details
 * scrubbed, and without the client's error as cause (it holds the request, headers included).
 */
export function platformError(spec: Pick<PlatformSpec, 'id' | 'label' | 'mapError'>, error: unknown, context: ErrorContext): Error {
  const mapped = spec.mapError(error, context);
  if (!mapped) {
    const bug = new Error(scrubSecrets(`account ${context.account}: unexpected error from ${spec.label} while trying to ${context.action}: ${error instanceof Error ? error.message : String(error)}`));
    if (error instanceof Error) {
      bug.name = error.name;
      if (error.stack) bug.stack = scrubSecrets(error.stack);
    }
    return bug;
  }
  const details = mapped.details && (JSON.parse(scrubSecrets(JSON.stringify(mapped.details))) as Record<string, unknown>);
  return new HerautError(mapped.code, scrubSecrets(mapped.message), { retryable: mapped.retryable, retryAt: mapped.retryAt, details });
}
