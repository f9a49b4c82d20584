import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@edx-data/store';
import type { Collection, Document, Store } from '@edx-data/store';
import { loadTrackingLogs } from '@edx-data/tracking-loader';
import { parseCourseConfig } from './course-config.js';
import { courseTrackingFilter, extractCourseTracking } from './extract-course-tracking.js';
import { importCourseStructure } from './import-course-structure.js';
import { buildProblemIds } from './problem-ids.js';
import { NESTED, key, structureJson } from './test-support/fixtures.js';

const COURSE = 'course-v1:OrgX+C1+R1';
const OTHER = 'course-v1:OrgX+C2+R1';
const URL = 'https://courses.edx.org/courses';

/** Hand-made events, one line each; `in` says whether the extraction must take it. */
const EVENTS: readonly { readonly name: string; readonly in: boolean; readonly line: object }[] = [
  {
    name: 'first instant of the enrollment day, server problem_check',
    in: true,
    line: {
      username: '12345',
      event_source: 'server',
      event_type: 'problem_check',
      time: '2024-01-10T00:00:00+00:00',
      context: {
        course_id: COURSE,
        user_id: 12,
        module: { display_name: 'P1', usage_key: key('problem', 'p1') },
      },
      event: { problem_id: key('problem', 'p1'), attempts: 1, success: 'correct' },
      page: null,
    },
  },
  {
    name: 'last millisecond of the completion day, browser video (short id), slash course id',
    in: true,
    line: {
      username: 'ana',
      event_source: 'browser',
      event_type: 'play_video',
      time: '2024-01-12T23:59:59.999000+00:00',
      context: { course_id: 'OrgX/C1/R1', user_id: 13 },
      event: JSON.stringify({ id: 'p7', currentTime: 3 }),
      page: `${URL}/OrgX/C1/R1/courseware/chB/s2/1`,
    },
  },
  {
    name: 'last millisecond before the window',
    in: false,
    line: {
      username: 'ana',
      event_source: 'server',
      event_type: 'problem_check',
      time: '2024-01-09T23:59:59.999000+00:00',
      context: { course_id: COURSE, user_id: 13 },
      event: { problem_id: key('problem', 'p1') },
    },
  },
  {
    name: 'first instant after the window',
    in: false,
    line: {
      username: 'ana',
      event_source: 'browser',
      event_type: 'page_close',
      time: '2024-01-13T00:00:00+00:00',
      context: { course_id: COURSE, user_id: 13 },
      event: '',
      page: `${URL}/${COURSE}/courseware/chA/s1/1`,
    },
  },
  {
    name: 'another course inside the window',
    in: false,
    line: {
      username: 'ana',
      event_source: 'server',
      event_type: 'problem_check',
      time: '2024-01-11T10:00:00+00:00',
      context: { course_id: OTHER, user_id: 13 },
      event: { problem_id: 'block-v1:OrgX+C2+R1+type@problem+block@p1' },
    },
  },
  {
    name: 'implicit courseware event (URL in event_type) → the sequential',
    in: true,
    line: {
      username: 'ana',
      event_source: 'server',
      event_type: '/courses/OrgX/C1/R1/courseware/chA/s1/',
      time: '2024-01-11T08:00:00+00:00',
      context: { course_id: 'OrgX/C1/R1', user_id: 13 },
      event: '{"POST": {}, "GET": {}}',
      page: null,
    },
  },
  {
    name: 'browser page_close, courseware URL with position 2 → second vertical',
    in: true,
    line: {
      username: 'ana',
      event_source: 'browser',
      event_type: 'page_close',
      time: '2024-01-11T08:05:00+00:00',
      context: { course_id: COURSE, user_id: 13 },
      event: '',
      page: `${URL}/${COURSE}/courseware/chA/s1/2?activate_block_id=x`,
    },
  },
  {
    name: 'context.module.usage_key in the i4x form, learner not in user_id_map',
    in: true,
    line: {
      username: 'zoe',
      event_source: 'server',
      event_type: 'problem_check',
      time: '2024-01-11T09:00:00+00:00',
      context: {
        course_id: COURSE,
        user_id: 99,
        module: { usage_key: 'i4x://OrgX/C1/html/h1' },
      },
      event: { attempts: 2 },
    },
  },
  {
    name: 'forum event: no block',
    in: true,
    line: {
      username: 'ana',
      event_source: 'server',
      event_type: 'edx.forum.thread.viewed',
      time: '2024-01-12T12:00:00+00:00',
      context: { course_id: COURSE, user_id: 13 },
      event: { id: '5f0c1a2b3c4d5e6f7a8b9c0d', commentable_id: 'general' },
    },
  },
  {
    name: 'original fields named block and parent_data: left as they are',
    in: true,
    line: {
      username: 'ana',
      event_source: 'browser',
      event_type: 'seq_goto',
      time: '2024-01-12T13:00:00+00:00',
      context: { course_id: COURSE, user_id: 13 },
      event: { id: key('sequential', 's1'), old: 1, new: 2 },
      block: 'mine',
      parent_data: 7,
    },
  },
];

