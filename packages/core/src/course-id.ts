/**
 * Course ids: every form an edX course id takes in the data packages and tracking logs,
 * parsed into one typed result with a canonical key. Pure functions, no I/O.
 *
 * Forms understood (see edx-formats.md §4 and §5.5):
 *
 * - `Org/Course/Run` (old "slash" ids, before Oct 2014)
 * - `course-v1:Org+Course+Run` (optionally `+branch@…+version@…`)
 * - `ccx-v1:Org+Course+Run+ccx@N` (custom courses)
 * - `block-v1:Org+Course+Run+type@x+block@y` and `asset-v1:…` (→ their course)
 * - `i4x://Org/Course/category/name` and `c4x://Org/Course/asset/name`, which carry no run
 *   (except the course root `i4x://Org/Course/course/Run`, whose name is the run)
 * - course URLs and paths, `/courses/<id>/…` or `https://host/courses/<id>/…`, with `<id>`
 *   in either the slash or the `course-v1:` form, percent-encoded or not.
 */
import { InputError } from './errors.js';

/** Which written form a course id was found in. */
export type CourseIdForm =
  'slash' | 'course-v1' | 'ccx-v1' | 'block-v1' | 'asset-v1' | 'i4x' | 'c4x' | 'url';

/** A complete course id: org, course number and run are all known. */
export interface CourseId {
  readonly hasRun: true;
  readonly org: string;
  readonly course: string;
  readonly run: string;
  /** The CCX number, for `ccx-v1:` ids only. */
  readonly ccx?: string;
  /** Canonical key: `course-v1:Org+Course+Run`, or `ccx-v1:Org+Course+Run+ccx@N` for a CCX. */
  readonly key: string;
  /** The old slash form `Org/Course/Run` (of the master course, for a CCX). */
  readonly legacy: string;
  /** The form the id was written in. */
  readonly form: CourseIdForm;
}

/**
 * A course id without a run, as found in old `i4x://` and `c4x://` locations. The run cannot
 * be recovered from such a location alone, so there is no key.
 */
export interface RunlessCourseId {
  readonly hasRun: false;
  readonly org: string;
  readonly course: string;
  readonly run: undefined;
  readonly ccx?: undefined;
  readonly key: undefined;
  readonly legacy: undefined;
  readonly form: 'i4x' | 'c4x';
}

/** The result of {@link tryParseCourseId}. Test `hasRun` before using `key`. */
export type ParsedCourseId = CourseId | RunlessCourseId;

/** Where {@link courseIdOfEvent} found the course id of an event. */
export type EventCourseIdSource = 'context' | 'event_type' | 'page' | 'login_next' | 'event';

/** The course id of a tracking event. */
export interface EventCourseId {
  /** Canonical key, as in {@link CourseId.key}. */
  readonly key: string;
  /** The slash form `Org/Course/Run`. */
  readonly legacy: string;
  readonly source: EventCourseIdSource;
}

/** Characters allowed in one part of a course id (opaque-keys `[\w\-~.:]`, Unicode-aware). */
const PART = /^[\p{L}\p{N}_.~:-]+$/u;
/** A part must hold at least one letter or digit (rules out `.` and `..`). */
const HAS_ALNUM = /[\p{L}\p{N}]/u;

function isPart(text: string): boolean {
  return PART.test(text) && HAS_ALNUM.test(text);
}

/** Formats the canonical key of a course (or of a CCX when `ccx` is given). */
export function formatCourseKey(org: string, course: string, run: string, ccx?: string): string {
  return ccx === undefined
    ? `course-v1:${org}+${course}+${run}`
    : `ccx-v1:${org}+${course}+${run}+ccx@${ccx}`;
}

function full(
  org: string,
  course: string,
  run: string,
  form: CourseIdForm,
  ccx?: string,
): CourseId | null {
  if (!isPart(org) || !isPart(course) || !isPart(run)) return null;
  if (ccx !== undefined && !/^\d+$/.test(ccx)) return null;
  const base = {
    hasRun: true as const,
    org,
    course,
    run,
    key: formatCourseKey(org, course, run, ccx),
    legacy: `${org}/${course}/${run}`,
    form,
  };
  return ccx === undefined ? base : { ...base, ccx };
}

function runless(org: string, course: string, form: 'i4x' | 'c4x'): RunlessCourseId | null {
  if (!isPart(org) || !isPart(course)) return null;
  return { hasRun: false, org, course, run: undefined, key: undefined, legacy: undefined, form };
}

