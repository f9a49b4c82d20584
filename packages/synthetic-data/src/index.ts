/**
 * @edx-data/synthetic-data: a realistic synthetic edX data package with ground truth, for
 * tests, benchmarks and the demo.
 */
export { generatePackage, GROUND_TRUTH_FILE } from './generate-package.js';
export type {
  CourseTruth,
  EventTotals,
  GeneratedFile,
  GeneratedFileKind,
  GeneratedPackage,
  GroundTruth,
} from './generate-package.js';
export { QUIRKS } from './options.js';
export type { GeneratePackageOptions, Quirk } from './options.js';
export { GENERATED_TABLES } from './tables.js';
export type { GeneratedTable } from './tables.js';
export { generateTestKey } from './test-key.js';
export type { TestKey, TestKeyOptions } from './test-key.js';
export type { EventFileTruth } from './tracking-events.js';
export { escapeTsvField } from './tsv.js';
