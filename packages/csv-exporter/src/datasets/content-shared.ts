/**
 * Helpers of the content datasets (videos, problems, forum): the course's blocks in course
 * order from the course structure, video lengths, video positions of events, and each
 * learner's summary of each problem from `problem_ids`.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Database, Document } from '@edx-data/store';
import type { ReportContext } from '../report.js';
import {
  learnerKey,
  numberField,
  payloadOfAttempt,
  problemMatch,
} from '../reports/problem-shared.js';
import { isRecord, numberOf } from '../reports/values.js';
import { PLAY_EVENTS, eventTypeOf, textOrNull } from '../reports/video-shared.js';

/** A block of the course structure, placed in course order. */
export interface PlacedBlock {
  /** Its usage key (`_id` of the structure document). */
  readonly moduleId: string;
  /** Its url_name (`block_id`, else the last `@` part of the usage key). */
  readonly urlName: string;
  readonly category: string;
  readonly name: string | null;
  readonly metadata: Record<string, unknown>;
  /** 1-based index of its chapter among the course's chapters; null above chapter level. */
  readonly chapterIndex: number | null;
  readonly chapter: { readonly id: string; readonly name: string | null } | null;
  readonly sequential: { readonly id: string; readonly name: string | null } | null;
  readonly vertical: { readonly id: string; readonly name: string | null } | null;
}

function urlNameOf(doc: Document, id: string): string {
  const blockId = doc['block_id'];
  if (typeof blockId === 'string' && blockId !== '') return blockId;
  const at = /block@([^+/]+)$/u.exec(id);
  return at?.[1] ?? id;
}

/**
 * Every block reachable from the course block of the course structure, in depth-first
 * order of `children` (the course outline order), with its chapter, sequential and
 * vertical. Blocks not reachable from the course block (orphans) are left out; a block
 * listed twice is placed once (its first place).
 */
export async function courseBlocks(db: Database): Promise<PlacedBlock[]> {
  const docs = new Map<string, Document>();
  let root: string | null = null;
  for await (const doc of db.collection(COURSE_COLLECTIONS.course_structure).find({})) {
    const id = doc['_id'];
    if (typeof id !== 'string') continue;
    docs.set(id, doc);
    if (doc['category'] === 'course' && root === null) root = id;
  }
  const out: PlacedBlock[] = [];
  if (root === null) return out;
  const seen = new Set<string>();
  let chapters = 0;
  type Ref = { readonly id: string; readonly name: string | null } | null;
  const visit = (id: string, chapterIndex: number | null, ch: Ref, seq: Ref, vert: Ref): void => {
    const doc = docs.get(id);
    if (doc === undefined || seen.has(id)) return;
    seen.add(id);
    const metadata = isRecord(doc['metadata']) ? doc['metadata'] : {};
    const category = typeof doc['category'] === 'string' ? doc['category'] : '';
    const name = textOrNull(doc['display_name']) ?? textOrNull(metadata['display_name']);
    const urlName = urlNameOf(doc, id);
    const ref = { id: urlName, name };
    let index = chapterIndex;
    let [c, s, v] = [ch, seq, vert];
    if (category === 'chapter') {
      chapters++;
      index = chapters;
      c = ref;
    } else if (category === 'sequential') s = ref;
    else if (category === 'vertical') v = ref;
    out.push({
      moduleId: id,
      urlName,
      category,
      name,
      metadata,
      chapterIndex: index,
      chapter: c,
      sequential: s,
      vertical: v,
    });
    const children = doc['children'];
    if (!Array.isArray(children)) return;
    for (const child of children as unknown[]) {
      if (typeof child === 'string') visit(child, index, c, s, v);
    }
  };
  visit(root, null, null, null, null);
  return out;
}

/** `HH:MM:SS` (or `MM:SS`, or a number of seconds) as seconds; null when not a time. */
function clockSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const parts = value.trim().split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/u.test(p))) return null;
  return parts.reduce((sum, p) => sum * 60 + Number(p), 0);
}

/**
 * A video's length in seconds from its structure metadata: `duration` when there (seconds,
 * as simeon's course axis reads it), else `end_time` − `start_time` (the clip the course
 * plays, `HH:MM:SS`) when `end_time` is set and after the start; null otherwise.
 */
export function videoLengthOf(metadata: Record<string, unknown>): number | null {
  const duration = numberOf(metadata['duration']);
  if (duration !== null && duration > 0) return duration;
  const end = clockSeconds(metadata['end_time']);
  const start = clockSeconds(metadata['start_time']) ?? 0;
  return end !== null && end > start ? end - start : null;
}

/** Event types that carry a video position (legacy names and their `edx.video.*` aliases). */
export const POSITION_EVENTS: ReadonlySet<string> = new Set([
  'play_video',
  'pause_video',
  'stop_video',
  'edx.video.played',
  'edx.video.paused',
  'edx.video.stopped',
]);

