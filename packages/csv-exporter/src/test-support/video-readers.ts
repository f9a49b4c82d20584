/**
 * Test helpers of the video and navigation reports: readers of raw log events (their time,
 * their JSON-string payload, their video) written with the log format's rules only, and a
 * store made of hand-written course documents (events shaped as the extraction stores them).
 */
import { courseDatabaseName } from '@edx-data/core';
import type { Document, Store } from '@edx-data/store';

/** The instant of a raw event's `time` (ISO with or without an offset; microseconds dropped). */
export function rawTime(event: Record<string, unknown>): number {
  const raw = String(event['time']);
  return Date.parse(/[+Z]/u.test(raw.slice(19)) ? raw : `${raw}Z`);
}

/** A raw event's payload: browser events carry it as a JSON string. */
export function rawPayload(event: Record<string, unknown>): Record<string, unknown> {
  const payload = event['event'];
  if (typeof payload === 'string') {
    try {
      const parsed: unknown = JSON.parse(payload);
      return typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>)
    : {};
}

/** The url_name of the video of a raw video event (`event.id`, bare or a usage key). */
export function rawVideoId(event: Record<string, unknown>): string {
  const raw = rawPayload(event)['id'];
  const id = typeof raw === 'string' ? raw : '';
  const at = id.lastIndexOf('block@');
  return at === -1 ? id : id.slice(at + 'block@'.length);
}

/** A number as the CSV writes it (`''` for none). */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return String(Number(value));
  }
  return '';
}

/** A learner of a hand-made course. */
export interface HandLearner {
  readonly userId: number;
  readonly username: string;
  readonly hashId: string;
}

/** What a hand-made event may set; the rest is filled in. */
export interface HandEvent {
  readonly username: string;
  readonly time: string;
  readonly type: string;
  readonly event?: unknown;
  readonly source?: string;
  readonly ip?: string;
  readonly userId?: number | null;
  readonly place?: Record<string, unknown>;
  readonly block?: Record<string, unknown>;
}

/**
 * Write a hand-made course into `store`: its learners into `user_id_map` and `user`, its
 * events into `tracking` (with `_time`, an `_id` in the given order, and the context), and any
 * other collections given.
 */
export async function writeHandCourse(
  store: Store,
  course: string,
  learners: readonly HandLearner[],
  events: readonly HandEvent[],
  other: Readonly<Record<string, readonly Document[]>> = {},
): Promise<void> {
  const db = store.db(courseDatabaseName(course));
  if (learners.length > 0) {
    await db.collection('user_id_map').insertMany(
      learners.map((l, i) => ({
        _id: i + 1,
        user_id: l.userId,
        username: l.username,
        hash_id: l.hashId,
      })),
    );
    await db
      .collection('user')
      .insertMany(learners.map((l) => ({ _id: l.userId, id: l.userId, username: l.username })));
  }
  const docs = events.map((e, i) => {
    const userId =
      e.userId === undefined
        ? (learners.find((l) => l.username === e.username)?.userId ?? null)
        : e.userId;
    const time = new Date(e.time);
    return {
      _id: `e${String(i).padStart(6, '0')}`,
      username: e.username,
      event_source: e.source ?? (e.type.startsWith('/') ? 'server' : 'browser'),
      event_type: e.type,
      ip: e.ip ?? '203.0.113.9',
      event: e.event ?? {},
      context: { course_id: course, user_id: userId, path: '/event' },
      time: time.toISOString(),
      _time: time,
      session: 'hand-session',
      ...(e.place === undefined ? {} : { parent_data: e.place }),
      ...(e.block === undefined ? {} : { block: e.block }),
    };
  });
  if (docs.length > 0) await db.collection('tracking').insertMany(docs);
  for (const [name, rows] of Object.entries(other)) {
    if (rows.length > 0) await db.collection(name).insertMany([...rows]);
  }
}
