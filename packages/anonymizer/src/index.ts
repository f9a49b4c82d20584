/**
 * @edx-data/anonymizer: keyed pseudonyms, PII scrubbing and disclosure control for shareable
 * edX datasets. The pure core (pseudonyms, scrubbing, generalising, a row at a time) is
 * separate from the file driver ({@link anonymizeFiles}).
 */
export { anonymizeFiles } from './anonymize-files.js';
export type { AnonymizeFilesOptions } from './anonymize-files.js';
export { AUDIT_FILE } from './audit.js';
export type {
  AnonymisationAudit,
  ColumnAudit,
  DisclosureAudit,
  DisclosurePlanJson,
  FileAudit,
} from './audit.js';
export { parseDataDictionary, planColumns } from './column-plan.js';
export type {
  ColumnAction,
  ColumnOptions,
  ColumnPlan,
  DataDictionary,
  DictionaryColumn,
} from './column-plan.js';
export type { Disclosure, DisclosureFactory } from './disclosure-contract.js';
export {
  COURSE_SET_LEVELS,
  countryPlace,
  DEFAULT_MAX_SUPPRESSION,
  DisclosureControl,
  generaliseCourseSet,
  valueHierarchy,
  yearBand,
} from './disclosure/index.js';
export type {
  CountryPlace,
  DisclosureOptions,
  DisclosurePlan,
  HierarchyName,
  QuasiIdentifier,
  ValueHierarchy,
} from './disclosure/index.js';
export { HIERARCHY_NAMES } from './disclosure/hierarchies.js';
export { fakeValues } from './fake-values.js';
export type { FakeValueSettings } from './fake-values.js';
export { birthYearBand, ipToCountry, isCountryColumn, shiftDate } from './generalise.js';
export type { CountryLookup } from './generalise.js';
export { geoIpCountryLookup } from './geoip.js';
export { AnonymizationKey, MIN_KEY_BYTES } from './key.js';
export { IDENTIFIER_CLASSES, LearnerDirectory } from './learner-directory.js';
export type { IdentifierClass, Learner, LearnerRecord } from './learner-directory.js';
export { loadLearnerDirectory } from './load-learner-directory.js';
export { PSEUDONYM_PATTERN, PSEUDONYM_PREFIX, Pseudonymizer } from './pseudonymizer.js';
export { emptyColumnCounts, RowAnonymizer } from './row-anonymizer.js';
export type { ColumnCounts, RowAnonymizerSettings } from './row-anonymizer.js';
export { emptyScrubCounts, placeholder, SCRUB_KINDS, Scrubber } from './scrubber.js';
export type { Replacer, ScrubberOptions, ScrubCounts, ScrubKind } from './scrubber.js';
export { CsvFileWriter, readCsv } from './csv-io.js';
export type { CsvRecord } from './csv-io.js';
