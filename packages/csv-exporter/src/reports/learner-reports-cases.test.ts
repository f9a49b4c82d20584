/**
 * The learner reports on hand-made course databases, on every engine: the McGill bugs (a
 * learner without a certificate, percents over the wrong population, first enrollment row vs
 * earliest), the window's edges (00:00:00.000 of the first day and 23:59:59.999 of the last
 * included, 1 ms before and 00:00:00.000 of the day after excluded), ties on time, learners
 * known only by username or only to `auth_user`, and text with commas, quotes, newlines and
 * non-ASCII characters.
 */
import { exportRows } from '../test-support/course-fixture.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Document, Store } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';

const PREFIX = runPrefix('LrnA');
const COURSE = `course-v1:${PREFIX}+L1+2024`;
const INFO = `/courses/${COURSE}/info`;
const t = (iso: string): Date => new Date(iso);
const block = (category: string, id: string): string =>
  `block-v1:${PREFIX}+L1+2024+type@${category}+block@${id}`;

const NAME_1 = 'Ana "Zoë", Jr.\nII';
const PLACE_B = {
  chapter_id: 'chB',
  chapter_display_name: 'Chapter B, "β"',
  sequential_id: 'sq1',
  sequential_display_name: 'Seq 1',
  vertical_id: 'v1',
  vertical_display_name: 'Unité 1',
};

function event(
  id: string,
  username: string,
  time: string,
  type: string,
  userId: number | null,
  parent?: Document,
): Document {
  return {
    _id: id,
    _time: t(time),
    time: time.replace('Z', '+00:00'),
    username,
    event_type: type,
    event_source: type.startsWith('/') || type.startsWith('edx.') ? 'server' : 'browser',
    event: type.startsWith('/') ? { GET: {}, POST: {} } : '{}',
    context: { course_id: COURSE, ...(userId === null ? {} : { user_id: userId }) },
    session: `s-${username}`,
    ip: '10.0.0.1',
    ...(parent === undefined ? {} : { parent_data: parent }),
  };
}

