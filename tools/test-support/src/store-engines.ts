/**
 * The store engines a suite runs on: the embedded engine in a temporary folder always, and the
 * MongoDB engine of `MONGODB_URI` when set (FerretDB in `npm test`; told apart by `buildInfo`).
 * Every database a suite makes starts with its run prefix and is dropped at the end, so runs
 * sharing one server never meet.
 *
 * Generic over the store (it takes `openStore`), so that this package depends on no
 * `@edx-data` package and the store's own tests may use it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { mongoTestUri } from './mongodb.js';

/** What the helpers need of a store. */
export interface ClosableStore {
  listDatabases(): Promise<readonly { readonly name: string }[]>;
  dropDatabase(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** One engine a suite runs on. */
export interface TestEngine<S extends ClosableStore> {
  /** Shown in test names: `embedded`, `MongoDB (FerretDB)`, `MongoDB`. */
  readonly label: string;
  /** True when the server is FerretDB (its known gaps are skipped, with the reason printed). */
  readonly ferretdb: boolean;
  open(): Promise<S>;
  /** Drop this run's databases, close the store, remove temporary folders. */
  cleanup(store: S | undefined): Promise<void>;
}

/** A database-name prefix unique to this run, starting with `tag`. */
export function runPrefix(tag: string): string {
  return `${tag}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Ask the server at `uri` whether it is FerretDB (its `buildInfo` has `ferretdbVersion`). A
 * server that cannot be reached counts as "not FerretDB": opening the store then fails with
 * its own, clearer error.
 */
export async function detectFerretDb(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine<S extends ClosableStore>(
  openStore: (location: string) => Promise<S>,
): TestEngine<S> {
  let dir: string | undefined;
  return {
    label: 'embedded',
    ferretdb: false,
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'edx-test-store-'));
      return openStore(dir);
    },
    async cleanup(store) {
      await store?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The MongoDB engine at `uri`; the databases starting with `prefix` are dropped afterwards. */
export function mongoEngine<S extends ClosableStore>(
  openStore: (location: string) => Promise<S>,
  uri: string,
  ferretdb: boolean,
  prefix: string,
): TestEngine<S> {
  return {
    label: ferretdb ? 'MongoDB (FerretDB)' : 'MongoDB',
    ferretdb,
    open: () => openStore(uri),
    async cleanup(store) {
      if (store === undefined) return;
      try {
        for (const { name } of await store.listDatabases()) {
          if (name.startsWith(prefix)) await store.dropDatabase(name);
        }
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * The embedded engine, and the MongoDB engine when `mongoTestUri()` gives one (else the skip
 * is printed, or under CI the run fails).
 */
export async function testEngines<S extends ClosableStore>(
  openStore: (location: string) => Promise<S>,
  prefix: string,
): Promise<TestEngine<S>[]> {
  const engines: TestEngine<S>[] = [embeddedEngine(openStore)];
  const uri = mongoTestUri();
  if (uri !== undefined) {
    engines.push(mongoEngine(openStore, uri, await detectFerretDb(uri), prefix));
  }
  return engines;
}
