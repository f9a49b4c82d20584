/**
 * Helpers of the time and session datasets: which events count (anchors.md §4a conventions),
 * the activity category of an event (E2B `make_time_on_task.py`), UTC day numbers, medians.
 */
import { UsageError } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { ReportContext } from '../report.js';
import { eventTime, eventUserId, payloadOf, userIdOf } from '../reports/values.js';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/**
 * Whether an event counts as a learner's event (anchors.md §4a conventions, E2B's filter for
 * person_course_day and time_on_task): a non-empty `username` and a string `event_type` that
 * does not contain `/xblock/` (xblock handler URLs duplicate the semantic events).
 */
export function isLearnerEvent(event: Document): boolean {
  const username = event['username'];
  const type = event['event_type'];
  return (
    typeof username === 'string' &&
    username !== '' &&
    typeof type === 'string' &&
    !type.includes('/xblock/')
  );
}

/** The activity categories of time on task, in column order. */
export const CATEGORIES = ['video', 'problem', 'forum', 'text'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Index of a category in {@link CATEGORIES}, or -1 for `other`. */
export type CategoryIndex = -1 | 0 | 1 | 2 | 3;

const VIDEO = /\w_video|\w_transcript/u;
const PROBLEM = /problem_\w/u;

/**
 * The activity category of an event type (E2B `make_time_on_task.py`, first match wins):
 * - a URL event type (starting with `/`): `forum` when it contains `/discussion/`, `text`
 *   when it contains `/wiki/`, else other (E2B also tests its video and problem patterns on
 *   URLs, where a course id or a page name such as `…/problem_set/` matched by accident);
 * - `video`: `*_video`, `*_transcript` (E2B), or `edx.video.*` (newer and mobile names);
 * - `problem`: `problem_*` anywhere in the name (`problem_check`, `save_problem_check`, …);
 * - `forum`: `edx.forum.*`;
 * - `text`: `textbook.*`;
 * - else other (-1).
 */
export function categoryOf(type: string): CategoryIndex {
  if (type.startsWith('/')) {
    if (type.includes('/discussion/')) return 2;
    if (type.includes('/wiki/')) return 3;
    return -1;
  }
  if (type.startsWith('edx.video.') || VIDEO.test(type)) return 0;
  if (PROBLEM.test(type)) return 1;
  if (type.startsWith('edx.forum.')) return 2;
  if (type.startsWith('textbook.')) return 3;
  return -1;
}

/** The UTC day number of a time (days since 1970-01-01). */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** A UTC day number as `YYYY-MM-DD`. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The median of numbers (the mean of the two middle ones for an even count); null if none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const high = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? high : ((sorted[mid - 1] ?? 0) + high) / 2;
}

/** A parameter that must be a number > 0 (minutes, seconds), or its default. */
export function positiveMinutes(context: ReportContext, name: string, fallback: number): number {
  const value = context.params[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError('E_OPTION', `${name}: expected a number > 0, got ${String(value)}`);
  }
  return value;
}

/** The enrollment event types (anchors.md §4a item 11). */
export const ENROLLMENT_EVENTS: readonly string[] = [
  'edx.course.enrollment.activated',
  'edx.course.enrollment.deactivated',
  'edx.course.enrollment.mode_changed',
];

/** What the enrollment datasets keep of an enrollment event (small: held until the end). */
export interface EnrollmentEvent {
  readonly id: string;
  /** The enrolled learner: `event.user_id`, else `context.user_id`. */
  readonly userId: number | null;
  /** The event's `username` when it is the learner's own event, else null. */
  readonly username: string | null;
  readonly time: number;
  readonly type: string;
  readonly mode: string | null;
}

/** An enrollment event's fields, or null for any other event (or one without a time). */
export function enrollmentEventOf(event: Document): EnrollmentEvent | null {
  const type = event['event_type'];
  if (typeof type !== 'string' || !ENROLLMENT_EVENTS.includes(type)) return null;
  const time = eventTime(event);
  if (time === null) return null;
  const payload = payloadOf(event);
  const sender = eventUserId(event);
  const learner = userIdOf(payload['user_id']) ?? sender;
  const name = event['username'];
  const own = typeof name === 'string' && name !== '' && (sender === null || sender === learner);
  const mode = payload['mode'];
  return {
    id: String(event['_id']),
    userId: learner,
    username: own ? name : null,
    time: time.getTime(),
    type,
    mode: typeof mode === 'string' && mode !== '' ? mode : null,
  };
}