const KEY_PREFIX = /^(course-v1|ccx-v1|block-v1|asset-v1):(.*)$/;

/** `course-v1:`, `ccx-v1:`, `block-v1:` and `asset-v1:` keys. */
function parseOpaqueKey(text: string): CourseId | null {
  const match = KEY_PREFIX.exec(text);
  if (match === null) return null;
  const form = match[1] as 'course-v1' | 'ccx-v1' | 'block-v1' | 'asset-v1';
  let body = match[2] ?? '';
  // A key that went through form decoding has its `+` turned into spaces.
  if (!body.includes('+') && body.includes(' ')) body = body.replaceAll(' ', '+');
  // `asset-v1:…+type@asset+block/Unit_1.pdf` (as seen in textbook URLs): cut at the first `/`.
  const slash = body.indexOf('/');
  if (slash >= 0) body = body.slice(0, slash);
  const parts = body.split('+');
  const [org, course, run] = parts;
  if (org === undefined || course === undefined || run === undefined) return null;
  if ([org, course, run].some((p) => p.includes('@'))) return null;
  let ccx: string | undefined;
  for (const tagged of parts.slice(3)) {
    const at = tagged.indexOf('@');
    if (at <= 0) {
      // `…+block` with its value cut off by a `/` is only tolerated at the end of asset keys.
      if (form === 'asset-v1' && tagged === 'block') continue;
      return null;
    }
    if (tagged.slice(0, at) === 'ccx') ccx = tagged.slice(at + 1);
  }
  if (form === 'ccx-v1' && ccx === undefined) return null;
  if (form !== 'ccx-v1' && ccx !== undefined) return null;
  return full(org, course, run, form, ccx);
}

/** `i4x://Org/Course/category/name[@rev]` and `c4x://Org/Course/asset/name`. */
function parseLocation(text: string): ParsedCourseId | null {
  const match = /^(i4x|c4x):\/\/(.*)$/.exec(text);
  if (match === null) return null;
  const form = match[1] as 'i4x' | 'c4x';
  return parseLocationSegments(form, (match[2] ?? '').split('/'));
}

function parseLocationSegments(
  form: 'i4x' | 'c4x',
  segments: readonly string[],
): ParsedCourseId | null {
  const [org, course, category, name] = segments;
  if (org === undefined || course === undefined) return null;
  // The course root `i4x://Org/Course/course/Run` names its run.
  if (form === 'i4x' && category === 'course' && name !== undefined && name !== '') {
    const run = name.split('@')[0] ?? '';
    const id = full(org, course, run, 'i4x');
    if (id !== null) return id;
  }
  return runless(org, course, form);
}

function parseSlash(text: string): CourseId | null {
  // A failed `course-v1:…` key is not an org.
  if (KEY_PREFIX.test(text)) return null;
  const parts = text.split('/');
  if (parts.length !== 3) return null;
  const [org, course, run] = parts as [string, string, string];
  return full(org, course, run, 'slash');
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const URL_PREFIX = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** True when `text` looks like a URL or an absolute path (not like a bare id). */
function looksLikeUrl(text: string): boolean {
  return text.startsWith('/') || /^https?:\/\//i.test(text);
}

/** Finds the course of a URL or a path: `/courses/<id>/…`, else an embedded key. */
function parseUrl(text: string): ParsedCourseId | null {
  let path = text.replace(URL_PREFIX, '');
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  const segments = path.split('/').map(decodeSegment);
  const at = segments.indexOf('courses');
  if (at >= 0) {
    const first = segments[at + 1] ?? '';
    const keyed = parseOpaqueKey(first) ?? (first.includes('/') ? parseSlash(first) : null);
    if (keyed !== null) return { ...keyed, form: 'url' };
    const [org, course, run] = segments.slice(at + 1, at + 4);
    if (!KEY_PREFIX.test(first) && org !== undefined && course !== undefined && run !== undefined) {
      const slash = full(org, course, run, 'url');
      if (slash !== null) return slash;
    }
  }
  // No course URL: an asset, block or course key somewhere in the path, or an old `/c4x/` path.
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const keyed = parseOpaqueKey(segment);
    if (keyed !== null) return { ...keyed, form: 'url' };
    if ((segment === 'c4x' || segment === 'i4x') && i > 0 && i + 2 < segments.length) {
      const located = parseLocationSegments(segment, segments.slice(i + 1));
      if (located !== null) return located;
    }
  }
  return null;
}

