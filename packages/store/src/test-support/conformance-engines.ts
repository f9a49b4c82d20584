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
import type { Store } from '../types.js';

/** One engine the conformance suite runs against. */
export type ConformanceEngine = TestEngine<Store>;

/** A database-name prefix unique to this run (so parallel runs on one server never meet). */
export const RUN_PREFIX = runPrefix('conf_');

export { detectFerretDb };

/** The embedded engine in a fresh folder under the OS temp folder. */
export function embeddedEngine(): ConformanceEngine {
  return sharedEmbeddedEngine(openStore);
}

/** The MongoDB engine through `openStore(uri)`; this run's databases are dropped afterwards. */
export function mongoEngine(uri: string, ferretdb: boolean): ConformanceEngine {
  return sharedMongoEngine(openStore, uri, ferretdb, RUN_PREFIX);
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
  // (says why when unset; under CI, a missing server fails the run)
  const uri = mongoTestUri();
  if (uri === undefined) return [embeddedEngine()];
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
