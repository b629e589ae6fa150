import path from 'node:path';
import { listIfExists } from '../atomic-file.js';
import { lockHolder } from '../file-lock.js';
import type { Holding } from '../stores.js';

const lockName = /^([A-Za-z0-9][A-Za-z0-9_-]*)\.lock$/;

async function holdingsIn(dir: string, kind: Holding['kind'], now: Date): Promise<Holding[]> {
  const names = await listIfExists(dir);
  const holdings: Holding[] = [];
  // Job ids and account names have no dot, so the state files' short locks (feeds.json.lock) are not listed.
  for (const name of names.sort()) {
    const id = lockName.exec(name)?.[1];
    const held = id ? await lockHolder(path.join(dir, name), now) : undefined;
    if (held) holdings.push({ kind, id: id!, ...held });
  }
  return holdings;
}

/** The live job claims (locks/<job>.lock) and account leases (locks/accounts/<account>.lock); a folder's feeds have no poll lease. */
export async function fileHolders(dir: string, now: Date): Promise<Holding[]> {
  const locks = path.join(dir, 'locks');
  return [...(await holdingsIn(path.join(locks, 'accounts'), 'account', now)), ...(await holdingsIn(locks, 'job', now))];
}
