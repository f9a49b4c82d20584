/**
 * Acceptance of issue 7 (items 1-3) on a generated package loaded with the real loaders:
 * course structure (importCourseStructure), tracking logs (loadTrackingLogs), user_id_map
 * (edx-sql-parser, as the table importer stores it). Expected counts come from
 * ground-truth.json; block references are counted here from the raw events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Document, Store } from '@edx-data/store';
import { generatePackage, QUIRKS } from '@edx-data/synthetic-data';
import type { CourseTruth, GeneratedPackage } from '@edx-data/synthetic-data';
import { loadTrackingLogs } from '@edx-data/tracking-loader';
import { parseCourseConfig } from './course-config.js';
import type { CourseConfig } from './course-config.js';
import { courseTrackingFilter, extractCourseTracking } from './extract-course-tracking.js';
import type { ExtractCourseTrackingSummary } from './extract-course-tracking.js';
import { importCourseStructure } from './import-course-structure.js';
import { buildProblemIds } from './problem-ids.js';
import { loadUserIdMap } from './test-support/user-id-map.js';

let dir: string;
let store: Store;
let pkg: GeneratedPackage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-extractor-tracking-'));
  pkg = await generatePackage({
    dir: join(dir, 'package'),
    courses: 3,
    learners: 40,
    days: 10,
    seed: 11,
    quirks: QUIRKS,
  });
  store = await openStore(join(dir, 'store'));
  for (const file of pkg.groundTruth.files) {
    const path = join(pkg.dir, file.path);
    if (file.kind === 'course_structure') await importCourseStructure(store, path);
    if (file.kind === 'table' && file.table === 'user_id_map' && file.course !== undefined) {
      await loadUserIdMap(
        path,
        store.db(courseDatabaseName(file.course)).collection('user_id_map'),
      );
    }
  }
  const logs = pkg.groundTruth.events.files.map((f) => join(pkg.dir, f.file));
  const loaded = await loadTrackingLogs(logs, store);
  expect(loaded.failed).toBe(0);
}, 240_000);

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function truthOf(index: number): CourseTruth {
  const key = pkg.groundTruth.courseIds[index] ?? '';
  const truth = pkg.groundTruth.courses[key];
  if (truth === undefined) throw new Error(`no ground truth for ${key}`);
  return truth;
}

function expectedInWindow(truth: CourseTruth, first: string, last: string): number {
  return Object.entries(truth.eventsByDay)
    .filter(([day]) => day >= first && day <= last)
    .reduce((sum, [, n]) => sum + n, 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The block-v1 usage key an event references, as the ground truth defines it. */
function referencedKey(event: Document): string | undefined {
  let payload = event['event'];
  if (typeof payload === 'string' && payload.startsWith('{')) {
    try {
      payload = JSON.parse(payload) as unknown;
    } catch {
      payload = undefined;
    }
  }
  const context = event['context'];
  const module = isRecord(context) ? context['module'] : undefined;
  const candidates = [
    isRecord(payload) ? payload['id'] : undefined,
    isRecord(payload) ? payload['problem_id'] : undefined,
    isRecord(module) ? module['usage_key'] : undefined,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c.startsWith('block-v1:'));
}

