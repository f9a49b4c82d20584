/**
 * The tracking-log parser as an async generator over lines (from core's `readLines`, or any
 * `AsyncIterable<{ line, text }>`). No I/O of its own.
 */
import { UsageError } from '@edx-data/core';
import { parseTrackingLine, REJECT_REASONS } from './parse-tracking-line.js';
import type { RejectedLine, RejectReason, TrackingEvent } from './parse-tracking-line.js';

export interface ParseTrackingLogOptions {
  /** The file name put into `_load_file` and into rejected lines. */
  readonly file: string;
  /** The load time put into `_load_date`. @default the time of the call */
  readonly loadDate?: Date;
  /** Called for each line that is not loaded (it is also counted in the summary). */
  readonly onReject?: (rejected: RejectedLine) => void;
}

/** Counts for the lines parsed so far; final once iteration has ended. */
export interface TrackingLogSummary {
  readonly file: string;
  /** Lines received (= loaded events + rejected + blank). */
  lines: number;
  /** Blank and `#` comment lines: skipped, not rejected. */
  blank: number;
  /** Events yielded (repeated lines included). */
  events: number;
  /** Rejected lines per reason. */
  readonly rejected: Record<RejectReason, number>;
  /** Events whose line had a logging prefix. */
  prefixed: number;
  /** Events whose `event` string was decoded / kept because cut at 512 / kept as not JSON. */
  eventDecoded: number;
  eventTruncated: number;
  eventUnparsed: number;
  /** Events per canonical course key. */
  readonly eventsByCourse: Record<string, number>;
  /** Events without a course id. */
  eventsWithoutCourse: number;
  /** Earliest and latest `_time` (lines are not sorted by time), or null before the first event. */
  firstTime: Date | null;
  lastTime: Date | null;
}

/** The generator returned by {@link parseTrackingLog}, with its live {@link TrackingLogSummary}. */
export type TrackingLogParser = AsyncGenerator<TrackingEvent, TrackingLogSummary, undefined> & {
  readonly summary: Readonly<TrackingLogSummary>;
};

function newSummary(file: string): TrackingLogSummary {
  const rejected = {} as Record<RejectReason, number>;
  for (const reason of REJECT_REASONS) rejected[reason] = 0;
  return {
    file,
    lines: 0,
    blank: 0,
    events: 0,
    rejected,
    prefixed: 0,
    eventDecoded: 0,
    eventTruncated: 0,
    eventUnparsed: 0,
    eventsByCourse: {},
    eventsWithoutCourse: 0,
    firstTime: null,
    lastTime: null,
  };
}

/**
 * Parse a tracking log line by line into normalised events (see `parseTrackingLine` for the
 * rules). Rejected lines go to `onReject` and into `summary.rejected`; parsing goes on.
 *
 * @example
 * const input = await openInput(path);
 * const events = parseTrackingLog(readLines(input.stream, { file: path }), { file: path, onReject: (r) => log(r) });
 * for await (const event of events) store(event);
 * await input.done;
 * console.log(events.summary); // { lines, blank, events, rejected: { 'not-json': 2, … }, eventsByCourse, … }
 *
 * @throws UsageError `E_OPTION` for a missing `file` or an invalid `loadDate`.
 */
export function parseTrackingLog(
  lines: AsyncIterable<{ readonly line: number; readonly text: string }>,
  options: ParseTrackingLogOptions,
): TrackingLogParser {
  if (typeof options.file !== 'string') {
    throw new UsageError('E_OPTION', 'parseTrackingLog: `file` must be a string');
  }
  const loadDate = options.loadDate ?? new Date();
  if (!(loadDate instanceof Date) || Number.isNaN(loadDate.getTime())) {
    throw new UsageError('E_OPTION', 'parseTrackingLog: `loadDate` must be a valid Date');
  }
  const summary = newSummary(options.file);
  const generator = parse(lines, options.file, loadDate, options.onReject, summary);
  return Object.assign(generator, { summary });
}

async function* parse(
  lines: AsyncIterable<{ readonly line: number; readonly text: string }>,
  file: string,
  loadDate: Date,
  onReject: ((rejected: RejectedLine) => void) | undefined,
  summary: TrackingLogSummary,
): AsyncGenerator<TrackingEvent, TrackingLogSummary, undefined> {
  const ctx = { file, line: 0, loadDate };
  const byCourse = summary.eventsByCourse;
  for await (const { line, text } of lines) {
    summary.lines += 1;
    ctx.line = line;
    const result = parseTrackingLine(text, ctx);
    if (result.kind === 'blank') {
      summary.blank += 1;
      continue;
    }
    if (result.kind === 'rejected') {
      summary.rejected[result.rejected.reason] += 1;
      onReject?.(result.rejected);
      continue;
    }
    const event = result.event;
    summary.events += 1;
    if (event._prefix !== undefined) summary.prefixed += 1;
    if (event._event_decoded === true) summary.eventDecoded += 1;
    else if (event._event_truncated === true) summary.eventTruncated += 1;
    else if (event._event_unparsed === true) summary.eventUnparsed += 1;
    const course = event._course_id;
    if (course === null) summary.eventsWithoutCourse += 1;
    else byCourse[course] = (byCourse[course] ?? 0) + 1;
    const time = event._time;
    if (summary.firstTime === null || time < summary.firstTime) summary.firstTime = time;
    if (summary.lastTime === null || time > summary.lastTime) summary.lastTime = time;
    yield event;
  }
  return summary;
}
