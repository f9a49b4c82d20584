/**
 * @edx-data/course-extractor: the course structure of an edX course (the `parent_data`
 * chain of every block, and edx2bigquery's course axis), loaded into the course database; and
 * the course's tracking events, extracted from the master database by a course config and
 * joined with that structure, with McGill's `problem_ids`.
 */
export {
  buildCourseStructure,
  countByCategory,
  PARENT_DATA_CATEGORIES,
  SPLICED_CATEGORIES,
} from './build-course-structure.js';
export type {
  BuildCourseStructureOptions,
  CourseAxisData,
  CourseAxisRow,
  CourseStructure,
  ParentData,
  ParentDataCategory,
  StructureBlock,
  StructureIssues,
} from './build-course-structure.js';
export { DEFAULT_MAX_STRUCTURE_BYTES, importCourseStructure } from './import-course-structure.js';
export type {
  ImportCourseStructureOptions,
  ImportCourseStructureSummary,
  StructureInput,
} from './import-course-structure.js';
export { importPackage } from './import-package.js';
export type {
  ImportPackageOptions,
  ImportPackageResult,
  NotImportedFile,
  PackageFileKind,
  PackageFileResult,
  PackageFileStatus,
  PackageProgress,
} from './import-package.js';
export type { PackageLedgerEntry } from './package-ledger.js';
export { parseUsageKey } from './usage-key.js';
export type { ParsedUsageKey } from './usage-key.js';
export { parseCourseConfig, readCourseConfig } from './course-config.js';
export type { CourseConfig, CourseConfigFile, ParseCourseConfigOptions } from './course-config.js';
export {
  COURSE_TRACKING_INDEXES,
  courseTrackingFilter,
  enrichEvent,
  extractCourseTracking,
} from './extract-course-tracking.js';
export type {
  EnrichResult,
  EventEnrichment,
  ExtractCourseTrackingOptions,
  ExtractCourseTrackingSummary,
} from './extract-course-tracking.js';
export { indexBlocks, lookupBlock, lookupUrlBlock, resolveEventBlock } from './resolve-block.js';
export type {
  BlockIndex,
  EventBlock,
  IndexedBlock,
  StructureBlockFields,
} from './resolve-block.js';
export { buildProblemIds, problemIdDocument } from './problem-ids.js';
export type {
  BuildProblemIdsOptions,
  BuildProblemIdsSummary,
  ProblemIdDocument,
} from './problem-ids.js';
export { dayRange, startOfDay } from './zoned-day.js';
