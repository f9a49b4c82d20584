/**
 * The one pass over a course's events that every tracking report of an export shares: the
 * course database's `tracking` collection read once, in learner and time order (`username`,
 * then `_time`, then `_id`: the `{username, _time}` index of the extracted tracking), inside
 * the export's window. Each event is handed to every reducer; a learner's end is announced
 * when the next learner starts. Rows are written as they come, each report to its own writer,
 * with backpressure every few hundred events.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Database, Document, Filter } from '@edx-data/store';
import type { Emit, EventWindow, Row, TrackingReducer } from './report.js';

/** How many events between two waits for the writers. */
const FLUSH_EVERY = 500;

/** One reducer of the pass, and where its rows go. */
export interface PassMember {
  readonly reducer: TrackingReducer;
  readonly write: (row: Row) => Promise<void>;
}

export interface TrackingPassSummary {
  /** Events read. */
  readonly events: number;
  /** Distinct `username` values met (the empty username counts as one). */
  readonly learners: number;
}

/** The filter of the export's window on `_time` (both ends as the window says). */
export function windowFilter(window: EventWindow): Filter {
  const time: Record<string, Date> = {};
  if (window.from !== null) time['$gte'] = window.from;
  if (window.toExclusive !== null) time['$lt'] = window.toExclusive;
  return Object.keys(time).length === 0 ? {} : { _time: time };
}

/** The username of an event as the pass groups it: a string, `''` when it has none. */
export function usernameOf(event: Document): string {
  const username = event['username'];
  if (typeof username === 'string') return username;
  if (typeof username === 'number') return String(username);
  return '';
}

/**
 * Run the pass: every event of the window to every member, in learner order.
 * `onProgress` is called every few thousand events with the count so far.
 */
export async function runTrackingPass(
  db: Database,
  window: EventWindow,
  members: readonly PassMember[],
  onProgress?: (events: number) => void,
): Promise<TrackingPassSummary> {
  const pending: { row: Row; member: PassMember }[] = [];
  const emitters: Emit[] = members.map((member) => (row: Row) => {
    pending.push({ row, member });
  });
  const flush = async (): Promise<void> => {
    for (const { row, member } of pending.splice(0)) await member.write(row);
  };
  let events = 0;
  let learners = 0;
  let current: string | undefined;
  const endLearner = (username: string): void => {
    members.forEach((member, i) => member.reducer.endLearner?.(username, emitters[i] as Emit));
  };
  const cursor = db
    .collection(COURSE_COLLECTIONS.tracking)
    .find(windowFilter(window), { sort: { username: 1, _time: 1, _id: 1 } });
  try {
    for await (const event of cursor) {
      const username = usernameOf(event);
      if (username !== current) {
        if (current !== undefined) endLearner(current);
        current = username;
        learners += 1;
      }
      members.forEach((member, i) => {
        member.reducer.event(event, emitters[i] as Emit);
      });
      events += 1;
      if (events % FLUSH_EVERY === 0) {
        await flush();
        if (events % (FLUSH_EVERY * 20) === 0) onProgress?.(events);
      }
    }
  } finally {
    await cursor.close();
  }
  if (current !== undefined) endLearner(current);
  for (const [i, member] of members.entries()) await member.reducer.end?.(emitters[i] as Emit);
  await flush();
  onProgress?.(events);
  return { events, learners };
}
