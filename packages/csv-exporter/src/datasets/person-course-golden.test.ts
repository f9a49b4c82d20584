/**
 * Golden test of person_course and person_course_day: a hand-built course (4 enrolled
 * learners and one who is not, 22 event lines written by hand over two days) with every column's
 * expected value written literally, derived by hand from the definitions (arithmetic in the
 * comments). Covers an xblock URL event (excluded), a > 5-minute gap (left out), a gap across
 * midnight (no gap), both course id forms in URLs, newer event aliases, a learner found by
 * username only (non-ASCII), a learner with no events, one without certificate, an IP tie, forum
 * documents by author, a role table, and the window (`--from`) of person_course_day.
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

const PREFIX = runPrefix('PCd');
const COURSE = `course-v1:${PREFIX}+P1+2024`;
const LEGACY = `${PREFIX}/P1/2024`;
const t = (iso: string): Date => new Date(iso);
const block = (category: string, id: string): string =>
  `block-v1:${PREFIX}+P1+2024+type@${category}+block@${id}`;

let seq = 0;
function ev(
  username: string,
  time: string,
  type: string,
  options: { userId?: number | null; ip?: string; payload?: Document; source?: string } = {},
): Document {
  seq += 1;
  const source =
    options.source ?? (type.startsWith('/') || type.startsWith('edx.') ? 'server' : 'browser');
  const payload = options.payload ?? {};
  const userId = options.userId === undefined ? null : options.userId;
  return {
    _id: `e${String(seq).padStart(3, '0')}`,
    _time: t(time),
    time: time.replace('Z', '+00:00'),
    username,
    event_type: type,
    event_source: source,
    event: source === 'browser' ? JSON.stringify(payload) : payload,
    context: { course_id: COURSE, ...(userId === null ? {} : { user_id: userId }) },
    session: `s-${username}`,
    ip: options.ip ?? '8.8.8.8',
  };
}

const URL = `/courses/${COURSE}`;
const TRACKING: Document[] = [
  // ana (user 1), day 1
  ev('ana', '2024-03-01T10:00:00.000Z', `${URL}/courseware/chA/`, { userId: 1, ip: '10.0.0.1' }),
  ev('ana', '2024-03-01T10:00:30.000Z', 'play_video', {
    userId: 1,
    payload: { id: 'v1', currentTime: 0 },
  }), // dt 30
  ev('ana', '2024-03-01T10:02:00.000Z', 'pause_video', {
    userId: 1,
    payload: { id: 'v1', currentTime: 90 },
  }), // dt 90
  // an xblock handler call: not an event (and does not cut the gap)
  ev(
    'ana',
    '2024-03-01T10:02:10.000Z',
    `${URL}/xblock/${block('video', 'v1')}/handler/xmodule_handler/save_user_state`,
    { userId: 1 },
  ),
  ev('ana', '2024-03-01T10:03:00.500Z', 'problem_check', { userId: 1, payload: { p: 1 } }), // dt 60.5
  ev('ana', '2024-03-01T10:03:01.000Z', 'problem_check', {
    userId: 1,
    payload: { problem_id: block('problem', 'p1'), attempts: 1 },
    source: 'server',
  }), // dt 0.5, server
  ev('ana', '2024-03-01T10:20:00.000Z', 'seq_goto', { userId: 1 }), // dt 1019 > 300: left out
  ev('ana', '2024-03-01T10:21:00.000Z', `/courses/${LEGACY}/progress`, { userId: 1 }), // dt 60, slash form
  ev('ana', '2024-03-01T10:22:00.000Z', `${URL}/discussion/forum/general/threads/t1`, {
    userId: 1,
  }), // dt 60, a read
  // ana, day 2
  ev('ana', '2024-03-02T09:00:00.000Z', 'edx.video.played', {
    userId: 1,
    payload: { id: block('video', 'v2'), currentTime: 10 },
  }),
  ev('ana', '2024-03-02T09:01:00.000Z', 'show_transcript', { userId: 1, payload: { id: 'v2' } }), // dt 60
  ev('ana', '2024-03-02T09:01:30.000Z', 'seek_video', {
    userId: 1,
    payload: { id: 'v2', old_time: 1, new_time: 9 },
  }), // dt 30
  ev('ana', '2024-03-02T09:04:00.000Z', 'edx.forum.thread.created', { userId: 1 }), // dt 150, a post
  ev('ana', '2024-03-02T09:04:00.000Z', 'showanswer', { userId: 1 }), // dt 0 (tie, after by _id)
  // bo (user 2): two days split at midnight, an IP tie
  ev('bo', '2024-03-01T23:58:00.000Z', 'play_video', {
    userId: 2,
    ip: '10.0.0.3',
    payload: { id: 'v1', currentTime: 5 },
  }),
  ev('bo', '2024-03-01T23:59:30.000Z', 'pause_video', {
    userId: 2,
    ip: '10.0.0.3',
    payload: { id: 'v1', currentTime: 95 },
  }), // dt 90
  ev('bo', '2024-03-02T00:00:30.000Z', 'seq_goto', { userId: 2, ip: '10.0.0.2' }), // next day: no gap
  ev('bo', '2024-03-02T00:01:00.000Z', `${URL}/discussion/threads/t1/reply`, {
    userId: 2,
    ip: '10.0.0.2',
  }), // dt 30, a post
  // çy (user 3): no user id in the events (found by username), no ip
  ev('çy', '2024-03-01T12:00:00.000Z', 'page_close', { ip: '' }),
  ev(
    'çy',
    '2024-03-01T12:00:10.000Z',
    `${URL}/xblock/${block('problem', 'p1')}/handler/xmodule_handler/problem_check`,
    { ip: '' },
  ),
  // zed (user 9): events but not enrolled
  ev('zed', '2024-03-01T08:00:00.000Z', 'play_video', { userId: 9, payload: { id: 'v1' } }),
  // no username: not an event
  ev('', '2024-03-01T08:00:00.000Z', 'page_close'),
];

const TABLES: Record<string, Document[]> = {
  user_id_map: [
    { _id: 1, hash_id: 'h1', user_id: 1, username: 'ana' },
    { _id: 2, hash_id: 'h2', user_id: 2, username: 'bo' },
    { _id: 3, hash_id: 'h3', user_id: 3, username: 'çy' },
    { _id: 4, hash_id: 'h4', user_id: 4, username: 'dee' },
  ],
  user: [{ _id: 1, id: 9, username: 'zed' }],
  enrollment: [
    {
      _id: 1,
      user_id: 1,
      created: t('2024-02-01T00:00:00.000Z'),
      mode: 'verified',
      is_active: true,
    },
    { _id: 2, user_id: 2, created: t('2024-02-02T00:00:00.000Z'), mode: 'audit', is_active: true },
    { _id: 3, user_id: 3, created: t('2024-02-03T00:00:00.000Z'), mode: 'honor', is_active: false },
    { _id: 4, user_id: 4, created: t('2024-02-04T00:00:00.000Z'), mode: 'audit', is_active: true },
    // a later row of ana's: the earliest `created` is the enrollment
    { _id: 5, user_id: 1, created: t('2024-02-05T00:00:00.000Z'), mode: 'audit', is_active: false },
  ],
  userprofile: [
    {
      _id: 1,
      user_id: 1,
      gender: 'f',
      year_of_birth: 1990,
      level_of_education: 'b',
      country: 'CA',
    },
    {
      _id: 2,
      user_id: 2,
      gender: 'm',
      year_of_birth: 1985,
      level_of_education: 'm',
      country: 'US',
    },
    { _id: 3, user_id: 3, gender: 'o', year_of_birth: null, level_of_education: '', country: '' },
  ],
  certificates: [
    {
      _id: 1,
      user_id: 1,
      status: 'downloadable',
      grade: '0.9',
      created_date: t('2024-03-10T00:00:00.000Z'),
      modified_date: t('2024-03-11T00:00:00.000Z'),
    },
    // not passing as written, but its grade reaches the cutoff (0.5): completed, not certified
    {
      _id: 2,
      user_id: 2,
      status: 'notpassing',
      grade: '0.55',
      created_date: t('2024-03-10T01:00:00.000Z'),
      modified_date: t('2024-03-10T01:00:00.000Z'),
    },
  ],
  grades_persistentcoursegrade: [
    { _id: 1, user_id: 1, percent_grade: 0.93, modified: t('2024-03-09T00:00:00.000Z') },
    { _id: 2, user_id: 2, percent_grade: 0.2, modified: t('2024-03-08T00:00:00.000Z') },
    { _id: 3, user_id: 2, percent_grade: 0.45, modified: t('2024-03-09T00:00:00.000Z') },
  ],
  course_structure: [
    {
      _id: block('course', 'course'),
      category: 'course',
      metadata: { grade_cutoffs: { Pass: 0.5 } },
    },
    { _id: block('chapter', 'chA'), category: 'chapter', metadata: {} },
    { _id: block('chapter', 'chB'), category: 'chapter', metadata: {} },
    { _id: block('chapter', 'chC'), category: 'chapter', metadata: {} },
    {
      _id: block('chapter', 'chD'),
      category: 'chapter',
      metadata: { visible_to_staff_only: true },
    },
    { _id: block('video', 'v1'), category: 'video', metadata: {} },
    { _id: block('video', 'v2'), category: 'video', metadata: {} },
  ],
  courseware_studentmodule: [
    { _id: 1, student_id: 1, module_type: 'chapter', module_id: block('chapter', 'chA') },
    { _id: 2, student_id: 1, module_type: 'chapter', module_id: block('chapter', 'chB') },
    { _id: 3, student_id: 1, module_type: 'chapter', module_id: block('chapter', 'chC') },
    { _id: 4, student_id: 2, module_type: 'chapter', module_id: block('chapter', 'chA') },
    { _id: 5, student_id: 3, module_type: 'chapter', module_id: block('chapter', 'chA') },
    { _id: 6, student_id: 3, module_type: 'chapter', module_id: block('chapter', 'chB') },
    // not a chapter: dee has not viewed
    { _id: 7, student_id: 4, module_type: 'sequential', module_id: block('sequential', 's1') },
  ],
  forum: [
    { _id: 'f1', _type: 'CommentThread', author_id: '1', votes: { count: 2 } },
    { _id: 'f2', _type: 'Comment', author_id: '1', votes: { count: 1 }, endorsed: true },
    { _id: 'f3', _type: 'Comment', author_id: '2', votes: { count: 0 }, endorsed: false },
    { _id: 'f4', _type: 'Comment', author_id: '2', votes: { count: 3 } },
    { _id: 'f5', _type: 'CommentThread', author_id: '9', votes: { count: 5 } },
  ],
  student_courseaccessrole: [
    { _id: 1, user_id: 2, role: 'beta_testers', course_id: COURSE },
    { _id: 2, user_id: 2, role: 'abc', course_id: COURSE },
  ],
  tracking: TRACKING,
};

const LEARNER = (id: number, name: string, hash: string): Record<string, string> => ({
  course_id: COURSE,
  user_id: String(id),
  username: name,
  hash_id: hash,
});

/** The person_course rows, every column (defaults: E2B variants). */
const PERSON_COURSE: Record<string, string>[] = [
  {
    ...LEARNER(1, 'ana', 'h1'),
    registered: 'true',
    viewed: 'true', // chapter rows
    explored: 'true', // 3 chapters ≥ 4/2 (no chapter has 20 users: all 4 of the structure)
    certified: 'true',
    completed: 'true',
    grade: '0.9',
    nevents: '13', // 14 lines, minus the xblock one
    ndays_act: '2',
    nplay_video: '2', // play_video + edx.video.played
    nproblem_check: '2', // browser + server
    nshow_answer: '1',
    ntranscript: '1',
    nseq_goto: '1',
    nseek_video: '1',
    npause_video: '1',
    nprogcheck: '1', // slash-form URL
    nforum_events: '1', // the discussion URL (edx.forum.thread.created is not a URL)
    nchapters: '3',
    nforum_posts: '2',
    nforum_threads: '1',
    nforum_comments: '1',
    nforum_votes: '3', // 2 + 1
    nforum_endorsed: '1',
    first_event: '2024-03-01T10:00:00.000Z',
    last_event: '2024-03-02T09:04:00.000Z',
    // gaps: 30, 90, 60.5, 0.5, 60, 60 (day 1, 1019 left out); 60, 30, 150, 0 (day 2)
    sum_dt: '541',
    avg_dt: '54.1', // 541 / 10
    sdv_dt: '41.943', // sqrt(17592.4 / 10)
    max_dt: '150',
    n_dt: '10',
    nvideos_unique_viewed: '2', // v1, v2 (usage key → url_name)
    nvideos_total_watched: '1', // 2 / 2 videos
    mode: 'verified',
    is_active: 'true',
    start_time: '2024-02-01T00:00:00.000Z',
    cert_status: 'downloadable',
    cert_created_date: '2024-03-10T00:00:00.000Z',
    cert_modified_date: '2024-03-11T00:00:00.000Z',
    gender: 'f',
    year_of_birth: '1990',
    level_of_education: 'b',
    profile_country: 'CA',
    modal_ip: '8.8.8.8', // 12 of 13
    cc_by_ip: 'US',
    roles: '',
  },
  {
    ...LEARNER(2, 'bo', 'h2'),
    registered: 'true',
    viewed: 'true',
    explored: 'false', // 1 < 2
    certified: 'false',
    completed: 'true', // 0.55 ≥ 0.5 (grade_cutoffs)
    grade: '0.55',
    nevents: '4',
    ndays_act: '2',
    nplay_video: '1',
    nproblem_check: '0',
    nshow_answer: '0',
    ntranscript: '0',
    nseq_goto: '1',
    nseek_video: '0',
    npause_video: '1',
    nprogcheck: '0',
    nforum_events: '1',
    nchapters: '1',
    nforum_posts: '2',
    nforum_threads: '0',
    nforum_comments: '2',
    nforum_votes: '3',
    nforum_endorsed: '0',
    first_event: '2024-03-01T23:58:00.000Z',
    last_event: '2024-03-02T00:01:00.000Z',
    // gaps: 90 (day 1), 30 (day 2); the 60 s across midnight is no gap
    sum_dt: '120',
    avg_dt: '60',
    sdv_dt: '30',
    max_dt: '90',
    n_dt: '2',
    nvideos_unique_viewed: '1',
    nvideos_total_watched: '0.5',
    mode: 'audit',
    is_active: 'true',
    start_time: '2024-02-02T00:00:00.000Z',
    cert_status: 'notpassing',
    cert_created_date: '2024-03-10T01:00:00.000Z',
    cert_modified_date: '2024-03-10T01:00:00.000Z',
    gender: 'm',
    year_of_birth: '1985',
    level_of_education: 'm',
    profile_country: 'US',
    modal_ip: '10.0.0.2', // 2–2 tie with 10.0.0.3: the smaller
    cc_by_ip: '', // private address
    roles: 'abc;beta_testers',
  },
  {
    ...LEARNER(3, 'çy', 'h3'),
    registered: 'true',
    viewed: 'true',
    explored: 'true', // 2 ≥ 2
    certified: 'false',
    completed: 'false',
    grade: '',
    nevents: '1', // page_close (the xblock call left out)
    ndays_act: '1',
    nplay_video: '0',
    nproblem_check: '0',
    nshow_answer: '0',
    ntranscript: '0',
    nseq_goto: '0',
    nseek_video: '0',
    npause_video: '0',
    nprogcheck: '0',
    nforum_events: '0',
    nchapters: '2',
    nforum_posts: '0',
    nforum_threads: '0',
    nforum_comments: '0',
    nforum_votes: '0',
    nforum_endorsed: '0',
    first_event: '2024-03-01T12:00:00.000Z',
    last_event: '2024-03-01T12:00:00.000Z',
    sum_dt: '0',
    avg_dt: '',
    sdv_dt: '',
    max_dt: '',
    n_dt: '0',
    nvideos_unique_viewed: '0',
    nvideos_total_watched: '0',
    mode: 'honor',
    is_active: 'false',
    start_time: '2024-02-03T00:00:00.000Z',
    cert_status: '',
    cert_created_date: '',
    cert_modified_date: '',
    gender: 'o',
    year_of_birth: '',
    level_of_education: '',
    profile_country: '',
    modal_ip: '',
    cc_by_ip: '',
    roles: '',
  },
  {
    ...LEARNER(4, 'dee', 'h4'),
    registered: 'true',
    viewed: 'false', // a sequential row only
    explored: 'false',
    certified: 'false',
    completed: 'false',
    grade: '',
    nevents: '0',
    ndays_act: '0',
    nplay_video: '0',
    nproblem_check: '0',
    nshow_answer: '0',
    ntranscript: '0',
    nseq_goto: '0',
    nseek_video: '0',
    npause_video: '0',
    nprogcheck: '0',
    nforum_events: '0',
    nchapters: '0',
    nforum_posts: '0',
    nforum_threads: '0',
    nforum_comments: '0',
    nforum_votes: '0',
    nforum_endorsed: '0',
    first_event: '',
    last_event: '',
    sum_dt: '0',
    avg_dt: '',
    sdv_dt: '',
    max_dt: '',
    n_dt: '0',
    nvideos_unique_viewed: '0',
    nvideos_total_watched: '0',
    mode: 'audit',
    is_active: 'true',
    start_time: '2024-02-04T00:00:00.000Z',
    cert_status: '',
    cert_created_date: '',
    cert_modified_date: '',
    gender: '',
    year_of_birth: '',
    level_of_education: '',
    profile_country: '',
    modal_ip: '',
    cc_by_ip: '',
    roles: '',
  },
];