const TABLES: Record<string, Document[]> = {
  user_id_map: [
    { _id: 1, hash_id: 'h1', user_id: 1, username: 'ana' },
    { _id: 2, hash_id: 'h2', user_id: 2, username: 'bo' },
    { _id: 3, hash_id: 'h3', user_id: 3, username: 'çé' },
    { _id: 4, hash_id: 'h4', user_id: 4, username: 'dee' },
  ],
  // learner 5 is known to auth_user only (no hash_id)
  user: [{ _id: 1, id: 5, username: 'eve' }],
  enrollment: [
    { _id: 1, user_id: 1, created: t('2024-01-02T10:00:00.000Z'), mode: 'audit', is_active: true },
    { _id: 2, user_id: 2, created: t('2024-01-03T00:00:00.000Z'), mode: 'honor', is_active: true },
    { _id: 3, user_id: 3, created: t('2023-12-31T23:59:59.999Z'), mode: 'audit', is_active: true },
    { _id: 4, user_id: 4, created: null, mode: 'audit', is_active: false },
    // a later row of learner 1 with an earlier time: the first enrollment is this one
    { _id: 5, user_id: 1, created: t('2023-12-20T08:00:00.000Z'), mode: 'audit', is_active: true },
    {
      _id: 6,
      user_id: 5,
      created: t('2024-01-05T12:00:00.000Z'),
      mode: 'verified',
      is_active: true,
    },
  ],
  certificates: [
    {
      _id: 1,
      user_id: 1,
      status: 'downloadable',
      grade: '0.91',
      name: NAME_1,
      created_date: t('2024-02-01T10:00:00.000Z'),
      modified_date: t('2024-02-02T10:00:00.000Z'),
    },
    { _id: 2, user_id: 2, status: 'notpassing', grade: '0.2', name: 'Bo' },
    { _id: 3, user_id: 4, status: 'unverified', grade: '0.5', name: 'Dee' },
    { _id: 4, user_id: 5, status: 'downloadable', grade: 0.75, name: '', created_date: null },
    // learner 3 has no certificate row (the McGill user-info crash)
  ],
  userprofile: [
    { _id: 1, user_id: 1, gender: 'f', year_of_birth: 2004 },
    { _id: 2, user_id: 2, gender: 'm', year_of_birth: 2005 },
    { _id: 3, user_id: 3, gender: 'o', year_of_birth: 1954 },
    { _id: 4, user_id: 4, gender: '', year_of_birth: null },
    // a profile of someone not enrolled: not in the population (McGill divided by profiles)
    { _id: 5, user_id: 9, gender: 'm', year_of_birth: 1990 },
  ],
  course_structure: [
    {
      _id: block('course', 'course'),
      block_id: 'course',
      category: 'course',
      children: [block('chapter', 'chB'), block('chapter', 'chC'), block('chapter', 'chA')],
    },
    {
      _id: block('chapter', 'chA'),
      block_id: 'chA',
      category: 'chapter',
      display_name: 'Chapter A',
    },
    {
      _id: block('chapter', 'chB'),
      block_id: 'chB',
      category: 'chapter',
      display_name: 'Chapter B, "β"',
    },
    {
      _id: block('chapter', 'chC'),
      block_id: 'chC',
      category: 'chapter',
      display_name: 'Chapter C',
    },
  ],
  tracking: [
    event('a0', 'ana', '2024-01-09T23:59:59.999Z', 'seq_goto', 1, { chapter_id: 'chC' }),
    event('a1', 'ana', '2024-01-10T00:00:00.000Z', INFO, 1),
    event('a2', 'ana', '2024-01-11T12:00:00.000Z', 'play_video', 1, { chapter_id: 'chB' }),
    event('a3', 'ana', '2024-01-11T13:00:00.000Z', 'problem_check', 1, { chapter_id: 'chA' }),
    event('a6', 'ana', '2024-01-11T14:00:00.000Z', 'seq_prev', 1, { chapter_id: 'chZ' }),
    event('a4', 'ana', '2024-01-12T23:59:59.999Z', 'seq_next', 1, PLACE_B),
    event('a5', 'ana', '2024-01-13T00:00:00.000Z', 'page_close', 1),
    // a tie: same instant, told apart by _id
    event('b2', 'bo', '2024-01-11T08:00:00.000Z', 'play_video', 2),
    event('b1', 'bo', '2024-01-11T08:00:00.000Z', 'load_video', 2),
    // no user id in the event: the learner is found by username
    event('c1', 'çé', '2024-01-10T09:00:00.000Z', 'seq_goto', null),
    // only an enrollment event: never accessed
    event('d1', 'dee', '2024-01-10T05:00:00.000Z', 'edx.course.enrollment.activated', 4),
    // no username: no learner
    event('x1', '', '2024-01-10T06:00:00.000Z', 'page_close', null),
  ],
};

