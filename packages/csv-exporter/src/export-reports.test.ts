/**
 * exportReports end to end on a generated package loaded through every stage: the files, the
 * data dictionaries, the manifest, and two reports' figures computed independently from the
 * package's raw files (user_info from the TSV tables, session_info from the .log.gz lines).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@edx-data/store';
import { exportReports } from './export-reports.js';
import type { LoadedCourse } from './test-support/course-fixture.js';
import { courseEvents, loadCourse, readCsv, readTable } from './test-support/course-fixture.js';

let dir: string;
let loaded: LoadedCourse;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-export-'));
  loaded = await loadCourse(dir);
}, 180_000);

afterAll(async () => {
  await loaded.store.close();
  await rm(dir, { recursive: true, force: true });
});

describe(exportReports, () => {
  it('the fixture: the course events read from the raw logs are the ones extracted', async () => {
    const events = await courseEvents(loaded);
    expect(events.length).toBe(loaded.truth.courses[loaded.courseKey]?.events);
  });

  it('writes each report, its data dictionary and a manifest with counts and hashes', async () => {
    const out = join(dir, 'out-1');
    const manifest = await exportReports(loaded.store, {
      course: loaded.courseKey,
      reports: ['user_info', 'session_info'],
      out,
    });
    expect((await readdir(out)).sort()).toEqual([
      'manifest.json',
      'session_info.csv',
      'session_info.schema.json',
      'user_info.csv',
      'user_info.schema.json',
    ]);
    expect(manifest.course).toEqual({ key: loaded.courseKey, database: loaded.database });
    expect(manifest.inputs.trackingEvents).toBe(loaded.truth.courses[loaded.courseKey]?.events);
    for (const report of manifest.reports) {
      const [file] = report.files;
      const bytes = await readFile(join(out, file?.file ?? ''));
      expect(file?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(file?.bytes).toBe(bytes.length);
      expect((await readCsv(join(out, file?.file ?? ''))).length).toBe(report.rows);
    }
    const schema = JSON.parse(await readFile(join(out, 'user_info.schema.json'), 'utf8')) as {
      report: string;
      version: string;
      columns: { name: string; identifier?: string }[];
    };
    expect(schema.report).toBe('user_info');
    expect(schema.columns.slice(0, 3).map((c) => [c.name, c.identifier])).toEqual([
      ['user_id', 'user_id'],
      ['username', 'username'],
      ['hash_id', 'hash_id'],
    ]);
    const written = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as unknown;
    expect(written).toEqual(JSON.parse(JSON.stringify(manifest)));
  });

  it('user_info: one row per enrolled learner, from the TSV tables', async () => {
    const out = join(dir, 'out-user-info');
    await exportReports(loaded.store, { course: loaded.courseKey, reports: ['user_info'], out });
    const rows = await readCsv(join(out, 'user_info.csv'));
    const enrollment = await readTable(loaded, 'student_courseenrollment');
    const profiles = await readTable(loaded, 'auth_userprofile');
    const certificates = await readTable(loaded, 'certificates_generatedcertificate');
    const map = await readTable(loaded, 'user_id_map');
    const ids = [...new Set(enrollment.map((e) => Number(e['user_id'])))].sort((a, b) => a - b);
    expect(rows.map((r) => Number(r['user_id']))).toEqual(ids);
    for (const row of rows) {
      const id = row['user_id'];
      const profile = profiles.find((p) => p['user_id'] === id);
      const certificate = certificates.find((c) => c['user_id'] === id);
      const mapped = map.find((m) => (m['user_id'] ?? m['id']) === id);
      expect(row['username']).toBe(mapped?.['username']);
      expect(row['hash_id']).toBe(mapped?.['hash_id']);
      expect(row['gender']).toBe(profile?.['gender'] ?? '');
      expect(row['year_of_birth']).toBe(profile?.['year_of_birth'] ?? '');
      expect(row['final_grade']).toBe(
        certificate?.['grade'] == null ? '' : String(Number(certificate['grade'])),
      );
      const created = enrollment.find((e) => e['user_id'] === id)?.['created'] ?? '';
      expect(row['enrollment_date']).toBe(new Date(`${created.replace(' ', 'T')}Z`).toISOString());
    }
    // The bug of the old script: learners without a certificate row are there, grade empty.
    const withoutCertificate = rows.filter(
      (r) => !certificates.some((c) => c['user_id'] === r['user_id']),
    );
    expect(withoutCertificate.length).toBeGreaterThan(0);
    expect(withoutCertificate.every((r) => r['final_grade'] === '')).toBe(true);
  });

  it('session_info: every (learner, session) of the raw logs, with its events and times', async () => {
    const out = join(dir, 'out-sessions');
    await exportReports(loaded.store, { course: loaded.courseKey, reports: ['session_info'], out });
    const rows = await readCsv(join(out, 'session_info.csv'));
    const expected = new Map<string, { events: number; start: number; end: number }>();
    for (const e of await courseEvents(loaded)) {
      const session = e['session'];
      const username = e['username'];
      if (typeof session !== 'string' || session === '') continue;
      if (typeof username !== 'string' || username === '') continue;
      const raw = String(e['time']);
      const time = Date.parse(/[+Z]/u.test(raw.slice(19)) ? raw : `${raw}Z`);
      const key = `${username} ${session}`;
      const found = expected.get(key);
      if (found === undefined) expected.set(key, { events: 1, start: time, end: time });
      else {
        found.events += 1;
        found.start = Math.min(found.start, time);
        found.end = Math.max(found.end, time);
      }
    }
    expect(expected.size).toBeGreaterThan(10);
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      const want = expected.get(`${row['username'] ?? ''} ${row['session_id'] ?? ''}`);
      expect(want, `${row['username'] ?? ''} ${row['session_id'] ?? ''}`).toBeDefined();
      expect(Number(row['events'])).toBe(want?.events);
      expect(Date.parse(row['start_time'] ?? '')).toBe(want?.start);
      expect(Date.parse(row['end_time'] ?? '')).toBe(want?.end);
      expect(Number(row['duration_seconds'])).toBe(((want?.end ?? 0) - (want?.start ?? 0)) / 1000);
    }
  });

  it('refuses a course that is not in the store, and a report that is not in the catalogue', async () => {
    await expect(
      exportReports(loaded.store, { course: 'course-v1:NoX+N1+2024', reports: 'all', out: dir }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('not in this store') as unknown,
    });
    await expect(
      exportReports(loaded.store, { course: loaded.courseKey, reports: ['nope'], out: dir }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('unknown report') as unknown,
    });
    await expect(
      exportReports(loaded.store, {
        course: loaded.courseKey,
        reports: ['user_info'],
        out: dir,
        params: { nothing: '1' },
      }),
    ).rejects.toMatchObject({ code: 'E_OPTION' });
  });

  it('says a report needs the course tracking extracted, when it is not', async () => {
    const store = await openStore(join(dir, 'no-tracking'));
    try {
      await store
        .db('NoTrackX_T1_2024')
        .collection('enrollment')
        .insertMany([{ _id: 1, user_id: 1, created: new Date(0), mode: 'audit', is_active: true }]);
      const out = join(dir, 'out-no-tracking');
      const course = 'course-v1:NoTrackX+T1+2024';
      // user_info needs only the tables: it runs
      const manifest = await exportReports(store, { course, reports: ['user_info'], out });
      expect(manifest.reports[0]?.rows).toBe(1);
      await expect(
        exportReports(store, { course, reports: ['session_info'], out }),
      ).rejects.toMatchObject({
        code: 'E_USAGE',
        message: expect.stringContaining('extract the course tracking first') as unknown,
      });
    } finally {
      await store.close();
    }
  });
});