const ZERO_DAY = {
  nplay_video: '0',
  nproblem_check: '0',
  nshow_answer: '0',
  ntranscript: '0',
  nseq_goto: '0',
  nseek_video: '0',
  npause_video: '0',
  nprogcheck: '0',
  nforum_events: '0',
  nvideos_viewed: '0',
  nvideos_watched_sec: '0',
  nforum_reads: '0',
  nforum_posts: '0',
  nproblems_answered: '0',
  nproblems_attempted: '0',
};

/** The person_course_day rows, every column. */
const PERSON_COURSE_DAY: Record<string, string>[] = [
  {
    ...LEARNER(1, 'ana', 'h1'),
    date: '2024-03-01',
    nevents: '8',
    ...ZERO_DAY,
    nplay_video: '1',
    nproblem_check: '2',
    nseq_goto: '1',
    npause_video: '1',
    nprogcheck: '1',
    nforum_events: '1',
    nvideos_viewed: '1',
    nvideos_watched_sec: '90', // v1 reached 90 s
    nforum_reads: '1', // the thread page
    nproblems_answered: '1', // p1 (server event)
    nproblems_attempted: '1',
    first_event: '2024-03-01T10:00:00.000Z',
    last_event: '2024-03-01T10:22:00.000Z',
    sum_dt: '301', // 30 + 90 + 60.5 + 0.5 + 60 + 60
    avg_dt: '50.167', // 301 / 6
    sdv_dt: '28.167',
    max_dt: '90',
    n_dt: '6',
  },
  {
    ...LEARNER(1, 'ana', 'h1'),
    date: '2024-03-02',
    nevents: '5',
    ...ZERO_DAY,
    nplay_video: '1',
    nshow_answer: '1',
    ntranscript: '1',
    nseek_video: '1',
    nvideos_viewed: '1',
    nvideos_watched_sec: '10', // v2 reached 10 s
    nforum_posts: '1', // edx.forum.thread.created
    first_event: '2024-03-02T09:00:00.000Z',
    last_event: '2024-03-02T09:04:00.000Z',
    sum_dt: '240', // 60 + 30 + 150 + 0
    avg_dt: '60',
    sdv_dt: '56.125', // sqrt((0 + 900 + 8100 + 3600) / 4)
    max_dt: '150',
    n_dt: '4',
  },
  {
    ...LEARNER(2, 'bo', 'h2'),
    date: '2024-03-01',
    nevents: '2',
    ...ZERO_DAY,
    nplay_video: '1',
    npause_video: '1',
    nvideos_viewed: '1',
    nvideos_watched_sec: '95',
    first_event: '2024-03-01T23:58:00.000Z',
    last_event: '2024-03-01T23:59:30.000Z',
    sum_dt: '90',
    avg_dt: '90',
    sdv_dt: '0',
    max_dt: '90',
    n_dt: '1',
  },
  {
    ...LEARNER(2, 'bo', 'h2'),
    date: '2024-03-02',
    nevents: '2',
    ...ZERO_DAY,
    nseq_goto: '1',
    nforum_events: '1',
    nforum_posts: '1', // the reply URL
    first_event: '2024-03-02T00:00:30.000Z',
    last_event: '2024-03-02T00:01:00.000Z',
    sum_dt: '30',
    avg_dt: '30',
    sdv_dt: '0',
    max_dt: '30',
    n_dt: '1',
  },
  {
    ...LEARNER(9, 'zed', ''),
    date: '2024-03-01',
    nevents: '1',
    ...ZERO_DAY,
    nplay_video: '1',
    nvideos_viewed: '1', // no currentTime: position 0
    first_event: '2024-03-01T08:00:00.000Z',
    last_event: '2024-03-01T08:00:00.000Z',
    sum_dt: '0',
    avg_dt: '',
    sdv_dt: '',
    max_dt: '',
    n_dt: '0',
  },
  {
    ...LEARNER(3, 'çy', 'h3'),
    date: '2024-03-01',
    nevents: '1',
    ...ZERO_DAY,
    first_event: '2024-03-01T12:00:00.000Z',
    last_event: '2024-03-01T12:00:00.000Z',
    sum_dt: '0',
    avg_dt: '',
    sdv_dt: '',
    max_dt: '',
    n_dt: '0',
  },
];

