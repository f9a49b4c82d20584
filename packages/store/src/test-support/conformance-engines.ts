/** The engines of the store's own suites: the shared test engines, bound to this package's openStore. */
import {
  detectFerretDb,
  embeddedEngine as sharedEmbeddedEngine,
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
