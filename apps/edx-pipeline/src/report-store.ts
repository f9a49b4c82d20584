import { isAbsolute, relative } from 'node:path';
import type { Store } from '@edx-data/store';
import type { RunReport } from './run-report/run-report.js';

const MONGODB_HOSTS = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?#]*)/u;

/**
 * The store as a run report names it, for a page that may be shared: an embedded store's
 * folder relative to the report's folder (`base`); a MongoDB store's hosts only, never its
 * user, password, database or options.
 */
export function storeForReport(
  store: Pick<Store, 'engine' | 'location'>,
  base: string,
): RunReport['store'] {
  if (store.engine === 'mongodb') {
    const hosts = MONGODB_HOSTS.exec(store.location)?.[1] ?? '';
    return { engine: 'mongodb', location: hosts === '' ? '(a MongoDB server)' : hosts };
  }
  const folder = isAbsolute(store.location) ? relative(base, store.location) : store.location;
  return { engine: store.engine, location: folder === '' ? '.' : folder };
}
