/**
 * @edx-data/tracking-loader: edX tracking logs into a master database: idempotent, resumable,
 * nothing lost. This release has the parsing core (issue 6, item 1).
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
  ParsedLine,
  RejectedLine,
  RejectReason,
  TrackingEvent,
} from './parse-tracking-line.js';
