/**
 * The time and session datasets on a generated package: enrollment counts against the
 * generator's ground truth, time on task and sessions of the busiest learners recomputed from
 * the raw `.log.gz` lines, on the embedded engine and on MongoDB when `MONGODB_URI` is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoTestUri } from '@edx-data/test-support';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { dropCourse, exportRows, loadCourse, readTable } from '../test-support/course-fixture.js';
import { rawCompleters, rawCourseEvents } from '../test-support/learner-readers.js';

const uri = mongoTestUri();
const engines: { label: string; uri: string | undefined }[] = [
  { label: 'embedded', uri: undefined },
  ...(uri === undefined ? [] : [{ label: 'MongoDB', uri }]),
];

const ACTIVATED = 'edx.course.enrollment.activated';
const DEACTIVATED = 'edx.course.enrollment.deactivated';

type RawEvent = Record<string, unknown> & { readonly ms: number };

describe.each(engines)('time and session datasets on a generated course ($label)', (engine) => {
  let dir: string;
  let loaded: LoadedCourse;
  /** The learner events (non-empty username, no /xblock/) by username, in time order. */
  let byLearner: Map<string, RawEvent[]>;
  /** The two learners with the most events. */
  let busiest: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'activity-datasets-'));
    loaded = await loadCourse(dir, {}, engine.uri);
    byLearner = new Map();
    for (const e of await rawCourseEvents(loaded)) {
      const name = e['username'];
      const type = e['event_type'];
      if (typeof name !== 'string' || name === '' || typeof type !== 'string') continue;
      if (type.includes('/xblock/')) continue;
      byLearner.set(name, [...(byLearner.get(name) ?? []), e]);
    }
    for (const list of byLearner.values()) list.sort((a, b) => a.ms - b.ms);
    busiest = [...byLearner]
      .sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))
      .slice(0, 2)
      .map(([name]) => name);
  }, 300_000);

  afterAll(async () => {
    if (engine.uri !== undefined) await dropCourse(loaded);
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    report: string,
    params: Record<string, string> = {},
  ): Promise<Record<string, string>[]> {
    return exportRows(loaded.store, loaded.courseKey, report, dir, { params });
  }

  it('enrollment_events and enrollday: as many activations and deactivations as generated', async () => {
    const truth = loaded.truth.courses[loaded.courseKey]?.eventsByType ?? {};
    const activated = truth[ACTIVATED] ?? 0;
    const deactivated = truth[DEACTIVATED] ?? 0;
    expect(activated).toBeGreaterThan(0);
    expect(deactivated).toBeGreaterThan(0);
    const rows = await run('enrollment_events');
    expect(rows.filter((r) => r['event_type'] === ACTIVATED)).toHaveLength(activated);
    expect(rows.filter((r) => r['event_type'] === DEACTIVATED)).toHaveLength(deactivated);
    // the learner is event.user_id: every row has a user id and the username of user_id_map
    const map = new Map(
      (await readTable(loaded, 'user_id_map')).map((r) => [
        r['user_id'] ?? r['id'] ?? '',
        r['username'] ?? '',
      ]),
    );
    for (const row of rows) expect(row['username']).toBe(map.get(row['user_id'] ?? ''));
    const days = await run('enrollday');
    const sum = (column: string): number => days.reduce((s, r) => s + Number(r[column]), 0);
    expect(sum('registered')).toBe(activated);
    expect(sum('unregistered')).toBe(deactivated);
    expect(sum('net')).toBe(activated - deactivated);
  });

  it('time_on_task: the busiest learners’ days recomputed from the raw lines', async () => {
    const rows = await run('time_on_task');
    const totals = await run('time_on_task_totals');
    for (const name of busiest) {
      const days = new Map<string, { n: number; short: number; long: number; video: number }>();
      let previous: RawEvent | undefined;
      let lastVideo: number | undefined;
      for (const e of byLearner.get(name) ?? []) {
        const day = new Date(e.ms).toISOString().slice(0, 10);
        const d = days.get(day) ?? { n: 0, short: 0, long: 0, video: 0 };
        days.set(day, d);
        const sameDay =
          previous !== undefined && new Date(previous.ms).toISOString().slice(0, 10) === day;
        if (!sameDay) lastVideo = undefined;
        d.n += 1;
        if (sameDay && previous !== undefined) {
          const gap = e.ms - previous.ms;
          if (gap < 300_000) d.short += gap;
          if (gap < 1_800_000) d.long += gap;
        }
        const type = String(e['event_type']);
        if (
          !type.startsWith('/') &&
          (/\w_(video|transcript)/u.test(type) || type.startsWith('edx.video.'))
        ) {
          if (lastVideo !== undefined && e.ms - lastVideo < 1_800_000) d.video += e.ms - lastVideo;
          lastVideo = e.ms;
        }
        previous = e;
      }
      const mine = rows.filter((r) => r['username'] === name);
      expect(mine.map((r) => r['date'])).toEqual([...days.keys()]);
      expect(
        mine.map((r) => [
          Number(r['n_events']),
          Number(r['total_seconds_5']),
          Number(r['total_seconds_30']),
          Number(r['video_seconds_30']),
        ]),
      ).toEqual(
        [...days.values()].map((d) => [d.n, d.short / 1000, d.long / 1000, d.video / 1000]),
      );
      expect([...days.values()].some((d) => d.long > 0)).toBe(true);
      const all = [...days.values()];
      const sum = (f: (d: (typeof all)[number]) => number): number =>
        all.reduce((s, d) => s + f(d), 0);
      const row = totals.find((r) => r['username'] === name) ?? {};
      expect([
        row['n_events'],
        row['n_days'],
        row['total_seconds_5'],
        row['total_seconds_30'],
        row['video_seconds_30'],
      ]).toEqual([
        String(sum((d) => d.n)),
        String(all.length),
        String(sum((d) => d.short) / 1000),
        String(sum((d) => d.long) / 1000),
        String(sum((d) => d.video) / 1000),
      ]);
    }
  });

  it('sessions: the busiest learners’ sessions recomputed from the raw lines', async () => {
    const rows = await run('sessions');
    for (const name of busiest) {
      const expected: string[][] = [];
      let current: RawEvent[] = [];
      const close = (): void => {
        const first = current[0];
        const last = current.at(-1);
        if (first === undefined || last === undefined || last.ms - first.ms <= 5000) return;
        expected.push([
          String(expected.length + 1),
          new Date(first.ms).toISOString(),
          new Date(last.ms).toISOString(),
          String((last.ms - first.ms) / 1000),
          String(current.length),
        ]);
      };
      for (const e of byLearner.get(name) ?? []) {
        const last = current.at(-1);
        if (
          last !== undefined &&
          (last['event_type'] === 'page_close' || e.ms - last.ms > 1_800_000)
        ) {
          close();
          current = [];
        }
        current.push(e);
      }
      close();
      expect(expected.length).toBeGreaterThan(0);
      expect(
        rows
          .filter((r) => r['username'] === name)
          .map((r) => [
            r['session_number'] ?? '',
            r['start'] ?? '',
            r['end'] ?? '',
            r['duration_seconds'] ?? '',
            r['events'] ?? '',
          ]),
      ).toEqual(expected);
    }
  });

  it('course_report: enrolled and certified as the tables say, active from the raw lines', async () => {
    const rows = await run('course_report', { min_cell: '0' });
    const value = (metric: string): number =>
      Number(rows.find((r) => r['metric'] === metric)?.['value']);
    const enrollment = await readTable(loaded, 'student_courseenrollment');
    const enrolled = new Set(enrollment.map((r) => r['user_id'] ?? ''));
    expect(value('enrolled')).toBe(enrolled.size);
    const completers = await rawCompleters(loaded);
    expect(value('certified')).toBe([...completers].filter((id) => enrolled.has(id)).length);
    const map = new Map(
      (await readTable(loaded, 'user_id_map')).map((r) => [
        r['username'] ?? '',
        r['user_id'] ?? r['id'] ?? '',
      ]),
    );
    const active = [...byLearner.keys()].filter((name) => enrolled.has(map.get(name) ?? ''));
    expect(active.length).toBeGreaterThan(0);
    expect(value('active')).toBe(active.length);
    const counts = active.map((name) => byLearner.get(name)?.length ?? 0).sort((a, b) => a - b);
    const mid = Math.floor(counts.length / 2);
    const median =
      counts.length % 2 === 1
        ? (counts[mid] ?? 0)
        : ((counts[mid - 1] ?? 0) + (counts[mid] ?? 0)) / 2;
    expect(value('median_events')).toBe(median);
  });
});
