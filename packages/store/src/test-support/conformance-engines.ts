import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { openStore } from '../open-store.js';
import type { Store } from '../types.js';

/** One engine the conformance suite runs against. */
export interface ConformanceEngine {
  /** Shown in test names: `embedded`, `MongoDB`. */
  readonly label: string;
  /** True when the server is FerretDB (its known gaps are skipped, with the reason printed). */
  readonly ferretdb: boolean;
  /** Open the store; `prefix` is the database-name prefix of this run. */
  open(): Promise<Store>;
  /** Drop this run's databases, close the store, remove temp folders. */
  cleanup(store: Store | undefined): Promise<void>;
}

/** A database-name prefix unique to this run (so parallel runs on one server never meet). */
export const RUN_PREFIX = `conf_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

async function dropRunDatabases(store: Store): Promise<void> {
  for (const { name } of await store.listDatabases()) {
    if (name.startsWith(RUN_PREFIX)) await store.dropDatabase(name);
  }
}

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine(): ConformanceEngine {
  let dir: string | undefined;
  return {
    label: 'embedded',
    ferretdb: false,
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'edx-store-conformance-'));
      return openStore(dir);
    },
    async cleanup(store) {
      await store?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Ask the server at `uri` whether it is FerretDB (its `buildInfo` has `ferretdbVersion`).
 * A server that cannot be reached counts as "not FerretDB": opening the store then fails
 * with its own, clearer error.
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

/** The MongoDB engine through `openStore(uri)`; this run's databases are dropped afterwards. */
export function mongoEngine(uri: string, ferretdb: boolean): ConformanceEngine {
  return {
    label: ferretdb ? 'MongoDB (FerretDB)' : 'MongoDB',
    ferretdb,
    open: () => openStore(uri),
    async cleanup(store) {
      if (store === undefined) return;
      try {
        await dropRunDatabases(store);
      } finally {
        await store.close();
      }
    },
  };
}

/** Tests an engine cannot pass, by test name, with the reason; printed, then skipped there. */
export interface KnownGaps {
  /** Where FerretDB departs from MongoDB's documented behaviour. */
  readonly ferretdb: Readonly<Record<string, string>>;
  /** Where the embedded engine does (documented in the store's README). */
  readonly embedded: Readonly<Record<string, string>>;
}

/**
 * The engines a conformance suite runs on: the embedded one always, the MongoDB engine when
 * `MONGODB_URI` is set (otherwise skipped, saying so). Prints the known gaps of each.
 */
export async function conformanceEngines(
  suite: string,
  gaps: KnownGaps,
): Promise<ConformanceEngine[]> {
  for (const [test, reason] of Object.entries(gaps.embedded)) {
    console.log(`${suite}: embedded engine: known gap: ${test}: ${reason}`);
  }
  const uri = process.env['MONGODB_URI'];
  if (uri === undefined || uri === '') {
    console.log(`${suite}: MongoDB engine: skipped (set MONGODB_URI to run)`);
    return [embeddedEngine()];
  }
  const ferretdb = await detectFerretDb(uri);
  if (ferretdb) {
    for (const [test, reason] of Object.entries(gaps.ferretdb)) {
      console.log(`${suite}: MongoDB engine (FerretDB): known gap: ${test}: ${reason}`);
    }
  }
  return [embeddedEngine(), mongoEngine(uri, ferretdb)];
}

/** Whether a test runs on an engine: not when it is a known gap there. */
export function isKnownGap(engine: ConformanceEngine, gaps: KnownGaps, name: string): boolean {
  return (
    (engine.ferretdb && name in gaps.ferretdb) ||
    (engine.label === 'embedded' && name in gaps.embedded)
  );
}

/** What a promise rejected with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
