/**
 * The problem, survey, forum and structure reports on hand-made course databases, on the
 * embedded engine and on the MongoDB engine of `MONGODB_URI` (FerretDB in `npm test`): the
 * McGill bugs (the final attempt, the last day of the window, accents dropped from the forum)
 * and edge cases, with the exact CSV rows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import { buildProblemIds } from '@edx-data/course-extractor';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';
import { exportReports } from '../export-reports.js';
import { exportRows, readCsv } from '../test-support/course-fixture.js';

const PREFIX = runPrefix('PF');
const ENGINES = await testEngines(openStore, PREFIX);

const COURSE = `course-v1:${PREFIX}+HM1+2024`;
const BLOCK = (type: string, id: string): string =>
  `block-v1:${PREFIX}+HM1+2024+type@${type}+block@${id}`;
const P1 = BLOCK('problem', 'p1');
const P2 = BLOCK('problem', 'p2');
const S1 = BLOCK('problem', 's1');
const S2 = BLOCK('problem', 's2');
const P3 = BLOCK('problem', 'p3');

const ALICE = { id: 3, username: 'alice', hash: 'hash-alice' };
/** A larger user id and username than alice's: the old "final" picked by these. */
const ZOE = { id: 9, username: 'zoë.müller', hash: 'hash-zoe' };
/** A learner missing from user_id_map. */
const GHOST = { id: 50, username: 'ghost' };

/** An old-style event: answers and correct_map only, no submission (so no question text). */
function withoutSubmission(event: Record<string, unknown>): Record<string, unknown> {
  const payload = { ...(event['event'] as Record<string, unknown>) };
  delete payload['submission'];
  return { ...event, event: payload };
}

let eventCount = 0;
function check(
  who: { id: number; username: string },
  problem: string,
  time: string,
  attempts: number,
  answers: Record<string, { answer: unknown; question?: string; correct?: boolean }>,
): Record<string, unknown> {
  eventCount++;
  const keys = Object.keys(answers);
  const allCorrect = keys.every((k) => answers[k]?.correct === true);
  return {
    _id: `ev${String(eventCount).padStart(4, '0')}`,
    _time: new Date(time),
    time,
    username: who.username,
    event_type: 'problem_check',
    event_source: 'server',
    event: {
      problem_id: problem,
      attempts,
      success: allCorrect ? 'correct' : 'incorrect',
      grade: keys.filter((k) => answers[k]?.correct === true).length,
      max_grade: keys.length,
      answers: Object.fromEntries(keys.map((k) => [k, answers[k]?.answer])),
      correct_map: Object.fromEntries(
        keys.map((k) => [
          k,
          { correctness: answers[k]?.correct === true ? 'correct' : 'incorrect' },
        ]),
      ),
      submission: Object.fromEntries(
        keys.map((k) => [
          k,
          {
            answer: answers[k]?.answer,
            question: answers[k]?.question ?? '',
            correct: answers[k]?.correct === true,
          },
        ]),
      ),
    },
    context: {
      course_id: COURSE,
      user_id: who.id,
      module: { display_name: 'from the event', usage_key: problem },
    },
    session: 's',
    ip: '10.0.0.1',
  };
}

