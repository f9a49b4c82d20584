/**
 * The pure per-line core of the tracking-log parser: one line of text in, one normalised
 * event (or a blank line, or a rejected line) out. No I/O; the hot path of a load.
 */
import { hash } from 'node:crypto';
import { courseIdOfEvent, setJsonSource } from '@edx-data/core';
import { ObjectId } from 'bson';
import type { EventCourseId, EventCourseIdSource } from '@edx-data/core';

/** Why a line was not loaded. */
export type RejectReason =
  /** No `{` on the line: nothing that could be a JSON object. */
  | 'not-object'
  /** The text from the first `{` (trailing comma and whitespace removed) is not valid JSON. */
  | 'not-json'
  /** `time` is missing or not an ISO 8601 time (see {@link parseEventTime}). */
  | 'bad-time'
  /** The object already has a top-level field with one of the {@link ADDED_FIELDS} names. */
  | 'reserved-field';

/** Every {@link RejectReason}. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'not-object',
  'not-json',
  'bad-time',
  'reserved-field',
];

/** A line that was not loaded, with its text, so that nothing is lost. */
export interface RejectedLine {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly reason: RejectReason;
  /** What was wrong (the JSON error, the bad `time` value). */
  readonly detail: string;
  /** The line exactly as read. */
  readonly raw: string;
}

/** The fields the parser adds beside the original ones. They all start with `_`. */
export interface AddedFields {
  /**
   * The event's identity, a function of the line text alone (see {@link eventId}): the `time`
   * in whole seconds (4 bytes) then the first 8 bytes of the SHA-1 of the line as read (a
   * trailing `\r` removed). A repeated or re-delivered line has the same `_id`; ids sort by
   * time, so the inserts of a day's log land at the end of the `_id` index, not all over it.
   */
  _id: ObjectId;
  /** `time` as a Date (UTC; a time without a zone is UTC; millisecond precision). */
  _time: Date;
  /** Canonical course key (`course-v1:Org+Course+Run`, or `ccx-v1:…`), or null. */
  _course_id: string | null;
  /** The same course as `Org/Course/Run`, or null. */
  _course_id_legacy: string | null;
  /** Where the course id was found (core's `courseIdOfEvent`), or null. */
  _course_id_source: EventCourseIdSource | null;
  /** The `file` option of the parse. */
  _load_file: string;
  /** 1-based line number in that file. */
  _load_line: number;
  /** The `loadDate` option (the same Date instance for every event of a parse). */
  _load_date: Date;
  /** The text before the first `{` (a logging prefix), when there was one. */
  _prefix?: string;
  /** `event` was a string holding JSON (browser events); it now holds the decoded value. */
  _event_decoded?: true;
  /** `event` is a string that starts with `{` or `[`, is exactly 512 characters long and is not valid JSON (cut by edX). Kept as is. */
  _event_truncated?: true;
  /** `event` is another non-empty string that is not JSON (URL-encoded form bodies, double-encoded `problem_check` strings, cut JSON of other lengths). Kept as is. */
  _event_unparsed?: true;
}

/** The names of {@link AddedFields}. An input object that already has one is rejected (`reserved-field`). */
export const ADDED_FIELDS = [
  '_id',
  '_time',
  '_course_id',
  '_course_id_legacy',
  '_course_id_source',
  '_load_file',
  '_load_line',
  '_load_date',
  '_prefix',
  '_event_decoded',
  '_event_truncated',
  '_event_unparsed',
] as const satisfies readonly (keyof AddedFields)[];

/** A normalised tracking event: every original field, as parsed, plus {@link AddedFields}. */
export type TrackingEvent = AddedFields & { [field: string]: unknown };

/** Where a line comes from. */
export interface LineContext {
  readonly file: string;
  readonly line: number;
  readonly loadDate: Date;
}

/** What {@link parseTrackingLine} made of a line. */
export type ParsedTrackingLine =
  | { readonly kind: 'event'; readonly event: TrackingEvent }
  | { readonly kind: 'blank' }
  | { readonly kind: 'rejected'; readonly rejected: RejectedLine };

const BLANK: ParsedTrackingLine = Object.freeze({ kind: 'blank' });

const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const COMMA = 0x2c;

/** `YYYY-MM-DD[T ]hh:mm:ss[.f{1,6}][Z|±hh:mm]` (the slow path of {@link parseEventTime}). */
const TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:?\d\d)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xfeff;
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Two ASCII digits at `i`, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common forms without a regex: `YYYY-MM-DDThh:mm:ss`, then nothing, `Z`, `+00:00`, or a
 * fraction of 1–6 digits followed by nothing, `Z` or `+00:00`. Returns NaN when the text is
 * not one of these (the regex then decides), or null when it is but the date is impossible.
 */
