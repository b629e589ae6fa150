import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Account } from '../config/schema.js';
import { HerautError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PlatformId, Publisher } from './platform.js';

export interface PublisherDeps {
  log: Logger;
  /** The queue's folder: Bluesky keeps its session there. */
  queueDir: string;
}

/** Platform clients are imported on first use so that `heraut --help` and dry runs stay fast. */
export async function createPublisher(name: string, account: Account, deps: PublisherDeps): Promise<Publisher> {
  const log = deps.log.child({ account: name, platform: account.platform });
  switch (account.platform) {
    case 'x': {
      const { createXPublisher } = await import('./x/x-publisher.js');
      return createXPublisher({ name, account, log });
    }
    case 'bluesky': {
      const { createBlueskyPublisher } = await import('./bluesky/bluesky-publisher.js');
      return createBlueskyPublisher({ name, account, log, sessionFile: path.join(deps.queueDir, 'sessions', `bluesky-${name}.json`) });
    }
    default:
      throw new HerautError('config-invalid', `account ${name}: platform "${(account as { platform: string }).platform}" is not supported; must be one of: x, bluesky`);
  }
}

/** The key a job stores for a target before its first attempt; Bluesky needs a TID as record key. */
export async function newPostKey(platform: PlatformId): Promise<string> {
  if (platform === 'bluesky') {
    const { newBlueskyPostKey } = await import('./bluesky/bluesky-publisher.js');
    return newBlueskyPostKey();
  }
  return randomUUID();
}

/** USD one post costs on this account (pay-per-use APIs); 0 where posting is free. */
export function postPrice(account: Account): number {
  return account.platform === 'x' ? (account.budget?.pricePerPost ?? 0.2) : 0;
}

/** The account's monthly spending cap in USD, if it has one. */
export function monthlyBudget(account: Account): number | undefined {
  return account.platform === 'x' ? account.budget?.monthly : undefined;
}