const EVENTS = [
  // alice: three attempts at P1, the last one correct
  check(ALICE, P1, '2024-03-01T10:00:00.000Z', 1, {
    p1_2_1: { answer: 'Montréal', question: 'Ville ?', correct: false },
    p1_3_1: { answer: ['choice_0', 'choice_2'], question: 'Pick, two', correct: false },
  }),
  check(ALICE, P1, '2024-03-02T10:00:00.000Z', 2, {
    p1_2_1: { answer: 'Québec', question: 'Ville ?', correct: false },
    p1_3_1: { answer: ['choice_1'], question: 'Pick, two', correct: true },
  }),
  check(ALICE, P1, '2024-03-03T23:59:59.999Z', 3, {
    p1_2_1: { answer: 'Ottawa', question: 'Ville ?', correct: true },
    p1_3_1: { answer: ['choice_1'], question: 'Pick, two', correct: true },
  }),
  // zoë: one attempt at P1, wrong
  check(ZOE, P1, '2024-03-01T00:00:00.000Z', 1, {
    p1_2_1: { answer: 'Paris', question: 'Ville ?', correct: false },
    p1_3_1: { answer: ['choice_0'], question: 'Pick, two', correct: false },
  }),
  // alice: attempt number 1 at P2 sent twice (the later one is final); outside the window
  check(ALICE, P2, '2024-02-29T23:59:59.999Z', 1, { p2_2_1: { answer: 'a', correct: false } }),
  check(ALICE, P2, '2024-03-04T00:00:00.000Z', 1, { p2_2_1: { answer: 'b', correct: true } }),
  // surveys: alice sends the entrance page twice, the second time one answer only
  check(ALICE, S1, '2024-03-01T08:00:00.000Z', 1, {
    s1_2_1: { answer: 'Montréal', question: 'Où vivez-vous ?' },
    s1_3_1: { answer: 'oui', question: 'Première fois ?' },
  }),
  check(ALICE, S1, '2024-03-02T08:00:00.000Z', 2, {
    s1_2_1: { answer: 'Québec', question: 'Où vivez-vous ?' },
  }),
  check(ZOE, S2, '2024-03-03T08:00:00.000Z', 1, {
    s2_2_1: { answer: ['choice_0', 'choice_2'], question: 'Qu’avez-vous aimé ?' },
  }),
  // after the window: a learner unknown to user_id_map, an event without submission
  withoutSubmission(
    check(GHOST, P3, '2024-03-05T12:00:00.000Z', 1, { p3_2_1: { answer: 'x', correct: true } }),
  ),
];

const STRUCTURE = [
  {
    _id: BLOCK('course', 'course'),
    category: 'course',
    display_name: 'Cours',
    children: [BLOCK('chapter', 'c1')],
  },
  {
    _id: BLOCK('chapter', 'c1'),
    block_id: 'c1',
    category: 'chapter',
    display_name: 'Semaine 1 : été',
    children: [BLOCK('sequential', 'q1'), BLOCK('sequential', 'q2')],
  },
  {
    _id: BLOCK('sequential', 'q1'),
    block_id: 'q1',
    category: 'sequential',
    display_name: 'Leçon 1',
    children: [BLOCK('vertical', 'v1'), BLOCK('vertical', 'v2')],
  },
  {
    _id: BLOCK('sequential', 'q2'),
    block_id: 'q2',
    category: 'sequential',
    display_name: 'Empty',
    children: [],
  },
  {
    _id: BLOCK('sequential', 'orphan'),
    block_id: 'orphan',
    category: 'sequential',
    display_name: 'Orphan',
    children: [BLOCK('vertical', 'v3')],
  },
  {
    _id: BLOCK('vertical', 'v1'),
    block_id: 'v1',
    category: 'vertical',
    display_name: 'U1',
    children: [P1, BLOCK('html', 'h1'), BLOCK('split_test', 't1')],
  },
  {
    _id: BLOCK('split_test', 't1'),
    block_id: 't1',
    category: 'split_test',
    display_name: 'AB',
    children: [P2, BLOCK('poll_question', 'pq')],
  },
  {
    _id: BLOCK('vertical', 'v2'),
    block_id: 'v2',
    category: 'vertical',
    display_name: 'U2',
    children: [
      BLOCK('word_cloud', 'wc'),
      BLOCK('video', 'a'),
      BLOCK('video', 'b'),
      BLOCK('discussion', 'd'),
      BLOCK('drag-and-drop-v2', 'x'),
      BLOCK('video', 'missing'),
    ],
  },
  {
    _id: BLOCK('vertical', 'v3'),
    block_id: 'v3',
    category: 'vertical',
    display_name: 'U3',
    children: [S1],
  },
  { _id: P1, block_id: 'p1', category: 'problem', display_name: 'Problème 1', children: [] },
  { _id: P2, block_id: 'p2', category: 'problem', display_name: 'Problem 2', children: [] },
  { _id: S1, block_id: 's1', category: 'problem', display_name: 'Entrance', children: [] },
  { _id: BLOCK('html', 'h1'), category: 'html', display_name: 'H', children: [] },
  {
    _id: BLOCK('poll_question', 'pq'),
    category: 'poll_question',
    display_name: 'Poll',
    children: [],
  },
  { _id: BLOCK('word_cloud', 'wc'), category: 'word_cloud', display_name: 'WC', children: [] },
  { _id: BLOCK('video', 'a'), category: 'video', display_name: 'A', children: [] },
  { _id: BLOCK('video', 'b'), category: 'video', display_name: 'B', children: [] },
  { _id: BLOCK('discussion', 'd'), category: 'discussion', display_name: 'D', children: [] },
  {
    _id: BLOCK('drag-and-drop-v2', 'x'),
    category: 'drag-and-drop-v2',
    display_name: 'X',
    children: [],
  },
];