function fastTime(s: string): Date | null | number {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return NaN;
  if (s.charCodeAt(10) !== 0x54 || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) {
    return NaN;
  }
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if ((y1 | y2 | month | day | hour | minute | second) < 0) return NaN;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 0x2e) {
    i += 1;
    let digits = 0;
    while (i < n && digits < 7) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (digits < 3) ms = ms * 10 + d;
      digits += 1;
      i += 1;
    }
    if (digits === 0 || digits > 6) return NaN;
    if (digits === 1) ms *= 100;
    else if (digits === 2) ms *= 10;
  }
  const rest = n - i;
  if (rest === 1) {
    if (s.charCodeAt(i) !== 0x5a) return NaN; // Z
  } else if (rest === 6) {
    if (s.slice(i) !== '+00:00') return NaN;
  } else if (rest !== 0) {
    return NaN;
  }
  const year = y1 * 100 + y2;
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

/**
 * Parse an event `time`: ISO 8601 with `T` (or a space), seconds, an optional fraction of 1–6
 * digits and an optional zone (`Z`, `+00:00`, `+0000`, any offset). No zone means UTC.
 * Returns null for anything else, including impossible dates (`2014-02-30`).
 */
export function parseEventTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const fast = fastTime(value);
  if (typeof fast !== 'number') return fast;
  const m = TIME.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number(`${fraction}00`.slice(0, 3));
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.charCodeAt(0) === 0x2d ? -1 : 1;
    const digits = zone.length === 6 ? zone.slice(1, 3) + zone.slice(4) : zone.slice(1);
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return null;
    t -= sign * (hours * 60 + minutes) * 60_000;
  }
  return new Date(t);
}

/**
 * The `_id` of the event on `line` whose `time` is `time`: an ObjectId made of the time in
 * seconds since 1970 (clamped to the 4 bytes an ObjectId has: 1970–2106) and the first 8
 * bytes of the line's SHA-1. Two different lines collide only when they fall in the same
 * second and share 64 bits of SHA-1.
 */
export function eventId(line: string, time: Date): ObjectId {
  const bytes = Buffer.allocUnsafe(12);
  const seconds = Math.floor(time.getTime() / 1000);
  bytes.writeUInt32BE(Math.min(Math.max(seconds, 0), 0xffffffff), 0);
  hash('sha1', line, 'buffer').copy(bytes, 4, 0, 8);
  return new ObjectId(bytes);
}

/**
 * The fields the parser sets on the object `JSON.parse` gave, in the order it sets them (see
 * `setJsonSource` of `@edx-data/core`), by what became of `event` and whether there was a prefix.
 */
const COURSE_AND_LOAD = [
  '_course_id',
  '_course_id_legacy',
  '_course_id_source',
  '_load_file',
  '_load_line',
  '_load_date',
] as const;
type EventOutcome = 'kept' | 'decoded' | 'truncated' | 'unparsed';
const OUTCOME_FIELDS: Record<EventOutcome, readonly string[]> = {
  kept: [],
  decoded: ['event', '_event_decoded'],
  truncated: ['_event_truncated'],
  unparsed: ['_event_unparsed'],
};
const SET_FIELDS = new Map<string, readonly string[]>();
for (const outcome of Object.keys(OUTCOME_FIELDS) as EventOutcome[]) {
  for (const prefix of [false, true]) {
    SET_FIELDS.set(`${outcome}${prefix ? '+' : ''}`, [
      '_id',
      '_time',
      ...OUTCOME_FIELDS[outcome],
      ...COURSE_AND_LOAD,
      ...(prefix ? ['_prefix'] : []),
    ]);
  }
}

/** `context.course_id` text → core's answer for it; bounded. */
const contextCourseCache = new Map<string, EventCourseId | null>();
const MAX_CACHED_COURSE_IDS = 10_000;

/**
 * `courseIdOfEvent(event)`, with the answer for `context.course_id` (its first and usual
 * source) cached per text: the same result, far cheaper on a daily log of a few courses.
 */
function courseOf(event: Record<string, unknown>): EventCourseId | null {
  const context = event['context'];
  if (typeof context === 'object' && context !== null) {
    const text = (context as Record<string, unknown>)['course_id'];
    if (typeof text === 'string') {
      let found = contextCourseCache.get(text);
      if (found === undefined) {
        if (contextCourseCache.size >= MAX_CACHED_COURSE_IDS) contextCourseCache.clear();
        found = courseIdOfEvent({ context: { course_id: text } });
        contextCourseCache.set(text, found);
      }
      if (found !== null) return found;
    }
  }
  return courseIdOfEvent(event);
}

