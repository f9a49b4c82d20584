/**
 * A hand-built course for the content datasets' golden tests: three videos, three problems
 * (and one outside the structure), a few dozen events of three learners written by hand, and
 * five forum posts. The expected rows are derived by hand in `content-datasets.test.ts`.
 */
import { courseDatabaseName } from '@edx-data/core';
import { buildProblemIds } from '@edx-data/course-extractor';
import type { Store } from '@edx-data/store';

export interface HandLearner {
  readonly id: number;
  readonly username: string;
  readonly hash: string;
}

export function handCourse(prefix: string) {
  const org = prefix;
  const course = `course-v1:${org}+HM2+2024`;
  const legacy = `${org}/HM2/2024`;
  const block = (type: string, id: string): string =>
    `block-v1:${org}+HM2+2024+type@${type}+block@${id}`;
  const alice: HandLearner = { id: 3, username: 'alice', hash: 'hash-alice' };
  const bob: HandLearner = { id: 5, username: 'bob', hash: 'hash-bob' };
  const zoe: HandLearner = { id: 9, username: 'zoë', hash: 'hash-zoe' };
  const P1 = block('problem', 'p1');
  const P2 = block('problem', 'p2');
  const P3 = block('problem', 'p3');
  const PX = block('problem', 'px');

  let n = 0;
  const base = (
    who: HandLearner,
    time: string,
    type: string,
    source: string,
    payload: unknown,
  ): Record<string, unknown> => {
    n++;
    return {
      _id: `ev${String(n).padStart(4, '0')}`,
      _time: new Date(time),
      time,
      username: who.username,
      event_type: type,
      event_source: source,
      event: payload,
      context: { course_id: course, user_id: who.id, path: '/x' },
      session: 's1',
      ip: '10.0.0.1',
    };
  };
  /** A browser video event: its payload a JSON string, the video a bare id. */
  const video = (
    who: HandLearner,
    time: string,
    type: string,
    id: string,
    fields: Record<string, unknown>,
  ): Record<string, unknown> =>
    base(who, time, type, 'browser', JSON.stringify({ id, code: 'html5', ...fields }));
  /** A mobile video event: an object payload, the video a usage key. */
  const mobile = (
    who: HandLearner,
    time: string,
    type: string,
    id: string,
    fields: Record<string, unknown>,
  ): Record<string, unknown> =>
    base(who, time, type, 'mobile', { id: block('video', id), code: 'mobile', ...fields });
  const check = (
    who: HandLearner,
    time: string,
    problem: string,
    attempts: number,
    success: string,
    grade: number,
    maxGrade: number,
    answers: Record<string, unknown>,
  ): Record<string, unknown> =>
    base(who, time, 'problem_check', 'server', {
      problem_id: problem,
      attempts,
      success,
      grade,
      max_grade: maxGrade,
      answers,
      correct_map: {},
    });

  const events = [
    // alice, day 1
    video(alice, '2024-03-01T10:00:00.000Z', 'play_video', 'va', {
      currentTime: 10,
      speed: '1.50',
    }),
    video(alice, '2024-03-01T10:00:20.000Z', 'pause_video', 'va', {
      currentTime: 40,
      speed: '1.50',
    }),
    video(alice, '2024-03-01T10:01:00.000Z', 'play_video', 'va', { currentTime: 40 }),
    video(alice, '2024-03-01T10:01:00.100Z', 'stop_video', 'va', { currentTime: 40.1 }),
    video(alice, '2024-03-01T10:02:00.000Z', 'play_video', 'vb', { currentTime: 0 }),
    // the player saving its state through an xblock handler: not an event (anchors.md §4a)
    base(
      alice,
      '2024-03-01T10:02:10.000Z',
      `/courses/${course}/xblock/${block('video', 'vb')}/handler/xmodule_handler/save_user_state`,
      'server',
      '{"POST":{"saved_video_position":["00:00:10"]}}',
    ),
    base(alice, '2024-03-01T10:02:30.000Z', 'seq_goto', 'browser', '{"old":1,"new":2}'),
    video(alice, '2024-03-01T10:03:00.000Z', 'pause_video', 'vb', { currentTime: 30 }),
    check(alice, '2024-03-01T10:05:00.000Z', P1, 1, 'incorrect', 0, 2, {
      p1_2_1: 'a',
      p1_3_1: ['choice_0', 'choice_1'],
    }),
    check(alice, '2024-03-01T10:06:00.000Z', P1, 2, 'correct', 2, 2, {
      p1_2_1: 'b, "quoted"\nnew line',
      p1_3_1: ['choice_1'],
    }),
    // the browser's form post of the same check: not a graded check
    base(alice, '2024-03-01T10:06:00.000Z', 'problem_check', 'browser', 'input_p1_2_1=b'),
    // alice, day 2: the mobile app's newer names
    video(alice, '2024-03-02T09:00:00.000Z', 'play_video', 'va', { currentTime: 90, speed: '1.0' }),
    mobile(alice, '2024-03-02T09:00:08.000Z', 'edx.video.paused', 'va', { currentTime: 98 }),
    // bob, day 1
    video(bob, '2024-03-01T11:00:00.000Z', 'play_video', 'va', { currentTime: 0 }),
    video(bob, '2024-03-01T11:00:12.000Z', 'seek_video', 'va', { old_time: 12, new_time: 50 }),
    video(bob, '2024-03-01T11:00:20.000Z', 'play_video', 'va', { currentTime: 50 }),
    video(bob, '2024-03-01T11:00:30.000Z', 'pause_video', 'va', { currentTime: 60 }),
    video(bob, '2024-03-01T11:05:00.000Z', 'play_video', 'vc', { currentTime: 0, speed: '2.0' }),
    video(bob, '2024-03-01T11:05:10.000Z', 'pause_video', 'vc', { currentTime: 10, speed: '2.0' }),
    check(bob, '2024-03-01T11:10:00.000Z', P1, 1, 'correct', 2, 2, { p1_2_1: 'b' }),
    // the same attempt number sent again: the later one is the final check
    check(bob, '2024-03-01T11:11:00.000Z', P1, 1, 'incorrect', 1, 2, { p1_2_1: 'c' }),
    check(bob, '2024-03-01T11:12:00.000Z', P2, 1, 'incorrect', 0, 1, { p2_2_1: 'Ça' }),
    base(bob, '2024-03-01T09:30:00.000Z', 'edx.forum.response.created', 'server', { id: 'r1' }),
    // bob's last event: a play with nothing after it (no viewing)
    video(bob, '2024-03-01T11:20:00.000Z', 'play_video', 'vb', { currentTime: 5 }),
    // zoë, day 1
    mobile(zoe, '2024-03-01T12:00:00.000Z', 'edx.video.played', 'va', { currentTime: 95 }),
    mobile(zoe, '2024-03-01T12:00:04.000Z', 'edx.video.stopped', 'va', { currentTime: 100 }),
    base(zoe, '2024-03-01T12:10:00.000Z', 'edx.forum.thread.viewed', 'server', { id: 't1' }),
    base(
      zoe,
      '2024-03-01T12:11:00.000Z',
      `/courses/${course}/discussion/forum/topic/threads/t1`,
      'server',
      '{}',
    ),
    base(zoe, '2024-03-01T12:12:00.000Z', `/courses/${legacy}/discussion/forum`, 'server', '{}'),
    base(zoe, '2024-03-01T12:13:00.000Z', `/courses/${course}/courseware/c1/`, 'server', '{}'),
    base(
      zoe,
      '2024-03-01T12:14:00.000Z',
      `/courses/${course}/xblock/${P2}/handler/xmodule_handler/problem_check`,
      'server',
      '{}',
    ),
    check(zoe, '2024-03-01T12:20:00.000Z', P2, 3, 'correct', 1, 1, { p2_2_1: 'Là' }),
    check(zoe, '2024-03-01T12:21:00.000Z', PX, 1, 'correct', 1, 1, { px_2_1: '42' }),
    // events without a username (no one learner's): counted nowhere
    {
      ...video(zoe, '2024-03-01T08:00:00.000Z', 'play_video', 'va', { currentTime: 99 }),
      username: '',
    },
    {
      ...base(zoe, '2024-03-01T08:00:01.000Z', 'edx.forum.thread.viewed', 'server', {}),
      username: '',
    },
    // a play of vb (60 s long) at 50 left running for 10 min: the viewing stops at 60
    video(zoe, '2024-03-01T12:30:00.000Z', 'play_video', 'vb', { currentTime: 50 }),
    base(zoe, '2024-03-01T12:40:00.000Z', `/courses/${course}/courseware/c2/`, 'server', '{}'),
    // a pause past the end of vb (70 > 60 + 1)
    video(zoe, '2024-03-01T12:41:00.000Z', 'pause_video', 'vb', { currentTime: 70 }),
  ];

  const doc = (
    type: string,
    id: string,
    name: string,
    children: string[],
    metadata: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    _id: block(type, id),
    block_id: id,
    category: type,
    display_name: name,
    children,
    metadata: { display_name: name, ...metadata },
  });
  const structure = [
    doc('course', 'course', 'Cours', [block('chapter', 'c1'), block('chapter', 'c2')]),
    doc('chapter', 'c1', 'Semaine 1', [block('sequential', 'q1')]),
    doc('chapter', 'c2', 'Semaine 2', [block('sequential', 'q2')]),
    doc('sequential', 'q1', 'Leçon 1', [block('vertical', 'v1'), block('vertical', 'v2')]),
    doc('sequential', 'q2', 'Leçon 2', [block('vertical', 'v3')]),
    doc('sequential', 'orphan', 'Orphan', [block('vertical', 'v9')]),
    doc('vertical', 'v1', 'U1', [block('video', 'va'), P1]),
    doc('vertical', 'v2', 'U2', [block('video', 'vb'), P2]),
    doc('vertical', 'v3', 'U3', [block('video', 'vc'), P3]),
    doc('vertical', 'v9', 'U9', [block('video', 'vz')]),
    doc('video', 'va', 'Vidéo A', [], {
      youtube_id_1_0: 'yt-a',
      start_time: '00:00:20',
      end_time: '00:02:00',
    }),
    doc('video', 'vb', 'Vidéo B', [], { duration: 60 }),
    doc('video', 'vc', 'Vidéo C, "quoted"', [], { youtube_id_1_0: 'yt-c' }),
    doc('video', 'vz', 'Orphan video', [], { duration: 10 }),
    doc('problem', 'p1', 'Problème 1', []),
    doc('problem', 'p2', 'Problème 2', []),
    doc('problem', 'p3', 'Problème 3', []),
  ];

  const forum = [
    {
      _id: 't1',
      _type: 'CommentThread',
      author_id: '3',
      author_username: 'alice',
      title: 'Question',
      body: 'Pourquoi ?',
      created_at: new Date('2024-03-01T09:00:00.000Z'),
      pinned: true,
      votes: { count: 3, up_count: 2, down_count: 1 },
    },
    {
      _id: 'r1',
      _type: 'Comment',
      author_id: '5',
      author_username: 'bob',
      comment_thread_id: 't1',
      body: 'Parce que.',
      created_at: new Date('2024-03-01T09:30:00.000Z'),
      endorsed: true,
      votes: { count: 1, up_count: 1, down_count: 0 },
    },
    {
      _id: 'c1',
      _type: 'Comment',
      author_id: '3',
      author_username: 'alice',
      comment_thread_id: 't1',
      parent_id: 'r1',
      body: 'Merci',
      created_at: new Date('2024-03-01T09:45:00.000Z'),
      endorsed: false,
      votes: { count: 0, up_count: 0, down_count: 0 },
    },
    {
      _id: 'c2',
      _type: 'Comment',
      author_id: '5',
      author_username: 'bob',
      comment_thread_id: 't1',
      parent_ids: ['r1'],
      body: 'De rien',
      created_at: new Date('2024-03-01T10:00:00.000Z'),
    },
    {
      _id: 't2',
      _type: 'CommentThread',
      author_id: '77',
      author_username: 'Ørjan',
      title: 'Hei',
      body: 'Hei',
      created_at: new Date('2024-03-02T08:00:00.000Z'),
      pinned: false,
      votes: { count: 0, up_count: 0, down_count: 0 },
    },
  ];

  async function fill(store: Store): Promise<void> {
    const db = store.db(courseDatabaseName(course));
    const learners = [alice, bob, zoe];
    await db
      .collection('user_id_map')
      .insertMany(
        learners.map((u) => ({ _id: u.id, user_id: u.id, username: u.username, hash_id: u.hash })),
      );
    await db
      .collection('enrollment')
      .insertMany(
        learners.map((u) => ({ _id: u.id, user_id: u.id, created: new Date('2024-02-01') })),
      );
    await db.collection('tracking').insertMany(events);
    await db.collection('course_structure').insertMany(structure);
    await db.collection('forum').insertMany(forum);
    await buildProblemIds(store, courseDatabaseName(course));
  }

  return { course, legacy, block, alice, bob, zoe, P1, P2, P3, PX, events, fill };
}
