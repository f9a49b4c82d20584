/**
 * @edx-data/csv-exporter: the research report catalogue of edX data. Every report is a typed,
 * documented definition over a course database (either store engine); an export writes RFC
 * 4180 CSV with a data dictionary per report and a manifest per run.
 */
export { exportReports, eventWindow } from './export-reports.js';
export type {
  ExportedReport,
  ExportManifest,
  ExportProgress,
  ExportReportsOptions,
} from './export-reports.js';
export { CATALOGUE, DATASETS, REPORTS, findReport } from './catalogue.js';
export { CsvWriter, cellText } from './csv-writer.js';
export type { CsvWriterOptions, WrittenFile } from './csv-writer.js';
export { dataDictionary } from './data-dictionary.js';
export type { DataDictionary } from './data-dictionary.js';
export { LearnerDirectory } from './learners.js';
export type { Learner, LearnerColumns } from './learners.js';
export { parseParameters } from './parameters.js';
export type { ParsedParameters } from './parameters.js';
export { renderDatasetsDoc, renderReportsDoc } from './reports-doc.js';
export { runTrackingPass } from './tracking-pass.js';
export type { PassMember, TrackingPassSummary } from './tracking-pass.js';
export type {
  ColumnSpec,
  ColumnType,
  Emit,
  EventWindow,
  IdentifierRole,
  ParameterSpec,
  ParameterType,
  ParameterValue,
  QueryReport,
  ReportContext,
  ReportDefinition,
  Row,
  TrackingReducer,
  TrackingReport,
} from './report.js';
