import { HerautError } from '../errors.js';
import type { Stores, StoresOptions } from './stores.js';

/** Opens the stores the configuration's `queue:` value names: a folder, or a postgres:// URL. */
export async function openStores(options: StoresOptions): Promise<Stores> {
  if (/^postgres(ql)?:\/\//i.test(options.location)) return (await import('./postgres/postgres-stores.js')).openPostgresStores(options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(options.location)) {
    throw new HerautError('config-invalid', `queue: "${options.location.split('://')[0]}://" is not a supported store; give a folder or a postgres:// URL`);
  }
  const { openFileStores } = await import('./file-store.js');
  return openFileStores(options);
}