describe('extractCourseTracking on a generated package (3 courses, 10 days, every quirk)', () => {
  let config: CourseConfig;
  let truth: CourseTruth;
  let first: string;
  let last: string;
  let summary: ExtractCourseTrackingSummary;

  beforeAll(async () => {
    truth = truthOf(1);
    const days = Object.keys(truth.eventsByDay).sort();
    first = days[0] ?? '';
    last = days.at(-1) ?? '';
    config = parseCourseConfig({
      edx_id: truth.legacyId,
      edx_course_name: 'Synthetic',
      // Both written forms of the same course: matched canonically, counted once.
      course_ids: [truth.legacyId, truth.key],
      date_of_course_enrollment: first,
      date_of_course_completion: last,
    });
    summary = await extractCourseTracking(store, config);
  }, 120_000);

  it("copies exactly the course's events of the window (the ground truth's count)", async () => {
    expect(truth.events).toBeGreaterThan(500);
    expect(summary.read).toBe(truth.events);
    expect(summary.inserted).toBe(truth.events);
    expect(summary.byCourse).toEqual({ [truth.key]: truth.events });
    const tracking = store.db(courseDatabaseName(truth.key)).collection('tracking');
    expect(await tracking.countDocuments()).toBe(truth.events);
  });

  it("reads only the master's buckets of the course (events without a course included) and window", () => {
    const master = store.db('tracking_logs').collection('tracking') as unknown as {
      explain?: (filter: Document) => { plan: string[]; exact: boolean };
    };
    const plan = master.explain?.(courseTrackingFilter(config));
    expect(plan?.plan.join('\n')).toMatch(
      /SEARCH \S+ USING INDEX \S+_meta_tmin \(meta=\? AND tmin>\? AND tmin<\?\)/,
    );
    expect(plan?.plan.join('\n')).not.toMatch(/^SCAN/m);
    // Not exact: the documents of those buckets are judged by the filter.
    expect(plan?.exact).toBe(false);
  });

  it('takes no event of another course or outside the window', async () => {
    const tracking = store.db(config.database).collection('tracking');
    let checked = 0;
    for await (const doc of tracking.find({}, { projection: { _course_id: 1, _time: 1 } })) {
      checked++;
      expect(doc['_course_id']).toBe(truth.key);
      const time = (doc['_time'] as Date).getTime();
      expect(time >= config.from.getTime() && time < config.toExclusive.getTime()).toBe(true);
    }
    expect(checked).toBe(truth.events);
  });

  it('gives every event that references a block its parent_data', async () => {
    const structure = new Map<string, Document>();
    for (const block of await store
      .db(config.database)
      .collection('course_structure')
      .find({})
      .toArray()) {
      structure.set(String(block['_id']), block);
    }
    let referencing = 0;
    let joined = 0;
    for await (const doc of store.db(config.database).collection('tracking').find({})) {
      const key = referencedKey(doc);
      if (key === undefined) continue;
      referencing++;
      const block = structure.get(key);
      const enriched = doc['block'] as Record<string, unknown> | undefined;
      if (block !== undefined && enriched?.['id'] === key) {
        expect(doc['parent_data']).toEqual(block['parent_data']);
        expect(enriched['category']).toBe(block['category']);
        joined++;
      }
    }
    expect(referencing).toBe(truth.blockEvents);
    // Every reference of this generated package names a block of its structure, so every one
    // must be joined (issue 7's 95% bar is for real logs, whose events may name blocks deleted
    // from the course since). `withBlock` also counts events whose block came from a URL
    // (courseware pages), which name no block by key: hence at least `joined`.
    expect(joined).toBe(truth.blockEvents);
    expect(summary.withBlock).toBeGreaterThanOrEqual(joined);
  });

  it('inserts 0 on a second run', async () => {
    const again = await extractCourseTracking(store, config);
    expect(again).toMatchObject({ read: truth.events, inserted: 0, alreadyPresent: truth.events });
  });

  it('counts a window of a few middle days as the ground truth does, both ends included', async () => {
    const other = truthOf(2);
    const days = Object.keys(other.eventsByDay).sort();
    const from = days[2] ?? '';
    const to = days[5] ?? '';
    const partial = parseCourseConfig({
      course_ids: [other.key],
      date_of_course_enrollment: from,
      date_of_course_completion: to,
    });
    const result = await extractCourseTracking(store, partial);
    const expected = expectedInWindow(other, from, to);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(other.events);
    expect(result.read).toBe(expected);
    expect(result.inserted).toBe(expected);
  });

  it('builds problem_ids from the server problem_check events, every learner found in user_id_map', async () => {
    const tracking = store.db(config.database).collection('tracking');
    let serverChecks = 0;
    for await (const doc of tracking.find({}, { projection: { event_type: 1, event_source: 1 } })) {
      if (doc['event_type'] === 'problem_check' && doc['event_source'] === 'server') serverChecks++;
    }
    expect(serverChecks).toBeGreaterThan(0);
    const built = await buildProblemIds(store, config.database);
    expect(built).toMatchObject({
      read: serverChecks,
      inserted: serverChecks,
      withoutUser: 0,
      userIdMapRows: truth.tables['user_id_map'],
    });
    const problems = store.db(config.database).collection('problem_ids');
    expect(await problems.countDocuments({ hash_id: null })).toBe(0);
    expect(await problems.countDocuments({ problem_id: { $regex: '^block-v1:' } })).toBe(
      serverChecks,
    );
    const again = await buildProblemIds(store, config.database);
    expect(again).toMatchObject({ inserted: 0, alreadyPresent: serverChecks });
    expect(await problems.countDocuments()).toBe(serverChecks);
  });
});
