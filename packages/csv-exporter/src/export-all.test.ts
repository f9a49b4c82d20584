/**
 * `export all` end to end, on the embedded engine and on the MongoDB engine (FerretDB in
 * `npm test`): every report of the catalogue is written or skipped with its reason, every CSV
 * re-reads with fast-csv to the rows the manifest counts, and the course's tracking is read
 * once for all the tracking reports (counted on the store's own calls).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSE_COLLECTIONS } from '@edx-data/core';
import { buildProblemIds } from '@edx-data/course-extractor';
import type { Collection, Database, Store } from '@edx-data/store';
import { mongoTestUri } from '@edx-data/test-support';
import { CATALOGUE } from './catalogue.js';
import { exportReports } from './export-reports.js';
import type { LoadedCourse } from './test-support/course-fixture.js';
import { dropCourse, loadCourse, readCsv, readTable } from './test-support/course-fixture.js';

/** The store, with every read of a course database's `tracking` counted. */
function countingTrackingReads(store: Store): { store: Store; reads: string[] } {
  const reads: string[] = [];
  const wrapCollection = (collection: Collection, name: string): Collection =>
    new Proxy(collection, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        const counted = ['find', 'aggregate', 'findOne', 'distinct'].includes(String(key));
        if (name !== COURSE_COLLECTIONS.tracking || !counted) {
          return (value as (...a: unknown[]) => unknown).bind(target);
        }
        return (...args: unknown[]) => {
          reads.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapDb = (db: Database): Database =>
    new Proxy(db, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key === 'collection') {
          return (name: string) => wrapCollection(target.collection(name), name);
        }
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'db') return (name: string) => wrapDb(target.db(name));
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { store: wrapped, reads };
}

/**
 * FerretDB v1 refuses the generated `auth_userprofile` (nested arrays in `meta`): the import
 * reports the file as failed, and `all` skips `course_stats`, which needs the profiles.
 */
async function profilesMissing(loaded: LoadedCourse): Promise<boolean> {
  const profiles = await loaded.store
    .db(loaded.database)
    .collection(COURSE_COLLECTIONS.userprofile)
    .countDocuments({});
  if (profiles === 0) {
    console.log(
      'export all on FerretDB: known gap: auth_userprofile is not imported (nested arrays), so course_stats is skipped',
    );
  }
  return profiles === 0;
}

function profileSkip(loaded: LoadedCourse): { name: string; reason: string } {
  return {
    name: 'course_stats',
    reason: `reads userprofile, which is empty or missing in ${loaded.database}`,
  };
}

const uri = mongoTestUri();
const engines: { label: string; uri: string | undefined }[] = [
  { label: 'embedded', uri: undefined },
  ...(uri === undefined ? [] : [{ label: 'MongoDB', uri }]),
];

describe.each(engines)('export all on the $label engine', ({ uri: storeUri }) => {
  let dir: string;
  let loaded: LoadedCourse;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-export-all-'));
    loaded = await loadCourse(dir, {}, storeUri);
    await buildProblemIds(loaded.store, loaded.database);
  }, 300_000);

  afterAll(async () => {
    if (storeUri !== undefined) await dropCourse(loaded);
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every report it can, skips the one that needs parameters, reads the events once', async () => {
    const out = join(dir, 'all');
    const counted = countingTrackingReads(loaded.store);
    const manifest = await exportReports(counted.store, {
      course: loaded.courseKey,
      reports: 'all',
      out,
    });
    const events = loaded.truth.courses[loaded.courseKey]?.events;
    expect(manifest.inputs.trackingEvents).toBe(events);
    // one pass: a single read of the course's tracking for every tracking report
    expect(counted.reads).toEqual(['find']);
    const noProfiles = await profilesMissing(loaded);
    expect(manifest.skipped).toEqual([
      ...(noProfiles ? [profileSkip(loaded)] : []),
      {
        name: 'entrance_exit_surveys',
        reason: expect.stringContaining('needs --param entrance_exit_surveys.entrance') as unknown,
      },
    ]);
    const skipped = new Set(manifest.skipped.map((s) => s.name));
    expect(manifest.reports.map((r) => r.name)).toEqual(
      CATALOGUE.map((r) => r.name).filter((n) => !skipped.has(n)),
    );
    for (const report of manifest.reports) {
      const definition = CATALOGUE.find((r) => r.name === report.name);
      const file = report.files[0]?.file ?? '';
      const rows = await readCsv(join(out, file));
      expect(rows.length, report.name).toBe(report.rows);
      const header = (await readFile(join(out, file), 'utf8')).split(/\r?\n/u)[0];
      expect(header, report.name).toBe(definition?.columns.map((c) => c.name).join(','));
    }
    // the catalogue's reports that the generated course feeds give rows
    const empty = manifest.reports.filter((r) => r.rows === 0).map((r) => r.name);
    expect(empty).toEqual([]);
  }, 300_000);

  // On a shared server `--course all` would meet other suites' courses: embedded only.
  if (storeUri === undefined) {
    it('--course all: the rows of every course in one file, each with its course_id', async () => {
      const out = join(dir, 'every-course');
      const manifest = await exportReports(loaded.store, {
        course: 'all',
        reports: ['user_info', 'session_info'],
        out,
      });
      const keys = [...loaded.truth.courseIds].sort();
      expect(manifest.courses.map((c) => c.key)).toEqual(keys);
      expect(manifest.course).toEqual({ key: 'all', database: 'all' });
      let events = 0;
      for (const key of keys) events += loaded.truth.courses[key]?.events ?? 0;
      expect(manifest.inputs.trackingEvents).toBe(events);
      const rows = await readCsv(join(out, 'user_info.csv'));
      const header = (await readFile(join(out, 'user_info.csv'), 'utf8')).split('\n')[0];
      expect(header?.startsWith('course_id,user_id,username,hash_id,')).toBe(true);
      for (const key of keys) {
        const enrolled = new Set(
          (await readTable(loaded, 'student_courseenrollment', key)).map((e) => e['user_id']),
        );
        const ofCourse = rows.filter((r) => r['course_id'] === key);
        expect(ofCourse.map((r) => r['user_id']).sort()).toEqual([...enrolled].sort());
      }
      expect(rows.length).toBe(manifest.reports[0]?.rows);
      const schema = JSON.parse(await readFile(join(out, 'user_info.schema.json'), 'utf8')) as {
        columns: { name: string }[];
      };
      expect(schema.columns[0]?.name).toBe('course_id');
    }, 300_000);
  }

  it('runs a report of `all` that needs parameters once they are given', async () => {
    const out = join(dir, 'all-params');
    const manifest = await exportReports(loaded.store, {
      course: loaded.courseKey,
      reports: 'all',
      out,
      params: { entrance: 'nothing-1', exit: 'nothing-2' },
    });
    expect(manifest.skipped).toEqual((await profilesMissing(loaded)) ? [profileSkip(loaded)] : []);
    expect(manifest.reports.find((r) => r.name === 'entrance_exit_surveys')?.rows).toBe(0);
  }, 300_000);
});