/**
 * Parses a course id in any of its forms (see the module comment), or returns `null` when
 * `text` holds none. Dots, dashes and underscores inside course numbers and runs are kept.
 *
 * @example tryParseCourseId('MITx/6.00.1x/1T2014')?.key // 'course-v1:MITx+6.00.1x+1T2014'
 */
export function tryParseCourseId(text: string): ParsedCourseId | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (looksLikeUrl(trimmed)) return parseUrl(trimmed);
  const bare = decodeSegment(trimmed);
  return parseOpaqueKey(bare) ?? parseLocation(bare) ?? parseSlash(bare);
}

/**
 * Like {@link tryParseCourseId}, but throws an {@link InputError} `E_COURSE_ID` when `text`
 * holds no course id.
 */
export function parseCourseId(text: string): ParsedCourseId {
  const parsed = tryParseCourseId(text);
  if (parsed === null) {
    throw new InputError('E_COURSE_ID', `not a course id: ${JSON.stringify(text)}`);
  }
  return parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function completeId(text: unknown): CourseId | null {
  if (typeof text !== 'string') return null;
  const parsed = tryParseCourseId(text);
  return parsed?.hasRun === true ? parsed : null;
}

function completeUrlId(text: unknown): CourseId | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  return looksLikeUrl(trimmed) ? completeId(trimmed) : null;
}

/** The `event` payload as an object: browser and implicit events hold it as a JSON string. */
function payloadOf(event: Record<string, unknown>): Record<string, unknown> | null {
  const payload = event['event'];
  if (isRecord(payload)) return payload;
  if (typeof payload !== 'string' || !payload.trimStart().startsWith('{')) return null;
  try {
    const decoded: unknown = JSON.parse(payload);
    return isRecord(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

const LOGIN_PATH = /^\/(?:accounts\/)?login\/?$/;
/** `"next": ["…"]` inside an implicit event cut at 512 characters (invalid JSON). */
const NEXT_IN_TRUNCATED = /"next":\s*\[?\s*"((?:[^"\\]|\\.)*)"/;

function loginNext(event: Record<string, unknown>): unknown {
  const payload = payloadOf(event);
  if (payload !== null) {
    const get = payload['GET'];
    if (!isRecord(get)) return undefined;
    const next = get['next'];
    return Array.isArray(next) ? (next[0] as unknown) : next;
  }
  const raw = event['event'];
  if (typeof raw !== 'string') return undefined;
  const match = NEXT_IN_TRUNCATED.exec(raw);
  if (match === null) return undefined;
  try {
    return JSON.parse(`"${match[1] ?? ''}"`) as unknown;
  } catch {
    return undefined;
  }
}

function result(id: CourseId | null, source: EventCourseIdSource): EventCourseId | null {
  return id === null ? null : { key: id.key, legacy: id.legacy, source };
}

/**
 * The canonical course id of a tracking event, and where it was found, or `null` when the
 * event names no course. Tried in order:
 *
 * 1. `context.course_id` (`'context'`), when it is a non-empty, valid id;
 * 2. the URL path in `event_type` (`'event_type'`): implicit server events such as
 *    `/courses/<id>/courseware/…`;
 * 3. the URL in `page` (`'page'`): browser events;
 * 4. `event.GET.next` of `/accounts/login` (or `/accounts/login/`, `/login`) events
 *    (`'login_next'`), also when the event string was cut at 512 characters;
 * 5. `event.course_id` (`'event'`): enrollment events and other server events.
 *
 * Unlike the McGillX loader it replaces, it never fails on a missing field, does not take an
 * empty `context.course_id`, does not depend on `event_source`, keeps dots, and reads
 * `course-v1:` URLs correctly. Ids without a run (`i4x://…`) are not returned.
 */
export function courseIdOfEvent(event: unknown): EventCourseId | null {
  if (!isRecord(event)) return null;
  const context = event['context'];
  const fromContext = isRecord(context) ? completeId(context['course_id']) : null;
  if (fromContext !== null) return result(fromContext, 'context');

  const eventType = event['event_type'];
  const fromType = result(completeUrlId(eventType), 'event_type');
  if (fromType !== null) return fromType;

  const fromPage = result(completeUrlId(event['page']), 'page');
  if (fromPage !== null) return fromPage;

  if (typeof eventType === 'string' && LOGIN_PATH.test(eventType.trim())) {
    const fromNext = result(completeUrlId(loginNext(event)), 'login_next');
    if (fromNext !== null) return fromNext;
  }

  const payload = payloadOf(event);
  return payload === null ? null : result(completeId(payload['course_id']), 'event');
}
