/**
 * Counting the distinct events of a file while it loads, in bounded memory: the store itself
 * remembers what was seen (every event is in `tracking` under its `_id` once inserted), so
 * nothing per event is kept in the process, whatever the size of the file.
 */
import { StoreError } from '@edx-data/core';
import type { Collection, Document } from '@edx-data/store';
import type { TrackingEvent } from './parse-tracking-line.js';

type EventDocument = TrackingEvent & Document;

/** What is kept of an event once the store has it: enough to count and classify it. */
type EventKey = Pick<TrackingEvent, '_id' | '_course_id' | '_load_line' | '_time'>;

/** Where the stored copy of a refused event came from. */
interface StoredOrigin {
  readonly file: unknown;
  readonly line: unknown;
  readonly loadDate: unknown;
}

/**
 * Inserts the events of one file batch by batch and counts, exactly, its distinct events:
 * `inserted` (new to the store) plus `alreadyPresent` (stored before, by an interrupted run of
 * this file, an earlier delivery of it, or another file), with their courses; the other events
 * are repeats of an earlier line of the same file.
 *
 * An insert refused for its `_id` is classified from the stored copy. Stored by a run over
 * these very bytes (this file name, and a `_load_date` among `runs`: the start times of the
 * runs over this content hash, this one included), its line number is exact: an earlier line
 * → a repeat; the same line → the first occurrence, loaded by an interrupted run. Anything
 * else (another file, another delivery of this one) is settled by the `scratch` collection,
 * which holds the `_id`s of such events seen so far in this file: the first time it is
 * distinct, then a repeat. Only the events of that last group are written twice.
 */
export class DistinctCounter {
  inserted = 0;
  alreadyPresent = 0;
  readonly eventsByCourse: Record<string, number> = {};
  eventsWithoutCourse = 0;
  /** The earliest and latest `_time` of the events given so far, or null before the first. */
  timeSpan: { min: Date; max: Date } | null = null;

  private readonly runs: ReadonlySet<number>;

  constructor(
    private readonly tracking: Collection<EventDocument>,
    private readonly scratch: Collection,
    private readonly file: string,
    runs: readonly Date[],
  ) {
    this.runs = new Set(runs.map((date) => date.getTime()));
  }

  /** Empty the scratch collection (before a file, and after it). */
  async reset(): Promise<void> {
    await this.scratch.drop();
  }

  private count(event: EventKey): void {
    const course = event._course_id;
    if (course === null) this.eventsWithoutCourse += 1;
    else this.eventsByCourse[course] = (this.eventsByCourse[course] ?? 0) + 1;
  }

  /**
   * Insert a batch of events (unordered) and count them. The array is emptied as the store
   * takes the events, so that each can be collected once encoded: only its `_id`, course and
   * line are kept until the batch is written.
   */
  async insert(events: (EventDocument | undefined)[]): Promise<void> {
    const keys: EventKey[] = [];
    for (const event of events) {
      if (event !== undefined) {
        keys.push({
          _id: event._id,
          _course_id: event._course_id,
          _load_line: event._load_line,
          _time: event._time,
        });
        const span = this.timeSpan;
        if (span === null) this.timeSpan = { min: event._time, max: event._time };
        else if (event._time < span.min) span.min = event._time;
        else if (event._time > span.max) span.max = event._time;
      }
    }
    function* handOver(): Generator<EventDocument> {
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        events[i] = undefined;
        if (event !== undefined) yield event;
      }
      events.length = 0;
    }
    const refused: number[] = [];
    const result = await this.tracking.insertMany(handOver(), {
      ordered: false,
      batchSize: keys.length,
      onDuplicate: (duplicate) => {
        refused.push(duplicate.index);
      },
    });
    this.inserted += result.insertedCount;
    if (refused.length === 0) {
      for (const key of keys) this.count(key);
      return;
    }
    const isRefused = new Uint8Array(keys.length);
    for (const index of refused) isRefused[index] = 1;
    for (let i = 0; i < keys.length; i++) {
      if (isRefused[i] === 0) this.count(keys[i] as EventKey);
    }
    await this.classify(refused.map((index) => keys[index] as EventKey));
  }

  private async classify(refused: readonly EventKey[]): Promise<void> {
    const origins = new Map<string, StoredOrigin>();
    // The stored copy of an event has its `_time` and course: bounds that let a bucketed master
    // read only the buckets that can hold them (a plain one answers by its `_id` index).
    let min = refused[0]?._time as Date;
    let max = min;
    for (const event of refused) {
      if (event._time < min) min = event._time;
      if (event._time > max) max = event._time;
    }
    const courses = [...new Set(refused.map((event) => event._course_id))];
    const cursor = this.tracking.find(
      {
        _id: { $in: refused.map((event) => event._id) },
        _course_id: { $in: courses },
        _time: { $gte: min, $lte: max },
      },
      { projection: { _load_file: 1, _load_line: 1, _load_date: 1 } },
    );
    for await (const stored of cursor) {
      origins.set(String(stored._id), {
        file: stored['_load_file'],
        line: stored['_load_line'],
        loadDate: stored['_load_date'],
      });
    }
    const unsettled: EventKey[] = [];
    for (const event of refused) {
      const origin = origins.get(String(event._id));
      if (
        origin?.file === this.file &&
        typeof origin.line === 'number' &&
        origin.loadDate instanceof Date &&
        this.runs.has(origin.loadDate.getTime())
      ) {
        if (origin.line < event._load_line) continue; // a repeat of an earlier line
        if (origin.line === event._load_line) {
          this.alreadyPresent += 1; // loaded by an earlier run of this file
          this.count(event);
          continue;
        }
      }
      unsettled.push(event);
    }
    if (unsettled.length === 0) return;
    const seen = new Set<number>();
    const result = await this.scratch.insertMany(
      unsettled.map((event) => ({ _id: event._id })),
      {
        ordered: false,
        batchSize: unsettled.length,
        onDuplicate: (duplicate) => {
          seen.add(duplicate.index);
        },
      },
    );
    for (let i = 0; i < unsettled.length; i++) {
      if (seen.has(i)) continue; // a repeat of a line of this file stored by someone else
      this.alreadyPresent += 1;
      this.count(unsettled[i] as EventKey);
    }
    if (result.insertedCount + seen.size !== unsettled.length) {
      throw new StoreError('E_STORE', `${this.file}: an insert into ${this.scratch.name} was lost`);
    }
  }
}