/** The position of a video event: `currentTime` (or `current_time`), null when none. */
export function currentTimeOf(payload: Record<string, unknown>): number | null {
  return numberOf(payload['currentTime'] ?? payload['current_time']);
}

/** Whether an event starts a play (re-exported for the timeline). */
export function isPlay(event: Document): boolean {
  return PLAY_EVENTS.has(eventTypeOf(event));
}

/** Videos in course order, with their url_name, name and length (for per-video rows). */
export interface VideoInfo {
  readonly index: number;
  readonly name: string | null;
  readonly length: number | null;
  readonly chapterIndex: number | null;
  readonly chapterName: string | null;
}

/** The course's videos by url_name (video blocks of {@link courseBlocks}, 1-based index). */
export async function videoIndex(db: Database): Promise<Map<string, VideoInfo>> {
  const videos = new Map<string, VideoInfo>();
  for (const block of await courseBlocks(db)) {
    if (block.category !== 'video' || videos.has(block.urlName)) continue;
    videos.set(block.urlName, {
      index: videos.size + 1,
      name: block.name,
      length: videoLengthOf(block.metadata),
      chapterIndex: block.chapterIndex,
      chapterName: block.chapter?.name ?? null,
    });
  }
  return videos;
}

/** Video ids: the course's in course order first, then the others by id. */
export function videoOrder(
  known: ReadonlyMap<string, VideoInfo>,
  seen: Iterable<string>,
): string[] {
  const others = [...seen].filter((id) => !known.has(id)).sort();
  return [...known.keys(), ...others];
}

/** The fields of a `problem_ids` document the problem datasets read. */
export const ATTEMPT_PROJECTION = {
  _id: 1,
  time: 1,
  user_id: 1,
  username: 1,
  course_id: 1,
  problem_id: 1,
  module: 1,
  'event.answers': 1,
  'event.attempts': 1,
  'event.success': 1,
  'event.grade': 1,
  'event.max_grade': 1,
} as const;

/** One learner's checks of one problem (from `problem_ids`). */
export interface PersonProblem {
  readonly userId: unknown;
  readonly username: unknown;
  readonly problemId: string | null;
  readonly checks: number;
  /** Greatest `event.attempts`. */
  readonly attempts: number | null;
  readonly firstTime: Date | null;
  readonly lastTime: Date | null;
  /** `grade`, `max_grade`, `success` of the final check (greatest attempts, then latest). */
  readonly grade: number | null;
  readonly maxGrade: number | null;
  readonly finalCorrect: boolean;
  readonly everCorrect: boolean;
}

/**
 * Each (problem, learner)'s checks in the window, in order of problem id, user id, then
 * username (one sorted `find` over `problem_ids`; one group in memory at a time).
 */
export async function* personProblems(context: ReportContext): AsyncGenerator<PersonProblem> {
  // a sorted find: the store orders by its indexes, no document is held in memory
  const cursor = context.db
    .collection(COURSE_COLLECTIONS.problem_ids)
    .find(problemMatch(context.window, undefined), {
      sort: { problem_id: 1, user_id: 1, username: 1, time: 1, _id: 1 },
      projection: ATTEMPT_PROJECTION,
    });
  let key: string | null = null;
  let group:
    | {
        -readonly [K in keyof PersonProblem]: PersonProblem[K];
      }
    | null = null;
  let bestRank = -Infinity;
  for await (const doc of cursor) {
    const payload = payloadOfAttempt(doc);
    const problemId = typeof doc['problem_id'] === 'string' ? doc['problem_id'] : null;
    const k = `${problemId ?? ''}\u0000${learnerKey(doc)}`;
    const time = doc['time'] instanceof Date ? doc['time'] : null;
    if (k !== key) {
      if (group !== null) yield group;
      key = k;
      bestRank = -Infinity;
      group = {
        userId: doc['user_id'],
        username: doc['username'],
        problemId,
        checks: 0,
        attempts: null,
        firstTime: time,
        lastTime: time,
        grade: null,
        maxGrade: null,
        finalCorrect: false,
        everCorrect: false,
      };
    }
    if (group === null) continue;
    group.checks++;
    if (time !== null) {
      if (group.firstTime === null) group.firstTime = time;
      group.lastTime = time;
    }
    const correct = payload['success'] === 'correct';
    if (correct) group.everCorrect = true;
    const attempts = numberField(payload, 'attempts');
    // documents come in time order: the check with the most attempts, the latest of equals
    const rank = attempts ?? -1;
    if (rank >= bestRank) {
      bestRank = rank;
      group.attempts = attempts;
      group.grade = numberField(payload, 'grade');
      group.maxGrade = numberField(payload, 'max_grade');
      group.finalCorrect = correct;
    }
  }
  if (group !== null) yield group;
}
