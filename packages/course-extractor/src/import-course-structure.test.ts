import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { generatePackage, generateTestKey } from '@edx-data/synthetic-data';
import type { GeneratedPackage } from '@edx-data/synthetic-data';
import { HAS_REALDATA } from '@edx-data/test-support';
import { importCourseStructure } from './import-course-structure.js';
import { NESTED, key, structureJson } from './test-support/fixtures.js';
import { DEMO_STRUCTURE } from './test-support/realdata.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-extractor-import-'));
  store = await openStore(join(dir, 'store'));
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function collectionNames(database: string): Promise<string[]> {
  return (await store.db(database).listCollections()).map((c) => c.name).sort();
}

describe(importCourseStructure, () => {
  it.runIf(HAS_REALDATA)(
    'loads the real edx-analytics-pipeline file and reports its missing child',
    async () => {
      const summary = await importCourseStructure(store, DEMO_STRUCTURE);
      const chapter =
        'block-v1:edX+DemoX+Demo_Course+type@chapter+block@1414ffd5143b4b508f739b563ab468b7';
      expect(summary).toMatchObject({
        courseKey: 'course-v1:edX+DemoX+Demo_Course',
        database: 'edX_DemoX_Demo_Course',
        blocks: 1,
        blocksByCategory: { chapter: 1 },
      });
      expect(summary.issues).toEqual({
        missingChildren: [
          {
            parent: chapter,
            child: 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@workflow',
          },
        ],
        multipleParents: [],
        // The file has no course block, so the chapter is a root of its own.
        orphans: [chapter],
        spliced: 0,
      });
      const db = store.db('edX_DemoX_Demo_Course');
      expect(await db.collection('course_structure').findOne({ _id: chapter })).toEqual({
        _id: chapter,
        block_id: '1414ffd5143b4b508f739b563ab468b7',
        category: 'chapter',
        display_name: 'About Exams and Certificates',
        children: [],
        parent: null,
        metadata: { display_name: 'About Exams and Certificates', start: '1970-01-01T05:00:00Z' },
        parent_data: {},
      });
      expect(await db.collection('course_axis').findOne({ _id: chapter })).toMatchObject({
        index: 1,
        category: 'chapter',
        url_name: '1414ffd5143b4b508f739b563ab468b7',
        name: 'About Exams and Certificates',
        path: '/1414ffd5143b4b508f739b563ab468b7',
        parent: null,
        chapter_mid: null,
        start: new Date('1970-01-01T05:00:00Z'),
        due: null,
        module_id: 'edX/DemoX/chapter/1414ffd5143b4b508f739b563ab468b7',
        course_id: 'edX/DemoX/Demo_Course',
      });
    },
  );

  describe('a generated package', () => {
    let pkg: GeneratedPackage;
    let privateKey: string;
    beforeAll(async () => {
      const testKey = await generateTestKey();
      privateKey = testKey.privateKey;
      pkg = await generatePackage({
        dir: join(dir, 'pkg'),
        courses: 1,
        learners: 5,
        days: 1,
        seed: 3,
        encryptTo: testKey.publicKey,
      });
    });

    it('decrypts, loads both collections with indexes, and leaves no temporary collection', async () => {
      const file = pkg.groundTruth.files.find((f) => f.kind === 'course_structure');
      expect(file?.path).toMatch(/\.json\.gpg$/u);
      const courseKey = pkg.groundTruth.courseIds[0] ?? '';
      const truth = pkg.groundTruth.courses[courseKey]?.blocks;
      const summary = await importCourseStructure(store, join(pkg.dir, file?.path ?? ''), {
        key: privateKey,
      });
      expect(summary.courseKey).toBe(courseKey);
      expect(summary.blocksByCategory).toEqual(truth?.after);
      expect(summary.blocks).toBe(truth?.totalAfter);
      const db = store.db(summary.database);
      expect(await collectionNames(summary.database)).toEqual(['course_axis', 'course_structure']);
      expect(await db.collection('course_structure').countDocuments()).toBe(truth?.totalAfter);
      expect(await db.collection('course_axis').countDocuments()).toBe(truth?.totalAfter);
      expect(
        await db.collection('course_structure').countDocuments({ category: 'conditional' }),
      ).toBe(0);
      const names = (await db.collection('course_structure').listIndexes()).map((i) => i.name);
      expect(names).toEqual(
        expect.arrayContaining(['block_id_1', 'category_1', 'parent_data.chapter_id_1']),
      );
      const axisNames = (await db.collection('course_axis').listIndexes()).map((i) => i.name);
      expect(axisNames).toEqual(expect.arrayContaining(['index_1', 'module_id_1']));
      const problem = await db.collection('course_structure').findOne({ category: 'problem' });
      expect(problem?.['parent_data']).toMatchObject({
        course_id: 'course',
        chapter_id: expect.any(String),
        sequential_id: expect.any(String),
        vertical_id: expect.any(String),
      });
      const first = await db.collection('course_axis').findOne({ index: 1 });
      expect(first).toMatchObject({ category: 'course', url_name: 'course', path: '/1' });
    });
  });

  it('reads gzip, replaces the previous load, and keeps it when a new load fails', async () => {
    const file = join(dir, 'OrgX-C1-R1-course_structure-prod-analytics.json.gz');
    await writeFile(file, gzipSync(JSON.stringify(structureJson(NESTED))));
    const first = await importCourseStructure(store, file);
    expect(first).toMatchObject({
      courseKey: 'course-v1:OrgX+C1+R1',
      database: 'OrgX_C1_R1',
      blocks: 22,
    });
    const small = structureJson([
      ['course', 'course', ['chapter:a']],
      ['chapter', 'a', []],
    ]);
    await writeFile(file, gzipSync(JSON.stringify(small)));
    const second = await importCourseStructure(store, file);
    expect(second.blocks).toBe(2);
    const db = store.db('OrgX_C1_R1');
    expect(await db.collection('course_structure').countDocuments()).toBe(2);
    expect(await db.collection('course_axis').countDocuments()).toBe(2);

    const cyclic = structureJson([
      ['course', 'course', ['chapter:a']],
      ['chapter', 'a', ['course:course']],
    ]);
    await writeFile(file, gzipSync(JSON.stringify(cyclic)));
    await expect(importCourseStructure(store, file)).rejects.toThrow(/cycle/u);
    await writeFile(file, gzipSync('{"broken": '));
    await expect(importCourseStructure(store, file)).rejects.toMatchObject({ code: 'E_INPUT' });
    expect(await db.collection('course_structure').countDocuments()).toBe(2);
    expect(await collectionNames('OrgX_C1_R1')).toEqual(['course_axis', 'course_structure']);
  });

  it('refuses a file over maxBytes, with a clear error', async () => {
    const file = join(dir, 'OrgX-C2-R1-course_structure-prod-analytics.json');
    await writeFile(file, JSON.stringify(structureJson(NESTED)));
    const error: unknown = await importCourseStructure(store, file, { maxBytes: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/larger than 100 bytes.*maxBytes/u);
    expect((await store.listDatabases()).map((d) => d.name)).not.toContain('OrgX_C2_R1');
  });

  it('takes the course from courseId, or from the keys, and strips a BOM', async () => {
    const file = join(dir, 'structure.json');
    await writeFile(file, `\uFEFF${JSON.stringify(structureJson(NESTED))}`);
    const fromKeys = await importCourseStructure(store, file);
    expect(fromKeys.courseKey).toBe('course-v1:OrgX+C1+R1');
    const given = await importCourseStructure(store, file, { courseId: 'Other/Num/Run' });
    expect(given.database).toBe('Other_Num_Run');
    const axis = await store
      .db('Other_Num_Run')
      .collection('course_axis')
      .findOne({ _id: key('problem', 'p2') });
    expect(axis?.['course_id']).toBe('Other/Num/Run');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replaceAll('block-v1:OrgX+C1+R1+type@', 'x:'));
    await expect(importCourseStructure(store, file)).rejects.toMatchObject({ code: 'E_COURSE_ID' });
  });
});