const ACCENTED_BODY = 'Ça a été très évident… "quoted", comma, newline\r\n';
const FORUM = [
  {
    _id: 'f1',
    _type: 'CommentThread',
    author_id: String(ZOE.id),
    author_username: ZOE.username,
    title: 'Très bien, « merci »',
    body: ACCENTED_BODY,
    created_at: new Date('2024-03-01T09:00:00.000Z'),
    updated_at: new Date('2024-03-01T09:30:00.000Z'),
    anonymous: false,
    thread_type: 'question',
    commentable_id: 'topic-1',
    votes: { up_count: 2, down_count: 0, count: 2 },
  },
  {
    _id: 'f3',
    _type: 'Comment',
    author_id: '77',
    author_username: 'Ørjan',
    comment_thread_id: 'f1',
    parent_id: 'f2',
    body: 'Cafe\u0301? Not here: the END.',
    created_at: new Date('2024-03-01T11:00:00.000Z'),
    anonymous: true,
    endorsed: false,
  },
  {
    _id: 'f2',
    _type: 'Comment',
    author_id: String(ALICE.id),
    author_username: 'alice-old-name',
    comment_thread_id: 'f1',
    body: "Très évident! https://example.org/été voir www.ex.com/x l'été naïve café café",
    created_at: new Date('2024-03-01T10:00:00.000Z'),
    endorsed: true,
    votes: { up_count: 0, down_count: 1, count: 1 },
  },
];

async function fillCourse(store: Store): Promise<void> {
  const db = store.db(courseDatabaseName(COURSE));
  await db.collection('user_id_map').insertMany(
    [ALICE, ZOE].map((u) => ({
      _id: u.id,
      user_id: u.id,
      username: u.username,
      hash_id: u.hash,
    })),
  );
  await db.collection('enrollment').insertMany(
    [ALICE, ZOE].map((u) => ({
      _id: u.id,
      user_id: u.id,
      created: new Date('2024-02-01T00:00:00Z'),
    })),
  );
  await db.collection('tracking').insertMany(EVENTS);
  await db.collection('course_structure').insertMany(STRUCTURE);
  await db.collection('forum').insertMany(FORUM);
  await buildProblemIds(store, courseDatabaseName(COURSE));
}

