/**
 * person_course and person_course_day on a generated package, against the generator's ground
 * truth (enrollments, certificates by status, events by type and day, forum posts by type)
 * and the raw log lines; and person_course_day's incrementality: the rows of a window are the
 * rows of those days in the full export.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseEvents, exportRows, loadCourse } from '../test-support/course-fixture.js';
import type { LoadedCourse } from '../test-support/course-fixture.js';

describe('person_course and person_course_day on a generated package', () => {
  let dir: string;
  let loaded: LoadedCourse;
  let personCourse: Record<string, string>[];
  let personCourseDay: Record<string, string>[];

  async function run(
    report: string,
    options: { from?: string; to?: string } = {},
  ): Promise<Record<string, string>[]> {
    return exportRows(loaded.store, loaded.courseKey, report, dir, options);
  }

  const sum = (rows: Record<string, string>[], column: string): number =>
    rows.reduce((total, r) => total + Number(r[column] ?? 0), 0);
  const count = (rows: Record<string, string>[], column: string): number =>
    rows.filter((r) => r[column] === 'true').length;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'person-course-truth-'));
    loaded = await loadCourse(dir);
    personCourse = await run('person_course');
    personCourseDay = await run('person_course_day');
  }, 120_000);

  afterAll(async () => {
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registered = the enrollments, certified = downloadable certificates', () => {
    const truth = loaded.truth.courses[loaded.courseKey];
    expect(personCourse).toHaveLength(truth?.enrollments ?? -1);
    expect(count(personCourse, 'registered')).toBe(truth?.enrollments);
    expect(count(personCourse, 'certified')).toBe(truth?.certificatesByStatus['downloadable']);
    // the generated structure has no grade cutoffs: completed = certified
    expect(count(personCourse, 'completed')).toBe(truth?.certificatesByStatus['downloadable']);
    expect(count(personCourse, 'is_active')).toBe(truth?.activeEnrollments);
    for (const [mode, n] of Object.entries(truth?.enrollmentsByMode ?? {})) {
      expect(
        personCourse.filter((r) => r['mode'] === mode),
        mode,
      ).toHaveLength(n);
    }
  });

  it('plays: the play_video and edx.video.played events of the truth, less those of no enrolled learner', async () => {
    const truth = loaded.truth.courses[loaded.courseKey];
    const plays =
      (truth?.eventsByType['play_video'] ?? 0) + (truth?.eventsByType['edx.video.played'] ?? 0);
    expect(plays).toBeGreaterThan(0);
    // plays without a username, or by a learner who is not enrolled, are in no person_course row
    const enrolled = new Set(personCourse.map((r) => r['username']));
    const outside = (await courseEvents(loaded)).filter(
      (e) =>
        (e['event_type'] === 'play_video' || e['event_type'] === 'edx.video.played') &&
        !enrolled.has(typeof e['username'] === 'string' ? e['username'] : ''),
    ).length;
    expect(sum(personCourse, 'nplay_video')).toBe(plays - outside);
    // person_course_day keeps every learner with a username
    const anonymous = (await courseEvents(loaded)).filter(
      (e) =>
        (e['event_type'] === 'play_video' || e['event_type'] === 'edx.video.played') &&
        (typeof e['username'] !== 'string' || e['username'] === ''),
    ).length;
    expect(sum(personCourseDay, 'nplay_video')).toBe(plays - anonymous);
  });

  it('forum posts by type: the truth’s threads, responses and comments (of enrolled authors)', () => {
    const forum = loaded.truth.courses[loaded.courseKey]?.forum;
    expect(sum(personCourse, 'nforum_threads')).toBe(forum?.thread);
    expect(sum(personCourse, 'nforum_comments')).toBe(
      (forum?.response ?? 0) + (forum?.comment ?? 0),
    );
    expect(sum(personCourse, 'nforum_posts')).toBe(
      (forum?.thread ?? 0) + (forum?.response ?? 0) + (forum?.comment ?? 0),
    );
  });

  it('events: the truth’s events less xblock URLs and lines without a username, by day', async () => {
    const truth = loaded.truth.courses[loaded.courseKey];
    const raw = await courseEvents(loaded);
    const excluded = (e: Record<string, unknown>): boolean =>
      typeof e['username'] !== 'string' ||
      e['username'] === '' ||
      String(e['event_type']).includes('/xblock/');
    const xblock = Object.entries(truth?.eventsByType ?? {})
      .filter(([type]) => type.includes('/xblock/'))
      .reduce((n, [, c]) => n + c, 0);
    expect(xblock).toBeGreaterThan(0);
    expect(raw).toHaveLength(truth?.events ?? -1);
    const kept = raw.filter((e) => !excluded(e));
    expect(sum(personCourseDay, 'nevents')).toBe(kept.length);
    expect(kept.length).toBeLessThanOrEqual((truth?.events ?? 0) - xblock);
    for (const [day, n] of Object.entries(truth?.eventsByDay ?? {})) {
      const droppedThatDay = raw.filter(
        (e) => excluded(e) && String(e['time']).slice(0, 10) === day,
      ).length;
      const rows = personCourseDay.filter((r) => r['date'] === day);
      expect(sum(rows, 'nevents'), day).toBe(n - droppedThatDay);
    }
    // person_course's totals are person_course_day's, summed over the enrolled learners' days
    const enrolled = new Set(personCourse.map((r) => r['user_id']));
    const enrolledDays = personCourseDay.filter((r) => enrolled.has(r['user_id']));
    for (const column of ['nevents', 'nproblem_check', 'nseq_goto', 'npause_video', 'n_dt']) {
      expect(sum(personCourse, column), column).toBe(sum(enrolledDays, column));
    }
    expect(sum(personCourse, 'ndays_act')).toBe(enrolledDays.length);
  });

  it('person_course_day is incremental: a window’s rows are those days of the full export', async () => {
    const days = Object.keys(loaded.truth.courses[loaded.courseKey]?.eventsByDay ?? {}).sort();
    expect(days.length).toBeGreaterThan(2);
    const from = days[2] ?? '';
    const later = await run('person_course_day', { from });
    expect(later.length).toBeGreaterThan(0);
    expect(later).toEqual(personCourseDay.filter((r) => (r['date'] ?? '') >= from));
    const to = days[1] ?? '';
    const earlier = await run('person_course_day', { to });
    expect(earlier).toEqual(personCourseDay.filter((r) => (r['date'] ?? '') <= to));
    // the two windows together are the full export, row for row (as a set)
    expect(earlier.length + (await run('person_course_day', { from: days[2] ?? '' })).length).toBe(
      personCourseDay.length,
    );
  });
});
