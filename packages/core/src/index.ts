export { EdxDataError, InputError, StoreError, UsageError, isEdxDataError } from './errors.js';
export type { EdxDataErrorOptions, ErrorCode, ErrorPosition } from './errors.js';
export { redactSecrets, redactUri } from './redact.js';
export { IDENTIFIER_ROLES, isIdentifierRole } from './identifier-role.js';
export type { IdentifierRole } from './identifier-role.js';
export {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  MAX_DATABASE_NAME_BYTES,
  PACKAGE_LEDGER,
  PIPELINE_LEDGER,
  tableCollection,
} from './layout.js';
export { courseIdOfEvent, formatCourseKey, parseCourseId, tryParseCourseId } from './course-id.js';
export type {
  CourseId,
  CourseIdForm,
  EventCourseId,
  EventCourseIdSource,
  ParsedCourseId,
  RunlessCourseId,
} from './course-id.js';
export { classifyFile, ORA_TABLES, PACKAGE_TABLES } from './classify-file.js';
export type {
  ClassifyFileOptions,
  CourseStructureFile,
  EdxEventsFile,
  EmailOptInFile,
  EventsFile,
  EventsSite,
  FailedFile,
  FileClassification,
  FileCourse,
  FileKind,
  ForumFile,
  OlxFile,
  PackageZipFile,
  SelfHostedEventsFile,
  TableFile,
  UnknownFile,
} from './classify-file.js';
export { walkInputs } from './walk-inputs.js';
export type { InputFile, WalkInputsOptions } from './walk-inputs.js';
export { openInput } from './open-input.js';
export type {
  InputLayer,
  InputVerdict,
  OpenedInput,
  OpenInputOptions,
  PassphraseProvider,
} from './open-input.js';
export { DEFAULT_MAX_LINE_BYTES, readLines } from './read-lines.js';
export { lineBatches } from './line-batches.js';
export type { BatchSummary, LineBatch, LineBatchSettings } from './line-batches.js';
export type { Line, LineReader, LineSummary, ReadLinesOptions } from './read-lines.js';
export { listZipEntries } from './zip-archive.js';
export type { ZipEntryInfo } from './zip-archive.js';
export type { ZipEntryInput } from './open-input.js';
export type { Progress, ProgressCallback } from './progress.js';
export { JSON_SOURCE, jsonSourceOf, setJsonSource } from './json-source.js';
export type { JsonSource, WithJsonSource } from './json-source.js';
