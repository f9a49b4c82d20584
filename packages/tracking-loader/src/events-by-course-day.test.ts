/**
 * The ledger's `eventsByCourseDay`: per course, per UTC day, the events a file's content added
 * to the master, counted by hand from the raw lines below. A grown re-delivery counts only its
 * new lines, a file delivered twice under two names counts once, the events of an interrupted
 * run over the same bytes count for the run that finishes it, and an event just before
 * midnight UTC written with another time zone's offset falls on its UTC day.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MASTER_TRACKING } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Document, Store } from '@edx-data/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrackingLogs } from './load-tracking-logs.js';
import type { TrackingLedgerEntry } from './load-tracking-logs.js';
import { parseTrackingLog } from './parse-tracking-log.js';

const X = 'course-v1:DayX+D1+2024';
const Y = 'course-v1:DayY+D2+2024';
const Z = 'course-v1:DayZ+D3+2024';

function line(user: string, time: string, course: string | null): string {
  return JSON.stringify({
    username: user,
    event_type: 'play_video',
    event_source: 'browser',
    time,
    context: course === null ? {} : { course_id: course },
    event: '{}',
  });
}

/** The first delivery of `day.log`. */
const FIRST = [
  line('u1', '2024-03-01T10:00:00.000000+00:00', X), // X 03-01
  line('u2', '2024-03-02T00:59:59.000000+01:00', X), // 23:59:59 UTC: X 03-01
  line('u3', '2024-03-01T23:59:30.000000-05:00', X), // 04:59:30 UTC: X 03-02
  line('u4', '2024-03-02T12:00:00.000000+00:00', Y), // Y 03-02
  line('u1', '2024-03-01T10:00:00.000000+00:00', X), // a repeat of line 1
  line('u5', '2024-03-02T09:00:00.000000+00:00', null), // no course
  'not json', // rejected
];
/** The grown re-delivery of `day.log`: the same lines and two new ones. */
const GROWN = [
  ...FIRST,
  line('u6', '2024-03-03T08:00:00.000000+00:00', X), // X 03-03
  line('u7', '2024-03-02T13:00:00.000000+00:00', Y), // Y 03-02
];
/** A file of which an interrupted run stored the first two events. */
const INTERRUPTED = [
  line('z1', '2024-02-29T23:00:00.000000+00:00', Z), // Z 02-29
  line('z2', '2024-03-01T00:30:00.000000+02:00', Z), // 22:30 UTC: Z 02-29
  line('z3', '2024-03-01T01:00:00.000000+00:00', Z), // Z 03-01
];

const text = (lines: readonly string[]): string => `${lines.join('\n')}\n`;

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracking-by-day-'));
  await mkdir(join(dir, 'first'));
  await mkdir(join(dir, 'again'));
  await mkdir(join(dir, 'grown'));
  await writeFile(join(dir, 'first', 'day.log'), text(FIRST));
  await writeFile(join(dir, 'again', 'copy.log'), text(FIRST));
  await writeFile(join(dir, 'grown', 'day.log'), text(GROWN));
  await writeFile(join(dir, 'z.log'), text(INTERRUPTED));
  store = await openStore(join(dir, 'store'));
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Store what an interrupted run over `z.log` left: its first two events and a `loading` entry. */
async function interruptedRun(): Promise<void> {
  const started = new Date('2024-03-05T00:00:00Z');
  const lines = Readable.from(INTERRUPTED.slice(0, 2).map((t, i) => ({ line: i + 1, text: t })));
  const events: Document[] = [];
  for await (const event of parseTrackingLog(lines, { file: 'z.log', loadDate: started })) {
    events.push(event);
  }
  const db = store.db(MASTER_TRACKING.database);
  await db.createCollection(MASTER_TRACKING.events).catch(() => undefined);
  await db.collection(MASTER_TRACKING.events).insertMany(events);
  const hash = createHash('sha256').update(text(INTERRUPTED)).digest('hex');
  await db.collection(MASTER_TRACKING.ledger).insertOne({
    _id: hash,
    file: 'z.log',
    path: join(dir, 'z.log'),
    size: 0,
    status: 'loading',
    started,
    runs: [started],
    finished: null,
  });
}

describe('eventsByCourseDay of the ledger', () => {
  it('counts per course and UTC day what each content added, and sums to the master', async () => {
    await interruptedRun();
    const result = await loadTrackingLogs(
      [
        join(dir, 'first', 'day.log'),
        join(dir, 'again', 'copy.log'),
        join(dir, 'grown', 'day.log'),
        join(dir, 'z.log'),
      ],
      store,
    );
    expect(result.files.map((f) => f.status)).toEqual([
      'finished',
      'skipped',
      'finished',
      'finished',
    ]);
    const [first, copy, grown, z] = result.files.map((f) => f.entry);
    expect(first?.eventsByCourseDay).toEqual({
      [X]: { '2024-03-01': 2, '2024-03-02': 1 },
      [Y]: { '2024-03-02': 1 },
    });
    expect(first?.eventsWithoutCourse).toBe(1);
    // The copy under another name has the same bytes: the same entry, skipped.
    expect(copy?._id).toBe(first?._id);
    // The re-delivery finds its first five lines stored: only its two new lines are its own.
    expect(grown?.eventsByCourseDay).toEqual({
      [X]: { '2024-03-03': 1 },
      [Y]: { '2024-03-02': 1 },
    });
    expect(grown?.alreadyPresent).toBe(5);
    // Two events of z.log were stored by its interrupted run; all three are its own.
    expect(z?.inserted).toBe(1);
    expect(z?.alreadyPresent).toBe(2);
    expect(z?.eventsByCourseDay).toEqual({ [Z]: { '2024-02-29': 2, '2024-03-01': 1 } });

    // The sum over the finished entries is the master's count per course and UTC day.
    const sum: Record<string, Record<string, number>> = {};
    const entries = await store
      .db(MASTER_TRACKING.database)
      .collection<TrackingLedgerEntry>(MASTER_TRACKING.ledger)
      .find({ status: 'finished' })
      .toArray();
    for (const entry of entries) {
      for (const [course, days] of Object.entries(entry.eventsByCourseDay ?? {})) {
        for (const [day, n] of Object.entries(days)) {
          const into = (sum[course] ??= {});
          into[day] = (into[day] ?? 0) + n;
        }
      }
    }
    expect(sum).toEqual({
      [X]: { '2024-03-01': 2, '2024-03-02': 1, '2024-03-03': 1 },
      [Y]: { '2024-03-02': 2 },
      [Z]: { '2024-02-29': 2, '2024-03-01': 1 },
    });
    const master: Record<string, Record<string, number>> = {};
    const tracking = store.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
    for await (const e of tracking.find({}, { projection: { _course_id: 1, _time: 1 } })) {
      const course = e['_course_id'];
      if (typeof course !== 'string') continue;
      const day = (e['_time'] as Date).toISOString().slice(0, 10);
      const into = (master[course] ??= {});
      into[day] = (into[day] ?? 0) + 1;
    }
    expect(master).toEqual(sum);
  });
});
