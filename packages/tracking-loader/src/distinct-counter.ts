/**
 * Counting the distinct events of a file while it loads, in bounded memory: the store itself
 * remembers what was seen (every event is in `tracking` under its `_id` once inserted), so
 * nothing per event is kept in the process, whatever the size of the file.
 */
import { StoreError } from '@edx-data/core';
import type { Collection, Document } from '@edx-data/store';
import type { TrackingEvent } from './parse-tracking-line.js';

type EventDocument = TrackingEvent & Document;

const DAY_MS = 86_400_000;

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
  /** Course key → UTC day number (`_time` in ms / 86 400 000) → events this content added. */
  private readonly added = new Map<string, Map<number, number>>();
  private minTime = Infinity;
  private maxTime = -Infinity;

  /** The earliest and latest `_time` of the events given so far, or null before the first. */
  get timeSpan(): { min: Date; max: Date } | null {
    return this.minTime > this.maxTime
      ? null
      : { min: new Date(this.minTime), max: new Date(this.maxTime) };
  }

  private readonly runs: ReadonlySet<number>;

  constructor(
    private readonly tracking: Collection<EventDocument>,
    private readonly scratch: Collection,
    private readonly file: string,
    runs: readonly Date[],
    /** Events per insert: one batch of {@link insert} is written in one transaction. */
    private readonly batchSize: number,
  ) {
    this.runs = new Set(runs.map((date) => date.getTime()));
  }

  /** Empty the scratch collection (before a file, and after it). */
  async reset(): Promise<void> {
    await this.scratch.drop();
  }

  private countCourse(course: string | null): void {
    if (course === null) this.eventsWithoutCourse += 1;
    else this.eventsByCourse[course] = (this.eventsByCourse[course] ?? 0) + 1;
  }

  private count(event: EventKey): void {
    this.countCourse(event._course_id);
  }

  /** An event of a course that these bytes (this run, or an earlier run over them) put in the store. */
  private countAdded(course: string | null, time: number): void {
    if (course === null) return;
    let days = this.added.get(course);
    if (days === undefined) {
      days = new Map();
      this.added.set(course, days);
    }
    const day = Math.floor(time / DAY_MS);
    days.set(day, (days.get(day) ?? 0) + 1);
  }

  /**
   * Per canonical course key, per UTC day (`YYYY-MM-DD` of `_time`), the distinct events that
   * this file's content added to the store: inserted by this run, or by an earlier
   * (interrupted) run over the same bytes. Events stored before by another file or another
   * delivery are not counted (that file's entry counts them); events without a course are not
   * counted (see `eventsWithoutCourse`).
   */
  get eventsByCourseDay(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const course of [...this.added.keys()].sort()) {
      const days = this.added.get(course) ?? new Map<number, number>();
      const byDay: Record<string, number> = {};
      for (const day of [...days.keys()].sort((a, b) => a - b)) {
        byDay[new Date(day * DAY_MS).toISOString().slice(0, 10)] = days.get(day) ?? 0;
      }
      result[course] = byDay;
    }
    return result;
  }

  /**
   * Insert a batch of events (unordered) and count them. The events are taken one by one as
   * the store encodes them (from the parser, for a load), so that each can be collected at
   * once: only its `_id`, course, line and time are kept (column by column, no object per
   * event) until the batch is written.
   */
  async insert(events: Iterable<EventDocument> | AsyncIterable<EventDocument>): Promise<void> {
    const ids: EventKey['_id'][] = [];
    const courses: (string | null)[] = [];
    const lines: number[] = [];
    const times: number[] = [];
    const note = (event: EventDocument): void => {
      const time = event._time.getTime();
      ids.push(event._id);
      courses.push(event._course_id);
      lines.push(event._load_line);
      times.push(time);
      if (time < this.minTime) this.minTime = time;
      if (time > this.maxTime) this.maxTime = time;
    };
    async function* handOver(): AsyncGenerator<EventDocument> {
      for await (const event of events) {
        note(event);
        yield event;
      }
    }
    const refused: number[] = [];
    const result = await this.tracking.insertMany(handOver(), {
      ordered: false,
      batchSize: this.batchSize,
      onDuplicate: (duplicate) => {
        refused.push(duplicate.index);
      },
    });
    this.inserted += result.insertedCount;
    const isRefused = new Uint8Array(ids.length);
    for (const index of refused) isRefused[index] = 1;
    for (let i = 0; i < ids.length; i++) {
      if (isRefused[i] === 0) {
        this.countCourse(courses[i] ?? null);
        this.countAdded(courses[i] ?? null, times[i] as number);
      }
    }
    if (refused.length === 0) return;
    await this.classify(
      refused.map((i) => ({
        _id: ids[i] as EventKey['_id'],
        _course_id: courses[i] ?? null,
        _load_line: lines[i] as number,
        _time: new Date(times[i] as number),
      })),
    );
  }

  /** Whether a stored copy was written by a run over these bytes (this file, one of `runs`). */
  private isOwn(origin: StoredOrigin): boolean {
    return (
      origin.file === this.file &&
      origin.loadDate instanceof Date &&
      this.runs.has(origin.loadDate.getTime())
    );
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
    /** Indexes in `unsettled` of events whose stored copy a run over these bytes wrote. */
    const ownUnsettled = new Set<number>();
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
          this.countAdded(event._course_id, event._time.getTime());
          continue;
        }
      }
      unsettled.push(event);
      if (origin !== undefined && this.isOwn(origin)) ownUnsettled.add(unsettled.length - 1);
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
      const event = unsettled[i] as EventKey;
      this.alreadyPresent += 1;
      this.count(event);
      if (ownUnsettled.has(i)) this.countAdded(event._course_id, event._time.getTime());
    }
    if (result.insertedCount + seen.size !== unsettled.length) {
      throw new StoreError('E_STORE', `${this.file}: an insert into ${this.scratch.name} was lost`);
    }
  }
}