describe.each(ENGINES)('problem and forum reports, hand-made ($label)', (engine) => {
  let store: Store | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pf-handmade-'));
    store = await engine.open();
    await fillCourse(store);
  }, 60_000);
  afterAll(async () => {
    await engine.cleanup(store);
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    report: string,
    params: Record<string, string> = {},
    window: { from?: string; to?: string } = {},
  ): Promise<Record<string, string>[]> {
    if (store === undefined) throw new Error('no store');
    return exportRows(store, COURSE, report, dir, { params, ...window });
  }

  const learner = (u: { id: number; username: string; hash: string }): Record<string, string> => ({
    user_id: String(u.id),
    username: u.username,
    hash_id: u.hash,
  });

  it('problem_attempts final: each learner’s own last attempt (not the largest user id’s)', async () => {
    const rows = await run('problem_attempts', { final: 'true', problem_ids: P1 });
    expect(rows).toEqual([
      {
        ...learner(ALICE),
        problem_id: P1,
        problem_name: 'Problème 1',
        attempt: '3',
        time: '2024-03-03T23:59:59.999Z',
        success: 'correct',
        grade: '2',
        max_grade: '2',
        answers: JSON.stringify({
          'p1_2_1 : Ville ?': 'Ottawa',
          'p1_3_1 : Pick, two': '["choice_1"]',
        }),
        answer_key: '',
        question: '',
        answer: '',
        correctness: '',
      },
      {
        ...learner(ZOE),
        problem_id: P1,
        problem_name: 'Problème 1',
        attempt: '1',
        time: '2024-03-01T00:00:00.000Z',
        success: 'incorrect',
        grade: '0',
        max_grade: '2',
        answers: JSON.stringify({
          'p1_2_1 : Ville ?': 'Paris',
          'p1_3_1 : Pick, two': '["choice_0"]',
        }),
        answer_key: '',
        question: '',
        answer: '',
        correctness: '',
      },
    ]);
  });

  it('problem_attempts final: an attempt number sent twice keeps the later one', async () => {
    const rows = await run('problem_attempts', { final: 'true', problem_ids: P2, layout: 'long' });
    expect(
      rows.map((r) => [
        r['username'],
        r['attempt'],
        r['time'],
        r['answer_key'],
        r['answer'],
        r['correctness'],
      ]),
    ).toEqual([['alice', '1', '2024-03-04T00:00:00.000Z', 'p2_2_1', 'b', 'correct']]);
  });

  it('problem_attempts: the window keeps both days whole, and only them', async () => {
    const rows = await run('problem_attempts', {}, { from: '2024-03-01', to: '2024-03-03' });
    // P2's two attempts are 1 ms before the first day and at the start of the day after
    expect(rows.map((r) => [r['problem_id'], r['username'], r['time']])).toEqual([
      [P1, 'alice', '2024-03-01T10:00:00.000Z'],
      [P1, 'alice', '2024-03-02T10:00:00.000Z'],
      [P1, 'alice', '2024-03-03T23:59:59.999Z'],
      [P1, 'zoë.müller', '2024-03-01T00:00:00.000Z'],
      [S1, 'alice', '2024-03-01T08:00:00.000Z'],
      [S1, 'alice', '2024-03-02T08:00:00.000Z'],
      [S2, 'zoë.müller', '2024-03-03T08:00:00.000Z'],
    ]);
    const all = await run('problem_attempts');
    expect(all.length).toBe(EVENTS.length);
    const lastDay = await run('problem_attempts', {}, { from: '2024-03-03', to: '2024-03-03' });
    expect(lastDay.map((r) => r['time'])).toEqual([
      '2024-03-03T23:59:59.999Z',
      '2024-03-03T08:00:00.000Z',
    ]);
  });

  it('problem_attempts long: one row per (attempt, sub-question)', async () => {
    const rows = await run('problem_attempts', { problem_ids: P1, layout: 'long' });
    expect(rows.length).toBe(8);
    expect(
      rows
        .slice(0, 2)
        .map((r) => [
          r['attempt'],
          r['answer_key'],
          r['question'],
          r['answer'],
          r['correctness'],
          r['answers'],
        ]),
    ).toEqual([
      ['1', 'p1_2_1', 'Ville ?', 'Montréal', 'incorrect', ''],
      ['1', 'p1_3_1', 'Pick, two', '["choice_0","choice_2"]', 'incorrect', ''],
    ]);
  });

  it('problem_attempts: a learner missing from user_id_map, an event without submission', async () => {
    const wide = await run('problem_attempts', { problem_ids: P3 });
    expect(
      wide.map((r) => [r['user_id'], r['username'], r['hash_id'], r['problem_name'], r['answers']]),
    ).toEqual([['50', 'ghost', '', 'from the event', JSON.stringify({ p3_2_1: 'x' })]]);
    const long = await run('problem_attempts', { problem_ids: P3, layout: 'long' });
    expect(
      long.map((r) => [r['answer_key'], r['question'], r['answer'], r['correctness']]),
    ).toEqual([['p3_2_1', '', 'x', 'correct']]);
  });

  it('activities_with_lower_completion: learners who eventually got it right, lowest share first', async () => {
    const rows = await run('activities_with_lower_completion');
    expect(rows).toEqual([
      // the two surveys: every attempt "incorrect" (no sub-question marked correct)
      {
        problem_id: S1,
        problem_name: 'Entrance',
        learners_attempted: '1',
        learners_correct: '0',
        learners_never_correct: '1',
        completion_share: '0',
      },
      {
        problem_id: S2,
        problem_name: '',
        learners_attempted: '1',
        learners_correct: '0',
        learners_never_correct: '1',
        completion_share: '0',
      },
      {
        problem_id: P1,
        problem_name: 'Problème 1',
        learners_attempted: '2',
        learners_correct: '1',
        learners_never_correct: '1',
        completion_share: '0.5',
      },
      {
        problem_id: P2,
        problem_name: 'Problem 2',
        learners_attempted: '1',
        learners_correct: '1',
        learners_never_correct: '0',
        completion_share: '1',
      },
      {
        problem_id: P3,
        problem_name: '',
        learners_attempted: '1',
        learners_correct: '1',
        learners_never_correct: '0',
        completion_share: '1',
      },
    ]);
    const windowed = await run(
      'activities_with_lower_completion',
      {},
      { from: '2024-03-01', to: '2024-03-03' },
    );
    expect(windowed.map((r) => r['problem_id'])).toEqual([S1, S2, P1]);
  });

  it('entrance_exit_surveys: the latest answer of each question, one row per question', async () => {
    const rows = await run('entrance_exit_surveys', { entrance: S1, exit: S2 });
    expect(rows).toEqual([
      {
        ...learner(ALICE),
        survey: 'entrance',
        problem_id: S1,
        answer_key: 's1_2_1',
        question: 'Où vivez-vous ?',
        answer: 'Québec',
        time: '2024-03-02T08:00:00.000Z',
      },
      {
        ...learner(ALICE),
        survey: 'entrance',
        problem_id: S1,
        answer_key: 's1_3_1',
        question: 'Première fois ?',
        answer: 'oui',
        time: '2024-03-01T08:00:00.000Z',
      },
      {
        ...learner(ZOE),
        survey: 'exit',
        problem_id: S2,
        answer_key: 's2_2_1',
        question: 'Qu’avez-vous aimé ?',
        answer: '["choice_0","choice_2"]',
        time: '2024-03-03T08:00:00.000Z',
      },
    ]);
    await expect(
      run('entrance_exit_surveys', { entrance: S1, exit: `${S2},${S1}` }),
    ).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(run('entrance_exit_surveys', { entrance: S1 })).rejects.toMatchObject({
      code: 'E_OPTION',
    });
  });

  it('forum_posts: accented names and bodies, quotes, commas and line breaks kept byte for byte', async () => {
    if (store === undefined) throw new Error('no store');
    const out = join(dir, 'forum');
    await exportReports(store, { course: COURSE, reports: ['forum_posts'], out });
    const bytes = await readFile(join(out, 'forum_posts.csv'));
    expect(
      bytes.includes(
        Buffer.from('"Ça a été très évident… ""quoted"", comma, newline\r\n"', 'utf8'),
      ),
    ).toBe(true);
    expect(bytes.includes(Buffer.from('zoë.müller', 'utf8'))).toBe(true);
    const rows = await readCsv(join(out, 'forum_posts.csv'));
    expect(rows).toEqual([
      {
        ...learner(ZOE),
        post_id: 'f1',
        type: 'CommentThread',
        post_type: 'thread',
        thread_id: 'f1',
        parent_id: '',
        title: 'Très bien, « merci »',
        body: ACCENTED_BODY,
        created_at: '2024-03-01T09:00:00.000Z',
        updated_at: '2024-03-01T09:30:00.000Z',
        anonymous: 'false',
        thread_type: 'question',
        commentable_id: 'topic-1',
        endorsed: '',
        votes_up: '2',
        votes_down: '0',
        votes_count: '2',
      },
      {
        ...learner(ALICE),
        post_id: 'f2',
        type: 'Comment',
        post_type: 'response',
        thread_id: 'f1',
        parent_id: 'f1',
        title: '',
        body: FORUM[2]?.body,
        created_at: '2024-03-01T10:00:00.000Z',
        updated_at: '',
        anonymous: 'false',
        thread_type: '',
        commentable_id: '',
        endorsed: 'true',
        votes_up: '0',
        votes_down: '1',
        votes_count: '1',
      },
      {
        user_id: '77',
        username: 'Ørjan',
        hash_id: '',
        post_id: 'f3',
        type: 'Comment',
        post_type: 'comment',
        thread_id: 'f1',
        parent_id: 'f2',
        title: '',
        body: 'Cafe\u0301? Not here: the END.',
        created_at: '2024-03-01T11:00:00.000Z',
        updated_at: '',
        anonymous: 'true',
        thread_type: '',
        commentable_id: '',
        endorsed: 'false',
        votes_up: '',
        votes_down: '',
        votes_count: '',
      },
    ]);
  });

  it('forum_word_counts: accented words whole, URLs and stop words out, exact counts', async () => {
    const rows = await run('forum_word_counts');
    expect(rows.map((r) => [r['word'], r['count'], r['posts']])).toEqual([
      ['café', '3', '2'],
      ['très', '2', '2'],
      ['évident', '2', '2'],
      ['comma', '1', '1'],
      ['end', '1', '1'],
      ["l'été", '1', '1'],
      ['naïve', '1', '1'],
      ['newline', '1', '1'],
      ['quoted', '1', '1'],
      ['voir', '1', '1'],
      ['été', '1', '1'],
    ]);
    const top = await run('forum_word_counts', { top: '2', min_length: '5' });
    expect(top.map((r) => r['word'])).toEqual(['évident', 'comma']);
    await expect(run('forum_word_counts', { top: '0' })).rejects.toMatchObject({
      code: 'E_OPTION',
    });
  });

  it('sequential_aggregation: counts below the units at any depth, other categories in JSON', async () => {
    const rows = await run('sequential_aggregation');
    expect(rows).toEqual([
      {
        chapter_id: 'c1',
        chapter_name: 'Semaine 1 : été',
        sequential_id: 'q1',
        sequential_name: 'Leçon 1',
        verticals: '2',
        videos: '2',
        html: '1',
        problems: '2',
        discussions: '1',
        poll_questions: '1',
        word_clouds: '1',
        other_blocks: JSON.stringify({ split_test: 1, 'drag-and-drop-v2': 1 }),
      },
      {
        chapter_id: 'c1',
        chapter_name: 'Semaine 1 : été',
        sequential_id: 'q2',
        sequential_name: 'Empty',
        verticals: '0',
        videos: '0',
        html: '0',
        problems: '0',
        discussions: '0',
        poll_questions: '0',
        word_clouds: '0',
        other_blocks: '{}',
      },
    ]);
  });
});