describe.each(await testEngines(openStore, PREFIX))(
  'learner reports, hand-made cases, on the $label engine',
  (engine) => {
    let store: Store;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'learner-cases-'));
      store = await engine.open();
      const db = store.db(courseDatabaseName(COURSE));
      for (const [name, docs] of Object.entries(TABLES)) await db.collection(name).insertMany(docs);
    });
    afterAll(async () => {
      await engine.cleanup(store);
      await rm(dir, { recursive: true, force: true });
    });

    async function run(
      report: string,
      options: { params?: Record<string, string>; from?: string; to?: string } = {},
    ): Promise<Record<string, string>[]> {
      return exportRows(store, COURSE, report, dir, options);
    }

    it('course_completers: downloadable only, names with quotes and newlines, a learner only in auth_user', async () => {
      expect(await run('course_completers')).toEqual([
        {
          user_id: '1',
          username: 'ana',
          hash_id: 'h1',
          name: NAME_1,
          grade: '0.91',
          certificate_created: '2024-02-01T10:00:00.000Z',
          certificate_modified: '2024-02-02T10:00:00.000Z',
        },
        {
          user_id: '5',
          username: 'eve',
          hash_id: '',
          name: '',
          grade: '0.75',
          certificate_created: '',
          certificate_modified: '',
        },
      ]);
    });

    it('date_of_registration: the earliest enrollment (not the first row), UTC day, completers only', async () => {
      const all = [
        ['1', 'ana', 'h1', '2023-12-20', '2023-12-20T08:00:00.000Z'],
        ['2', 'bo', 'h2', '2024-01-03', '2024-01-03T00:00:00.000Z'],
        ['3', 'çé', 'h3', '2023-12-31', '2023-12-31T23:59:59.999Z'],
        ['4', 'dee', 'h4', '', ''],
        ['5', 'eve', '', '2024-01-05', '2024-01-05T12:00:00.000Z'],
      ];
      const rows = (r: string[][]): Record<string, string>[] =>
        r.map(([user_id, username, hash_id, registration_date, registration_time]) => ({
          user_id: user_id ?? '',
          username: username ?? '',
          hash_id: hash_id ?? '',
          registration_date: registration_date ?? '',
          registration_time: registration_time ?? '',
        }));
      expect(await run('date_of_registration')).toEqual(rows(all));
      expect(await run('date_of_registration', { params: { completers_only: 'true' } })).toEqual(
        rows([all[0] ?? [], all[4] ?? []]),
      );
    });

    it('course_stats: enrolled learners only, a learner without a certificate counted as No, percents over them', async () => {
      const table = (rows: Record<string, string>[]): string[] =>
        rows.map(
          (r) =>
            `${r['category'] ?? ''}|${r['value'] ?? ''}|${r['learners'] ?? ''}|${r['percent'] ?? ''}`,
        );
      const tail = [
        'Gender|Male|1|20',
        'Gender|Female|1|20',
        'Gender|Other|1|20',
        'Gender|None|2|40',
        'Certificate|Yes|2|40',
        'Certificate|No|3|60',
      ];
      expect(table(await run('course_stats', { params: { as_of_year: '2024' } }))).toEqual([
        'Age|Under 20|1|20',
        'Age|20-29|1|20',
        'Age|30-39|0|0',
        'Age|40-49|0|0',
        'Age|50-69|0|0',
        'Age|70+|1|20',
        'Age|None|2|40',
        ...tail,
      ]);
      // default: the year of the first enrollment (2023-12-20)
      expect(table(await run('course_stats'))).toEqual([
        'Age|Under 20|2|40',
        'Age|20-29|0|0',
        'Age|30-39|0|0',
        'Age|40-49|0|0',
        'Age|50-69|1|20',
        'Age|70+|0|0',
        'Age|None|2|40',
        ...tail,
      ]);
      // born after the reference year: no age
      expect(
        table(await run('course_stats', { params: { as_of_year: '2000' } })).slice(0, 7),
      ).toEqual([
        'Age|Under 20|0|0',
        'Age|20-29|0|0',
        'Age|30-39|0|0',
        'Age|40-49|1|20',
        'Age|50-69|0|0',
        'Age|70+|0|0',
        'Age|None|4|80',
      ]);
    });

    it('students_never_accessed: only enrollment events or none, the username fallback, the window', async () => {
      const expected = [
        { user_id: '4', username: 'dee', hash_id: 'h4', enrollment_date: '' },
        { user_id: '5', username: 'eve', hash_id: '', enrollment_date: '2024-01-05T12:00:00.000Z' },
      ];
      expect(await run('students_never_accessed')).toEqual(expected);
      expect(
        await run('students_never_accessed', { from: '2024-01-10', to: '2024-01-12' }),
      ).toEqual(expected);
      // a window with no event of bo's: he joins them
      expect(
        (await run('students_never_accessed', { from: '2024-01-12', to: '2024-01-12' })).map(
          (r) => r['username'],
        ),
      ).toEqual(['bo', 'çé', 'dee', 'eve']);
    });

    it('first_activity: the window edges included and excluded, ties by _id, an event type, completers', async () => {
      const window = { from: '2024-01-10', to: '2024-01-12' };
      expect(await run('first_activity', window)).toEqual([
        {
          user_id: '1',
          username: 'ana',
          hash_id: 'h1',
          first_event_date: '2024-01-10',
          first_event_time: '2024-01-10T00:00:00.000Z',
          event_type: INFO,
        },
        {
          user_id: '2',
          username: 'bo',
          hash_id: 'h2',
          first_event_date: '2024-01-11',
          first_event_time: '2024-01-11T08:00:00.000Z',
          event_type: 'load_video',
        },
        {
          user_id: '4',
          username: 'dee',
          hash_id: 'h4',
          first_event_date: '2024-01-10',
          first_event_time: '2024-01-10T05:00:00.000Z',
          event_type: 'edx.course.enrollment.activated',
        },
        {
          user_id: '3',
          username: 'çé',
          hash_id: 'h3',
          first_event_date: '2024-01-10',
          first_event_time: '2024-01-10T09:00:00.000Z',
          event_type: 'seq_goto',
        },
      ]);
      // without a window, the event 1 ms before the first day is ana's first
      expect((await run('first_activity'))[0]?.['first_event_time']).toBe(
        '2024-01-09T23:59:59.999Z',
      );
      const info = await run('first_activity', { ...window, params: { event_type: INFO } });
      expect(info.map((r) => [r['username'], r['first_event_time']])).toEqual([
        ['ana', '2024-01-10T00:00:00.000Z'],
      ]);
      const completers = await run('first_activity', {
        ...window,
        params: { completers_only: 'true' },
      });
      expect(completers.map((r) => r['username'])).toEqual(['ana']);
    });

    it('last_event_by_user: 23:59:59.999 of the last day included, the next day excluded, the place', async () => {
      const rows = await run('last_event_by_user', { from: '2024-01-10', to: '2024-01-12' });
      const empty = {
        chapter_id: '',
        chapter_name: '',
        sequential_id: '',
        sequential_name: '',
        vertical_id: '',
        vertical_name: '',
      };
      expect(rows).toEqual([
        {
          user_id: '1',
          username: 'ana',
          hash_id: 'h1',
          last_event_time: '2024-01-12T23:59:59.999Z',
          event_type: 'seq_next',
          chapter_id: 'chB',
          chapter_name: 'Chapter B, "β"',
          sequential_id: 'sq1',
          sequential_name: 'Seq 1',
          vertical_id: 'v1',
          vertical_name: 'Unité 1',
        },
        {
          user_id: '2',
          username: 'bo',
          hash_id: 'h2',
          last_event_time: '2024-01-11T08:00:00.000Z',
          event_type: 'play_video',
          ...empty,
        },
        {
          user_id: '4',
          username: 'dee',
          hash_id: 'h4',
          last_event_time: '2024-01-10T05:00:00.000Z',
          event_type: 'edx.course.enrollment.activated',
          ...empty,
        },
        {
          user_id: '3',
          username: 'çé',
          hash_id: 'h3',
          last_event_time: '2024-01-10T09:00:00.000Z',
          event_type: 'seq_goto',
          ...empty,
        },
      ]);
      expect((await run('last_event_by_user'))[0]?.['last_event_time']).toBe(
        '2024-01-13T00:00:00.000Z',
      );
    });

    it('chapters_accessed_per_user: distinct known chapters in course order, learners with none, the window', async () => {
      const rows = await run('chapters_accessed_per_user', {
        from: '2024-01-10',
        to: '2024-01-12',
      });
      expect(
        rows.map((r) => [
          r['username'],
          r['user_id'],
          r['chapters_accessed'],
          r['chapters_total'],
          r['chapter_ids'],
          r['chapter_names'],
        ]),
      ).toEqual([
        ['ana', '1', '2', '3', '["chB","chA"]', '["Chapter B, \\"β\\"","Chapter A"]'],
        ['bo', '2', '0', '3', '[]', '[]'],
        ['dee', '4', '0', '3', '[]', '[]'],
        ['çé', '3', '0', '3', '[]', '[]'],
      ]);
      const all = await run('chapters_accessed_per_user');
      expect(all[0]?.['chapter_ids']).toBe('["chB","chC","chA"]');
    });
  },
);
