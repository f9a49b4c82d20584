/** The engines of the store's own suites: the shared test engines, bound to this package's openStore. */
import {
  detectFerretDb,
  embeddedEngine as sharedEmbeddedEngine,
  mongoTestUri,
  mongoEngine as sharedMongoEngine,
  runPrefix,
} from '@edx-data/test-support';
import type { TestEngine } from '@edx-data/test-support';
import { openStore } from '../open-store.js';
import type { EngineKind, Store } from '../types.js';
import { bucketedStore } from './bucketed-store.js';

/**
 * One engine the conformance suite runs against, and the kind of collection its tests use:
 * plain, or bucketed (made with the `timeseries` option: bucketed-store.ts).
 */
export interface ConformanceEngine extends TestEngine<Store> {
  readonly engine: EngineKind;
  readonly collections: 'plain' | 'bucketed';
}

/** A database-name prefix unique to this run (so parallel runs on one server never meet). */
export const RUN_PREFIX = runPrefix('conf_');

export { detectFerretDb };

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine(): ConformanceEngine {
  return { ...sharedEmbeddedEngine(openStore), engine: 'embedded', collections: 'plain' };
}

/** The MongoDB engine through `openStore(uri)`; this run's databases are dropped afterwards. */
export function mongoEngine(uri: string, ferretdb: boolean): ConformanceEngine {
  return {
    ...sharedMongoEngine(openStore, uri, ferretdb, RUN_PREFIX),
    engine: 'mongodb',
    collections: 'plain',
  };
}

/**
 * `plain` (a fresh engine, not shared), with every collection of the bucketed kind: the
 * embedded engine's bucketed collections, or the MongoDB engine's collections made with the
 * `timeseries` option (plain ones, with a meta and time index).
 */
export function bucketedEngine(plain: ConformanceEngine): ConformanceEngine {
  return {
    label: `${plain.label}, ${plain.engine === 'embedded' ? 'bucketed' : 'timeseries'} collections`,
    ferretdb: plain.ferretdb,
    engine: plain.engine,
    collections: 'bucketed',
    open: async () => bucketedStore(await plain.open()),
    cleanup: (store) => plain.cleanup(store),
  };
}

/** Tests an engine cannot pass, by test name, with the reason; printed, then skipped there. */
export interface KnownGaps {
  /** Where FerretDB departs from MongoDB's documented behaviour. */
  readonly ferretdb: Readonly<Record<string, string>>;
  /** Where the embedded engine does (documented in the store's README). */
  readonly embedded: Readonly<Record<string, string>>;
  /**
   * Tests that are not for the bucketed kind of collection (they update, replace or index
   * documents, which the embedded engine's bucketed collections refuse): skipped for that
   * kind on both engines, so that both run the same tests.
   */
  readonly bucketed: Readonly<Record<string, string>>;
  /** Where the embedded engine's bucketed collections depart from its plain ones (README). */
  readonly embeddedBucketed: Readonly<Record<string, string>>;
}

/**
 * The engines a conformance suite runs on: the embedded one always, the MongoDB engine when
 * `MONGODB_URI` is set (otherwise skipped, saying so); each with plain collections, then with
 * bucketed ones. Prints the known gaps of each.
 */
export async function conformanceEngines(
  suite: string,
  gaps: KnownGaps,
): Promise<ConformanceEngine[]> {
  for (const [test, reason] of Object.entries(gaps.embedded)) {
    console.log(`${suite}: embedded engine: known gap: ${test}: ${reason}`);
  }
  for (const [test, reason] of Object.entries(gaps.bucketed)) {
    console.log(`${suite}: bucketed collections: not a query test: ${test}: ${reason}`);
  }
  for (const [test, reason] of Object.entries(gaps.embeddedBucketed)) {
    console.log(`${suite}: embedded engine, bucketed collections: known gap: ${test}: ${reason}`);
  }
  const engines = [embeddedEngine(), bucketedEngine(embeddedEngine())];
  // (says why when unset; under CI, a missing server fails the run)
  const uri = mongoTestUri();
  if (uri === undefined) return engines;
  const ferretdb = await detectFerretDb(uri);
  if (ferretdb) {
    for (const [test, reason] of Object.entries(gaps.ferretdb)) {
      console.log(`${suite}: MongoDB engine (FerretDB): known gap: ${test}: ${reason}`);
    }
  }
  return [...engines, mongoEngine(uri, ferretdb), bucketedEngine(mongoEngine(uri, ferretdb))];
}

/** Whether a test runs on an engine: not when it is a known gap there. */
export function isKnownGap(engine: ConformanceEngine, gaps: KnownGaps, name: string): boolean {
  return (
    (engine.ferretdb && name in gaps.ferretdb) ||
    (engine.engine === 'embedded' && name in gaps.embedded) ||
    (engine.collections === 'bucketed' && name in gaps.bucketed) ||
    (engine.engine === 'embedded' &&
      engine.collections === 'bucketed' &&
      name in gaps.embeddedBucketed)
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