const CONFIG = parseCourseConfig({
  edx_id: '',
  edx_course_name: 'Test course',
  course_ids: ['OrgX/C1/R1'],
  date_of_course_enrollment: '2024-01-10',
  date_of_course_completion: '2024-01-12',
});

let dir: string;
let store: Store;
let tracking: Collection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-extractor-extract-'));
  store = await openStore(join(dir, 'store'));
  const structure = join(dir, 'OrgX-C1-R1-course_structure-prod-analytics.json');
  await writeFile(structure, JSON.stringify(structureJson(NESTED)));
  await importCourseStructure(store, structure);
  const log = join(dir, 'orgx-edx-events-2024-01-11.log');
  await writeFile(log, EVENTS.map((e) => `${JSON.stringify(e.line)}\n`).join(''));
  const loaded = await loadTrackingLogs([log], store);
  expect(loaded.finished).toBe(1);
  await store
    .db(CONFIG.database)
    .collection('user_id_map')
    .insertMany([
      { _id: 1, hash_id: 'h12', id: 12, username: '12345' },
      { _id: 2, hash_id: 'h13', id: 13, username: 'ana' },
    ]);
  tracking = store.db(CONFIG.database).collection('tracking');
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function byName(): Promise<Map<string, Document>> {
  const out = new Map<string, Document>();
  for (const doc of await tracking.find({}).toArray()) {
    const found = EVENTS.find((e) => {
      const line = e.line as Record<string, unknown>;
      return line['time'] === doc['time'] && line['event_type'] === doc['event_type'];
    });
    out.set(found?.name ?? String(doc['_id']), doc);
  }
  return out;
}

