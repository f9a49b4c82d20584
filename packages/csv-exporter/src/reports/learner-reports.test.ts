/**
 * The learner reports on a generated package (every figure computed again from the package's
 * raw TSV tables and .log.gz lines, or for the chapters from the stored events' `parent_data`
 * and `course_axis`), on the embedded engine and on MongoDB when `MONGODB_URI` is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoTestUri } from '@edx-data/test-support';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { dropCourse, exportRows, loadCourse, readTable } from '../test-support/course-fixture.js';
import {
  rawCompleters,
  rawCourseEvents,
  rawIdentities,
  rawUserId,
  tableTime,
} from '../test-support/learner-readers.js';

const uri = mongoTestUri();
const engines: { label: string; uri: string | undefined }[] = [
  { label: 'embedded', uri: undefined },
  ...(uri === undefined ? [] : [{ label: 'MongoDB', uri }]),
];

const DAY = 86_400_000;

describe.each(engines)('learner reports on a generated course ($label engine)', (engine) => {
  let dir: string;
  let loaded: LoadedCourse;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'learner-reports-'));
    loaded = await loadCourse(dir, {}, engine.uri);
  }, 300_000);

  afterAll(async () => {
    if (engine.uri !== undefined) await dropCourse(loaded);
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    report: string,
    options: { params?: Record<string, string>; from?: string; to?: string } = {},
  ): Promise<Record<string, string>[]> {
    return exportRows(loaded.store, loaded.courseKey, report, dir, options);
  }

  it('course_completers: the downloadable certificates, with name, grade and dates', async () => {
    const rows = await run('course_completers');
    const { byId } = await rawIdentities(loaded);
    const certificates = await readTable(loaded, 'certificates_generatedcertificate');
    const expected = certificates
      .filter((c) => c['status'] === 'downloadable')
      .sort((a, b) => Number(a['user_id']) - Number(b['user_id']))
      .map((c) => ({
        user_id: c['user_id'] ?? '',
        username: byId.get(c['user_id'] ?? '')?.username ?? '',
        hash_id: byId.get(c['user_id'] ?? '')?.hash_id ?? '',
        name: c['name'] ?? '',
        grade: String(Number(c['grade'])),
        certificate_created: new Date(tableTime(c['created_date']) ?? 0).toISOString(),
        certificate_modified: new Date(tableTime(c['modified_date']) ?? 0).toISOString(),
      }));
    expect(expected.length).toBe(
      loaded.truth.courses[loaded.courseKey]?.certificatesByStatus['downloadable'],
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(rows).toEqual(expected);
  });

  it('date_of_registration: the first enrollment of every enrolled learner, and of completers', async () => {
    const enrollment = await readTable(loaded, 'student_courseenrollment');
    const { byId } = await rawIdentities(loaded);
    const first = new Map<string, number>();
    for (const e of enrollment) {
      const id = e['user_id'] ?? '';
      const t = tableTime(e['created']) ?? Number.POSITIVE_INFINITY;
      first.set(id, Math.min(first.get(id) ?? Number.POSITIVE_INFINITY, t));
    }
    const expected = [...first]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([id, t]) => ({
        user_id: id,
        username: byId.get(id)?.username ?? '',
        hash_id: byId.get(id)?.hash_id ?? '',
        registration_date: new Date(t).toISOString().slice(0, 10),
        registration_time: new Date(t).toISOString(),
      }));
    expect(expected.length).toBe(loaded.truth.courses[loaded.courseKey]?.learners);
    expect(await run('date_of_registration')).toEqual(expected);
    const completers = await rawCompleters(loaded);
    const onlyCompleters = expected.filter((r) => completers.has(r.user_id));
    expect(onlyCompleters.length).toBeGreaterThan(0);
    expect(onlyCompleters.length).toBeLessThan(expected.length);
    expect(await run('date_of_registration', { params: { completers_only: 'true' } })).toEqual(
      onlyCompleters,
    );
  });

  it('course_stats: every enrolled learner once in each category, at a given year and by default', async () => {
    const enrollment = await readTable(loaded, 'student_courseenrollment');
    const profiles = await readTable(loaded, 'auth_userprofile');
    const stored = await loaded.store
      .db(loaded.database)
      .collection('userprofile')
      .countDocuments();
    if (stored === 0 && engine.uri !== undefined) {
      // Known gap outside this report: FerretDB v1 refuses arrays of arrays, which the
      // generated profiles' `meta` holds, so the import of auth_userprofile fails there; the
      // report then refuses to run rather than put everyone in None.
      console.log(
        `course_stats on ${engine.label}: known gap: auth_userprofile not imported (FerretDB v1: no nested arrays)`,
      );
      await expect(run('course_stats')).rejects.toMatchObject({ code: 'E_USAGE' });
      return;
    }
    const completers = await rawCompleters(loaded);
    const ids = [...new Set(enrollment.map((e) => e['user_id'] ?? ''))];
    const expectedAt = (year: number): string[][] => {
      const count = new Map<string, number>();
      for (const id of ids) {
        const profile = profiles.find((p) => p['user_id'] === id);
        const born = profile?.['year_of_birth'];
        const age = born == null || born === '' ? null : year - Number(born);
        const band =
          age === null || age < 0
            ? 'None'
            : age < 20
              ? 'Under 20'
              : age < 30
                ? '20-29'
                : age < 40
                  ? '30-39'
                  : age < 50
                    ? '40-49'
                    : age < 70
                      ? '50-69'
                      : '70+';
        const g = profile?.['gender'];
        const gender = g === 'm' ? 'Male' : g === 'f' ? 'Female' : g === 'o' ? 'Other' : 'None';
        for (const key of [`Age ${band}`, `Gender ${gender}`]) {
          count.set(key, (count.get(key) ?? 0) + 1);
        }
        const cert = `Certificate ${completers.has(id) ? 'Yes' : 'No'}`;
        count.set(cert, (count.get(cert) ?? 0) + 1);
      }
      const keys = [
        ...['Under 20', '20-29', '30-39', '40-49', '50-69', '70+', 'None'].map((v) => ['Age', v]),
        ...['Male', 'Female', 'Other', 'None'].map((v) => ['Gender', v]),
        ['Certificate', 'Yes'],
        ['Certificate', 'No'],
      ];
      return keys.map(([c = '', v = '']) => {
        const n = count.get(`${c} ${v}`) ?? 0;
        return [c, v, String(n), String(Math.round((n * 10_000) / ids.length) / 100)];
      });
    };
    const asRows = (rows: Record<string, string>[]): string[][] =>
      rows.map((r) => [
        r['category'] ?? '',
        r['value'] ?? '',
        r['learners'] ?? '',
        r['percent'] ?? '',
      ]);
    const at2024 = asRows(await run('course_stats', { params: { as_of_year: '2024' } }));
    expect(at2024).toEqual(expectedAt(2024));
    // the generated profiles fill several bands and the three genders
    expect(at2024.filter((r) => r[2] !== '0').length).toBeGreaterThan(6);
    const firstYear = new Date(
      Math.min(...enrollment.map((e) => tableTime(e['created']) ?? Number.POSITIVE_INFINITY)),
    ).getUTCFullYear();
    expect(asRows(await run('course_stats'))).toEqual(expectedAt(firstYear));
  });

  it('students_never_accessed: enrolled learners without a non-enrollment event, whole log and one day', async () => {
    const enrollment = await readTable(loaded, 'student_courseenrollment');
    const { byId, idOf } = await rawIdentities(loaded);
    const first = new Map<string, number>();
    for (const e of enrollment) {
      const id = e['user_id'] ?? '';
      first.set(
        id,
        Math.min(first.get(id) ?? Number.POSITIVE_INFINITY, tableTime(e['created']) ?? 0),
      );
    }
    const expected = async (from?: number, to?: number): Promise<Record<string, string>[]> => {
      const accessed = new Set<string>();
      for (const e of await rawCourseEvents(loaded, from, to)) {
        if (String(e['event_type']).startsWith('edx.course.enrollment.')) continue;
        const id = rawUserId(e) ?? idOf.get(String(e['username']));
        if (id !== undefined) accessed.add(id);
      }
      return [...first]
        .filter(([id]) => !accessed.has(id))
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([id, t]) => ({
          user_id: id,
          username: byId.get(id)?.username ?? '',
          hash_id: byId.get(id)?.hash_id ?? '',
          enrollment_date: new Date(t).toISOString(),
        }));
    };
    const all = await expected();
    expect(await run('students_never_accessed')).toEqual(all);
    const day =
      Object.keys(loaded.truth.courses[loaded.courseKey]?.eventsByDay ?? {}).sort()[1] ?? '';
    const start = Date.parse(`${day}T00:00:00.000Z`);
    const oneDay = await expected(start, start + DAY);
    expect(oneDay.length).toBeGreaterThan(all.length);
    expect(await run('students_never_accessed', { from: day, to: day })).toEqual(oneDay);
  });

  it('first_activity and last_event_by_user: the first and last event of each learner', async () => {
    const { byId, idOf } = await rawIdentities(loaded);
    const events = (await rawCourseEvents(loaded)).filter(
      (e) => typeof e['username'] === 'string' && e['username'] !== '',
    );
    const byUser = new Map<string, typeof events>();
    for (const e of events) {
      const name = String(e['username']);
      byUser.set(name, [...(byUser.get(name) ?? []), e]);
    }
    const users = [...byUser.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(users.length).toBeGreaterThan(10);
    const firstRows = await run('first_activity');
    const lastRows = await run('last_event_by_user');
    expect(firstRows.map((r) => r['username'])).toEqual(users);
    expect(lastRows.map((r) => r['username'])).toEqual(users);
    for (const [i, user] of users.entries()) {
      const mine = byUser.get(user) ?? [];
      const min = Math.min(...mine.map((e) => e.ms));
      const max = Math.max(...mine.map((e) => e.ms));
      const id = rawUserId(mine[0] ?? {}) ?? idOf.get(user) ?? '';
      const f = firstRows[i] ?? {};
      expect(f['user_id']).toBe(id);
      expect(f['hash_id']).toBe(byId.get(id)?.hash_id ?? '');
      expect(f['first_event_time']).toBe(new Date(min).toISOString());
      expect(f['first_event_date']).toBe(new Date(min).toISOString().slice(0, 10));
      expect(mine.filter((e) => e.ms === min).map((e) => e['event_type'])).toContain(
        f['event_type'],
      );
      const l = lastRows[i] ?? {};
      expect(l['user_id']).toBe(id);
      expect(l['last_event_time']).toBe(new Date(max).toISOString());
      expect(mine.filter((e) => e.ms === max).map((e) => e['event_type'])).toContain(
        l['event_type'],
      );
    }
    // restricted to one event type, and to completers
    const type = 'play_video';
    const withType = users.filter((u) =>
      (byUser.get(u) ?? []).some((e) => e['event_type'] === type),
    );
    const typed = await run('first_activity', { params: { event_type: type } });
    expect(typed.map((r) => r['username'])).toEqual(withType);
    for (const row of typed) {
      const min = Math.min(
        ...(byUser.get(row['username'] ?? '') ?? [])
          .filter((e) => e['event_type'] === type)
          .map((e) => e.ms),
      );
      expect(row['first_event_time']).toBe(new Date(min).toISOString());
      expect(row['event_type']).toBe(type);
    }
    const completers = await rawCompleters(loaded);
    const completing = users.filter((u) => {
      const id = rawUserId(byUser.get(u)?.[0] ?? {}) ?? idOf.get(u) ?? '';
      return completers.has(id);
    });
    expect(completing.length).toBeGreaterThan(0);
    const onlyCompleters = await run('first_activity', { params: { completers_only: 'true' } });
    expect(onlyCompleters.map((r) => r['username'])).toEqual(completing);
  });

  it('chapters_accessed_per_user: the distinct chapters of the stored events, in course order', async () => {
    const db = loaded.store.db(loaded.database);
    const order: string[] = [];
    for await (const row of db
      .collection('course_axis')
      .find({ category: 'chapter' }, { sort: { index: 1 } })) {
      order.push(String(row['url_name']));
    }
    expect(order.length).toBe(loaded.truth.courses[loaded.courseKey]?.blocks.after['chapter']);
    const chapters = new Map<string, Set<string>>();
    for await (const e of db.collection('tracking').find({})) {
      const user = e['username'];
      if (typeof user !== 'string' || user === '') continue;
      const set = chapters.get(user) ?? new Set<string>();
      chapters.set(user, set);
      const chapter = (e['parent_data'] as Record<string, unknown> | undefined)?.['chapter_id'];
      if (typeof chapter === 'string' && order.includes(chapter)) set.add(chapter);
    }
    const rows = await run('chapters_accessed_per_user');
    const users = [...chapters.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(rows.map((r) => r['username'])).toEqual(users);
    for (const row of rows) {
      const want = order.filter((c) => chapters.get(row['username'] ?? '')?.has(c));
      expect(row['chapters_accessed']).toBe(String(want.length));
      expect(row['chapters_total']).toBe(String(order.length));
      expect(JSON.parse(row['chapter_ids'] ?? '')).toEqual(want);
      expect((JSON.parse(row['chapter_names'] ?? '') as unknown[]).length).toBe(want.length);
    }
    expect(rows.some((r) => Number(r['chapters_accessed']) >= 2)).toBe(true);
  });
});
