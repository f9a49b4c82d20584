/**
 * Helpers of the problem reports (`problem_attempts`, `activities_with_lower_completion`,
 * `entrance_exit_surveys`): the window filter on `problem_ids.time`, problem names from the
 * course structure, and the sub-questions of a server `problem_check` event.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { EventWindow, ReportContext } from '../report.js';
import { isRecord, userIdOf } from './values.js';

/** The `$match` of `problem_ids` documents in the window (on `time`) and of these problems. */
export function problemMatch(
  window: EventWindow,
  problemIds: readonly string[] | undefined,
): Document {
  const match: Record<string, unknown> = {};
  if (problemIds !== undefined && problemIds.length > 0) match['problem_id'] = { $in: problemIds };
  const time: Record<string, Date> = {};
  if (window.from !== null) time['$gte'] = window.from;
  if (window.toExclusive !== null) time['$lt'] = window.toExclusive;
  if (Object.keys(time).length > 0) match['time'] = time;
  return match;
}

/** Display name of every block of the course structure, by its id. */
export async function blockNames(context: ReportContext): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const structure = context.db.collection(COURSE_COLLECTIONS.course_structure);
  for await (const block of structure.find(
    {},
    { projection: { _id: 1, display_name: 1, metadata: 1 } },
  )) {
    const metadata = isRecord(block['metadata']) ? block['metadata'] : {};
    const name = block['display_name'] ?? metadata['display_name'];
    if (typeof block['_id'] === 'string' && typeof name === 'string') names.set(block['_id'], name);
  }
  return names;
}

/** The problem's display name: from the structure, else the event's `context.module`. */
export function problemName(doc: Document, names: ReadonlyMap<string, string>): string | null {
  const id = doc['problem_id'];
  const fromStructure = typeof id === 'string' ? names.get(id) : undefined;
  if (fromStructure !== undefined) return fromStructure;
  const module = doc['module'];
  return isRecord(module) && typeof module['display_name'] === 'string'
    ? module['display_name']
    : null;
}

/** One sub-question of an attempt. */
export interface SubAnswer {
  /** The answer key (`<block>_<part>_<input>`). */
  readonly key: string;
  /** Its question text (`submission[key].question`), null when the event has none. */
  readonly question: string | null;
  /** The answer as text: a string as is, a list or other value as JSON. */
  readonly answer: string | null;
  /** `correct_map[key].correctness` (`correct`, `incorrect`, …), else from `submission`. */
  readonly correctness: string | null;
}

function numericParts(key: string): number[] {
  return key
    .split('_')
    .slice(-2)
    .map((part) => (/^\d+$/u.test(part) ? Number(part) : Number.NaN));
}

/** Answer keys in question order: by part then input number (`…_2_1` < `…_10_1`), then text. */
export function compareAnswerKeys(a: string, b: string): number {
  const [pa = Number.NaN, ia = Number.NaN] = numericParts(a);
  const [pb = Number.NaN, ib = Number.NaN] = numericParts(b);
  if (!Number.isNaN(pa) && !Number.isNaN(pb) && pa !== pb) return pa - pb;
  if (!Number.isNaN(ia) && !Number.isNaN(ib) && ia !== ib) return ia - ib;
  return a < b ? -1 : a > b ? 1 : 0;
}

function answerText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * The sub-questions of a server `problem_check` payload: every key of `correct_map`,
 * `submission` and `answers`, in {@link compareAnswerKeys} order.
 */
export function subAnswers(payload: unknown): SubAnswer[] {
  const event = isRecord(payload) ? payload : {};
  const correctMap = isRecord(event['correct_map']) ? event['correct_map'] : {};
  const submission = isRecord(event['submission']) ? event['submission'] : {};
  const answers = isRecord(event['answers']) ? event['answers'] : {};
  const keys = [
    ...new Set([...Object.keys(correctMap), ...Object.keys(submission), ...Object.keys(answers)]),
  ].sort(compareAnswerKeys);
  return keys.map((key) => {
    const sub = isRecord(submission[key]) ? submission[key] : {};
    const mark = isRecord(correctMap[key]) ? correctMap[key] : {};
    const question =
      typeof sub['question'] === 'string' && sub['question'] !== '' ? sub['question'] : null;
    const correctness =
      typeof mark['correctness'] === 'string'
        ? mark['correctness']
        : typeof sub['correct'] === 'boolean'
          ? sub['correct']
            ? 'correct'
            : 'incorrect'
          : null;
    return {
      key,
      question,
      answer: answerText(sub['answer'] !== undefined ? sub['answer'] : answers[key]),
      correctness,
    };
  });
}

/** The payload of a `problem_ids` document. */
export function payloadOfAttempt(doc: Document): Record<string, unknown> {
  const event = doc['event'];
  return isRecord(event) ? event : {};
}

/** A number field of a payload, or null. */
export function numberField(payload: Record<string, unknown>, field: string): number | null {
  const value = payload[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The learner key of a `problem_ids` document (user id, else username). */
export function learnerKey(doc: Document): string {
  const id = userIdOf(doc['user_id']);
  const username = doc['username'];
  return id !== null ? `#${id}` : `@${typeof username === 'string' ? username : ''}`;
}
