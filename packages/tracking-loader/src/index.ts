/**
 * @edx-data/tracking-loader: edX tracking logs into a master database: idempotent, resumable,
 * nothing lost. The parsing core (issue 6, item 1) and the loader (items 2, 3, 5).
 */
export { parseTrackingLog } from './parse-tracking-log.js';
export type {
  ParseTrackingLogOptions,
  TrackingLogParser,
  TrackingLogSummary,
} from './parse-tracking-log.js';
export {
  ADDED_FIELDS,
  parseEventTime,
  parseTrackingLine,
  REJECT_REASONS,
} from './parse-tracking-line.js';
export type {
  AddedFields,
  LineContext,
  ParsedTrackingLine,
  RejectedLine,
  RejectReason,
  TrackingEvent,
} from './parse-tracking-line.js';
export {
  createTrackingCollection,
  loadTrackingLogs,
  TRACKING_INDEXES,
  TRACKING_TIMESERIES,
  trackingLayout,
} from './load-tracking-logs.js';
export { convertTrackingCollection } from './convert-tracking.js';
export type { ConvertTrackingOptions, ConvertTrackingResult } from './convert-tracking.js';
export { findTrackingLogs } from './find-tracking-logs.js';
export type { FoundTrackingLogs, IgnoredFile, TrackingLogFile } from './find-tracking-logs.js';
export type {
  LoadTrackingLogsOptions,
  LoadTrackingLogsResult,
  TrackingFileResult,
  TrackingLayout,
  TrackingLedgerEntry,
  TrackingLoadProgress,
} from './load-tracking-logs.js';