describe.each(await testEngines(openStore, PREFIX))(
  'person_course and person_course_day, hand-built course, on the $label engine',
  (engine) => {
    let store: Store;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'person-course-'));
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

    it('person_course: every column of every enrollment', async () => {
      expect(await run('person_course')).toEqual(PERSON_COURSE);
    });

    it('person_course: the SIM variants', async () => {
      const rows = await run('person_course', {
        params: {
          viewed_from: 'events',
          explored_chapters: 'all',
          grade_from: 'persistent_grade',
          forum_events: 'posts',
        },
      });
      const pick = (r: Record<string, string>): string[] => [
        r['username'] ?? '',
        r['viewed'] ?? '',
        r['explored'] ?? '',
        r['grade'] ?? '',
        r['completed'] ?? '',
        r['nforum_events'] ?? '',
      ];
      // visible chapters: chA–chC (3), explored = nchapters ≥ 1.5; grades: newest modified
      expect(rows.map(pick)).toEqual([
        ['ana', 'true', 'true', '0.93', 'true', '2'],
        ['bo', 'true', 'false', '0.45', 'false', '2'],
        ['çy', 'true', 'true', '', 'false', '0'],
        ['dee', 'false', 'false', '', 'false', '0'],
      ]);
    });

    it('person_course: passing_grade given: bo (0.55) no longer completed', async () => {
      const rows = await run('person_course', { params: { passing_grade: '0.6' } });
      expect(rows.map((r) => r['completed'])).toEqual(['true', 'false', 'false', 'false']);
    });

    it('person_course: forum_events=urls_and_edx_forum adds edx.forum.* events', async () => {
      const rows = await run('person_course', { params: { forum_events: 'urls_and_edx_forum' } });
      expect(rows.map((r) => r['nforum_events'])).toEqual(['2', '1', '0', '0']);
    });

    it('person_course_day: every column of every learner-day', async () => {
      expect(await run('person_course_day')).toEqual(PERSON_COURSE_DAY);
    });

    it('person_course_day: --from a day gives that day’s rows of the full export', async () => {
      expect(await run('person_course_day', { from: '2024-03-02' })).toEqual(
        PERSON_COURSE_DAY.filter((r) => r['date'] === '2024-03-02'),
      );
      expect(await run('person_course_day', { to: '2024-03-01' })).toEqual(
        PERSON_COURSE_DAY.filter((r) => r['date'] === '2024-03-01'),
      );
    });
  },
);