describe(extractCourseTracking, () => {
  it("reads only the master's buckets of the course and window, with no full scan", () => {
    const master = store.db('tracking_logs').collection('tracking') as Collection & {
      explain?: (filter: Document) => { plan: string[]; exact: boolean };
    };
    expect(typeof master.explain).toBe('function');
    const plan = master.explain?.(courseTrackingFilter(CONFIG));
    expect(plan?.plan.join('\n')).toMatch(
      /SEARCH \S+ USING INDEX \S+_meta_tmin \(meta=\? AND tmin>\? AND tmin<\?\)/,
    );
    expect(plan?.plan.join('\n')).not.toMatch(/^SCAN/m);
  });

  it('copies the course events of the window, boundary days whole, and joins their blocks', async () => {
    const summary = await extractCourseTracking(store, CONFIG);
    const expected = EVENTS.filter((e) => e.in);
    expect(summary).toMatchObject({
      database: 'OrgX_C1_R1',
      collection: 'tracking',
      courseKeys: [COURSE],
      timeZone: 'UTC',
      dropped: false,
      read: expected.length,
      inserted: expected.length,
      alreadyPresent: 0,
      withBlock: 5,
      withoutBlock: 2,
      notEnriched: 1,
      byCourse: { [COURSE]: expected.length },
      structureBlocks: 22,
    });
    expect(summary.from.toISOString()).toBe('2024-01-10T00:00:00.000Z');
    expect(summary.toExclusive.toISOString()).toBe('2024-01-13T00:00:00.000Z');

    const docs = await byName();
    expect([...docs.keys()].sort()).toEqual(expected.map((e) => e.name).sort());
    for (const doc of docs.values()) {
      expect(doc['_course_id']).toBe(COURSE);
      const time = (doc['_time'] as Date).getTime();
      expect(time).toBeGreaterThanOrEqual(CONFIG.from.getTime());
      expect(time).toBeLessThan(CONFIG.toExclusive.getTime());
    }
    const blockOf = (name: string): unknown => docs.get(name)?.['block'];
    expect(blockOf('first instant of the enrollment day, server problem_check')).toEqual({
      id: key('problem', 'p1'),
      category: 'problem',
      display_name: 'P1',
    });
    expect(
      docs.get('first instant of the enrollment day, server problem_check')?.['parent_data'],
    ).toEqual({
      course_id: 'course',
      course_display_name: 'The course',
      course_order: 0,
      chapter_id: 'chA',
      chapter_display_name: 'Week 1',
      chapter_order: 0,
      sequential_id: 's1',
      sequential_display_name: 'Lesson 1',
      sequential_order: 0,
      vertical_id: 'v1',
      vertical_display_name: 'vertical v1',
      vertical_order: 0,
    });
    expect(
      blockOf('last millisecond of the completion day, browser video (short id), slash course id'),
    ).toMatchObject({ id: key('video', 'p7'), category: 'video' });
    expect(blockOf('implicit courseware event (URL in event_type) → the sequential')).toMatchObject(
      { id: key('sequential', 's1') },
    );
    expect(
      blockOf('browser page_close, courseware URL with position 2 → second vertical'),
    ).toMatchObject({ id: key('vertical', 'v2') });
    expect(
      blockOf('context.module.usage_key in the i4x form, learner not in user_id_map'),
    ).toMatchObject({ id: key('html', 'h1') });
    expect(docs.get('forum event: no block')).not.toHaveProperty('block');
    expect(docs.get('forum event: no block')).not.toHaveProperty('parent_data');
    const own = docs.get('original fields named block and parent_data: left as they are');
    expect(own?.['block']).toBe('mine');
    expect(own?.['parent_data']).toBe(7);

    // Original fields unchanged: the master's document plus block and parent_data only.
    const master = store.db('tracking_logs').collection('tracking');
    for (const doc of docs.values()) {
      const original = await master.findOne({ _id: doc['_id'] });
      const withoutAdded = (d: Document | null): Document => {
        const copy = { ...d };
        delete copy['block'];
        delete copy['parent_data'];
        return copy;
      };
      expect(withoutAdded(doc)).toEqual(withoutAdded(original));
      if (original?.['block'] === undefined) expect(original).not.toHaveProperty('parent_data');
    }

    const indexes = (await tracking.listIndexes()).map((i) => i.key);
    expect(indexes).toEqual(
      expect.arrayContaining([{ _time: 1 }, { username: 1, _time: 1 }, { event_type: 1 }]),
    );
  });

  it('inserts nothing on a second run, and rebuilds the collection with drop', async () => {
    // its own first run, whatever the tests before it did
    await tracking.drop();
    const first = await extractCourseTracking(store, CONFIG);
    expect(first).toMatchObject({ read: 7, inserted: 7, alreadyPresent: 0 });
    const again = await extractCourseTracking(store, CONFIG);
    expect(again).toMatchObject({ read: 7, inserted: 0, alreadyPresent: 7 });
    expect(await tracking.countDocuments()).toBe(7);
    await tracking.insertOne({ _id: 'stray', username: 'x' });
    const dropped = await extractCourseTracking(store, CONFIG, { drop: true });
    expect(dropped).toMatchObject({ dropped: true, read: 7, inserted: 7, alreadyPresent: 0 });
    expect(await tracking.countDocuments()).toBe(7);
  });

  it('takes whole local days in a time zone', async () => {
    // Montreal, UTC-5 in January: the window is 2024-01-10T05:00Z .. 2024-01-12T05:00Z.
    const config = parseCourseConfig({
      course_ids: [COURSE],
      date_of_course_enrollment: '2024-01-10',
      date_of_course_completion: '2024-01-11',
      time_zone: 'America/Montreal',
    });
    const summary = await extractCourseTracking(store, config, { database: 'OrgX_C1_R1_montreal' });
    // 2024-01-11T08:00, 08:05, 09:00; 2024-01-12T12:00 and 13:00 fall after; 01-10T00:00 before.
    expect(summary.read).toBe(3);
  });
});

describe(buildProblemIds, () => {
  it('joins server problem_check events with user_id_map, by id then username, idempotently', async () => {
    const summary = await buildProblemIds(store, CONFIG.database);
    expect(summary).toMatchObject({
      collection: 'problem_ids',
      read: 2,
      inserted: 2,
      alreadyPresent: 0,
      withoutUser: 1,
      userIdMapRows: 2,
    });
    const docs = await store
      .db(CONFIG.database)
      .collection('problem_ids')
      .find({}, { sort: { time: 1 } })
      .toArray();
    expect(docs.map((d) => [d['username'], d['user_id'], d['hash_id'], d['problem_id']])).toEqual([
      ['12345', 12, 'h12', key('problem', 'p1')],
      ['zoe', 99, null, null],
    ]);
    expect(docs[0]).toMatchObject({
      course_id: COURSE,
      module: { display_name: 'P1', usage_key: key('problem', 'p1') },
      time: new Date('2024-01-10T00:00:00Z'),
      event: { problem_id: key('problem', 'p1'), attempts: 1, success: 'correct' },
      block: { id: key('problem', 'p1') },
    });
    const again = await buildProblemIds(store, CONFIG.database);
    expect(again).toMatchObject({ read: 2, inserted: 0, alreadyPresent: 2 });
    expect(await store.db(CONFIG.database).collection('problem_ids').countDocuments()).toBe(2);
  });
});
