/**
 * The store engines the loader tests run on: the embedded engine in a temporary folder
 * always, and the MongoDB engine when `MONGODB_URI` is set (otherwise the skip is printed).
 * Every database a test makes starts with {@link RUN_PREFIX}, so runs sharing one server never
 * meet, and is dropped at the end.
 */
import { isEdxDataError } from '@edx-data/core';
import type { Store } from '@edx-data/store';
import {
  embeddedEngine as sharedEmbeddedEngine,
  runPrefix,
  testEngines as sharedTestEngines,
} from '@edx-data/test-support';
import type { TestEngine as SharedTestEngine } from '@edx-data/test-support';

/** The store, imported when a test opens it (as `loadTable` does). */
async function openStore(location: string): Promise<Store> {
  const store = await import('@edx-data/store');
  return store.openStore(location);
}

/** A course-org prefix unique to this run: databases are named `<org>_<course>_<run>`. */
export const RUN_PREFIX = runPrefix('L');

export type TestEngine = SharedTestEngine<Store>;

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine(): TestEngine {
  return sharedEmbeddedEngine(openStore);
}

/** The embedded engine, and the MongoDB engine of `MONGODB_URI` (else the skip is printed). */
export function testEngines(): Promise<TestEngine[]> {
  return sharedTestEngines(openStore, RUN_PREFIX);
}

/**
 * True when the engine refuses `rename` with `dropTarget` (FerretDB v1): told through the store
 * API itself, in a scratch database of this run.
 */
export async function lacksDropTarget(store: Store): Promise<boolean> {
  const db = store.db(`${RUN_PREFIX}_probe`);
  await db.collection('a').insertMany([{ _id: 1 }]);
  await db.collection('b').insertMany([{ _id: 2 }]);
  try {
    await db.collection('a').rename('b', { dropTarget: true });
    return false;
  } catch (error) {
    if (isEdxDataError(error) && error.code === 'E_UNSUPPORTED') return true;
    throw error;
  } finally {
    await store.dropDatabase(db.name);
  }
}

/**
 * True when the engine stores arrays of arrays (FerretDB v1 does not: `auth_userprofile.meta`
 * holds `{ old_emails: [[…]] }`), told through the store API in a scratch database.
 */
export async function storesNestedArrays(store: Store): Promise<boolean> {
  const db = store.db(`${RUN_PREFIX}_probe`);
  try {
    await db.collection('nested').insertMany([{ _id: 1, a: [[1]] }]);
    return true;
  } catch (error) {
    if (isEdxDataError(error) && error.name === 'StoreError') return false;
    throw error;
  } finally {
    await store.dropDatabase(db.name);
  }
}
