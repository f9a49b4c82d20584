/**
 * Course extraction and problem_ids on the MongoDB engine, through the official driver,
 * against the server of MONGODB_URI (`npm test` starts FerretDB for it). The master, the
 * course database and its structure live in databases of this run, dropped at the end (so
 * the structure is built and inserted here, into this run's database, rather than imported
 * into the course's own). Skipped without MONGODB_URI (printed; a failure under CI).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { generatePackage } from '@edx-data/synthetic-data';
import type { CourseTruth, GeneratedPackage } from '@edx-data/synthetic-data';
import { loadTrackingLogs } from '@edx-data/tracking-loader';
import { mongoTestUri } from '@edx-data/test-support';
import { buildCourseStructure } from './build-course-structure.js';
import { parseCourseConfig } from './course-config.js';
import { extractCourseTracking } from './extract-course-tracking.js';
import { buildProblemIds } from './problem-ids.js';
import { loadUserIdMap } from './test-support/user-id-map.js';

const uri = mongoTestUri();
const run = `ce_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
const master = `${run}_master`;
const course = `${run}_course`;

describe.skipIf(uri === undefined)('extractCourseTracking on the MongoDB engine', () => {
  let dir: string;
  let store: Store;
  let pkg: GeneratedPackage;
  let truth: CourseTruth;
  let key: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'course-extractor-mongo-'));
    pkg = await generatePackage({
      dir: join(dir, 'package'),
      courses: 2,
      learners: 20,
      days: 4,
      seed: 12,
    });
    key = pkg.groundTruth.courseIds[0] ?? '';
    truth = pkg.groundTruth.courses[key]!;
    store = await openStore(uri);
    const db = store.db(course);
    for (const file of pkg.groundTruth.files) {
      if (file.course !== key) continue;
      const path = join(pkg.dir, file.path);
      if (file.kind === 'course_structure') {
        const structure = buildCourseStructure(JSON.parse(await readFile(path, 'utf8')), {
          courseId: key,
        });
        await db.collection('course_structure').insertMany(structure.blocks);
      }
      if (file.kind === 'table' && file.table === 'user_id_map') {
        await loadUserIdMap(path, db.collection('user_id_map'));
      }
    }
    const logs = pkg.groundTruth.events.files.map((f) => join(pkg.dir, f.file));
    const loaded = await loadTrackingLogs(logs, store, { database: master });
    expect(loaded.failed).toBe(0);
  }, 180_000);

  afterAll(async () => {
    for (const name of [master, course]) await store.dropDatabase(name).catch(() => false);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies the course window with its blocks, then adds nothing on a re-run; problem_ids', async () => {
    const days = Object.keys(truth.eventsByDay).sort();
    const config = parseCourseConfig({
      course_ids: [truth.legacyId],
      date_of_course_enrollment: days[0],
      date_of_course_completion: days.at(-1),
    });
    const options = { database: course, masterDatabase: master };
    const first = await extractCourseTracking(store, config, options);
    expect(first).toMatchObject({
      read: truth.events,
      inserted: truth.events,
      alreadyPresent: 0,
    });
    expect(first.structureBlocks).toBeGreaterThan(50);
    const tracking = store.db(course).collection('tracking');
    expect(await tracking.countDocuments()).toBe(truth.events);
    const blockKey = { $regex: '^block-v1:' };
    expect(
      await tracking.countDocuments({
        $or: [
          { 'event.id': blockKey },
          { 'event.problem_id': blockKey },
          { 'context.module.usage_key': blockKey },
        ],
        parent_data: { $exists: true },
      }),
    ).toBe(truth.blockEvents);

    const again = await extractCourseTracking(store, config, options);
    expect(again).toMatchObject({
      read: truth.events,
      inserted: 0,
      alreadyPresent: truth.events,
    });

    const problems = await buildProblemIds(store, course);
    expect(problems.read).toBeGreaterThan(0);
    expect(problems.withoutUser).toBe(0);
    expect(await store.db(course).collection('problem_ids').countDocuments()).toBe(problems.read);
  }, 120_000);
});
