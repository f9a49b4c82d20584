/**
 * The store engines the loader tests run on: the embedded engine in a temporary folder
 * always, and the MongoDB engine when `MONGODB_URI` is set (otherwise the skip is printed).
 * Every database a test makes starts with {@link RUN_PREFIX}, so runs sharing one server never
 * meet, and is dropped at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEdxDataError } from '@edx-data/core';
import type { Store } from '@edx-data/store';

/** The store, imported when a test opens it (as `loadTable` does). */
async function openStore(location: string): Promise<Store> {
  const store = await import('@edx-data/store');
  return store.openStore(location);
}

/** A course-org prefix unique to this run: databases are named `<org>_<course>_<run>`. */
export const RUN_PREFIX = `L${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export interface TestEngine {
  readonly label: string;
  open(): Promise<Store>;
  /** Drop this run's databases, close the store, remove temporary folders. */
  cleanup(store: Store | undefined): Promise<void>;
}

async function dropRunDatabases(store: Store): Promise<void> {
  for (const { name } of await store.listDatabases()) {
    if (name.startsWith(RUN_PREFIX)) await store.dropDatabase(name);
  }
}

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine(): TestEngine {
  let dir: string | undefined;
  return {
    label: 'embedded',
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'edx-sql-load-'));
      return openStore(dir);
    },
    async cleanup(store) {
      await store?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The embedded engine, and the MongoDB engine when `MONGODB_URI` is set (else says so). */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [embeddedEngine()];
  const uri = process.env['MONGODB_URI'];
  if (uri === undefined || uri === '') {
    console.log('loadTable on the MongoDB engine: skipped (set MONGODB_URI to run)');
  } else {
    engines.push({
      label: 'MongoDB',
      open: () => openStore(uri),
      async cleanup(store) {
        if (store === undefined) return;
        try {
          await dropRunDatabases(store);
        } finally {
          await store.close();
        }
      },
    });
  }
  return engines;
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