function reject(
  ctx: LineContext,
  reason: RejectReason,
  detail: string,
  raw: string,
): ParsedTrackingLine {
  return {
    kind: 'rejected',
    rejected: { file: ctx.file, line: ctx.line, reason, detail, raw },
  };
}

/**
 * Parse one line of a tracking log.
 *
 * - Blank lines and `#` comment lines (test fixtures) give `{ kind: 'blank' }`.
 * - Anything before the first `{` is a logging prefix: it is removed (and kept in `_prefix`).
 *   Trailing whitespace and one trailing comma (ELAT's JSON-array lines) are removed.
 * - The rest must be a JSON object with a parsable `time`, else the line is rejected.
 * - Original fields are kept; only `event` changes, and only when it is a string holding a
 *   JSON object or array: it then holds the decoded value and `_event_decoded` is set.
 *
 * @example
 * const r = parseTrackingLine('{"event_type":"play_video","time":"2014-05-02T16:02:25+00:00","event":"{\\"id\\":\\"x\\"}"}', { file: 'a.log', line: 1, loadDate: new Date() });
 * // r.kind === 'event'; r.event.event → { id: 'x' }; r.event._time → 2014-05-02T16:02:25.000Z
 */
export function parseTrackingLine(text: string, ctx: LineContext): ParsedTrackingLine {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x0d) end -= 1;
  const line = end === text.length ? text : text.slice(0, end);

  let start = 0;
  if (line.charCodeAt(0) !== OPEN_BRACE) {
    start = line.indexOf('{');
    if (start === -1) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.charCodeAt(0) === 0x23) return BLANK;
      return reject(ctx, 'not-object', 'no "{" on the line', text);
    }
    const before = line.slice(0, start).trimStart();
    if (before.charCodeAt(0) === 0x23) return BLANK; // a `#` comment that holds a brace
  }
  let last = end - 1;
  if (line.charCodeAt(last) !== 0x7d) {
    while (last > start && isSpace(line.charCodeAt(last))) last -= 1;
    if (line.charCodeAt(last) === COMMA) {
      last -= 1;
      while (last > start && isSpace(line.charCodeAt(last))) last -= 1;
    }
  }
  const json = start === 0 && last === end - 1 ? line : line.slice(start, last + 1);

  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return reject(ctx, 'not-json', (error as Error).message, text);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject(ctx, 'not-object', 'not a JSON object', text);
  }
  const event = parsed as Record<string, unknown>;
  // All added names start with `_`: look for them only when the text has a `"_` (or a
  // `\u005f` escape that could spell one).
  if (json.includes('"_') || json.includes('\\u005')) {
    for (const name of ADDED_FIELDS) {
      if (Object.hasOwn(event, name)) {
        return reject(ctx, 'reserved-field', `the line has a field "${name}"`, text);
      }
    }
  }
  const time = parseEventTime(event['time']);
  if (time === null) {
    return reject(
      ctx,
      'bad-time',
      event['time'] === undefined ? 'time missing' : `time ${JSON.stringify(event['time'])}`,
      text,
    );
  }

  const out = event as TrackingEvent;
  out._id = eventId(line, time);
  out._time = time;

  let outcome: EventOutcome = 'kept';
  const payload = event['event'];
  if (typeof payload === 'string' && payload !== '') {
    const c = payload.charCodeAt(0);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      try {
        out['event'] = JSON.parse(payload) as unknown;
        out._event_decoded = true;
        outcome = 'decoded';
      } catch {
        if (payload.length === 512) {
          out._event_truncated = true;
          outcome = 'truncated';
        } else {
          out._event_unparsed = true;
          outcome = 'unparsed';
        }
      }
    } else {
      out._event_unparsed = true;
      outcome = 'unparsed';
    }
  }

  const course = courseOf(event);
  out._course_id = course === null ? null : course.key;
  out._course_id_legacy = course === null ? null : course.legacy;
  out._course_id_source = course === null ? null : course.source;
  out._load_file = ctx.file;
  out._load_line = ctx.line;
  out._load_date = ctx.loadDate;
  if (start > 0) out._prefix = line.slice(0, start);
  // The text and what was set on it: a bucketed store keeps these instead of encoding the event.
  setJsonSource(out, json, SET_FIELDS.get(`${outcome}${start > 0 ? '+' : ''}`) ?? []);
  return { kind: 'event', event: out };
}
