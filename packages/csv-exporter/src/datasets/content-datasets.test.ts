/**
 * Golden tests of the content datasets (video_axis, video_stats_day, video_stats,
 * video_timeline, problem_check, person_problem, course_problem, forum_person) on a course
 * built by hand (`content-fixtures.ts`): every column of every row written literally, with
 * the arithmetic in comments. Query datasets run on every engine (embedded, and MongoDB /
 * FerretDB when `MONGODB_URI` is set); tracking datasets too (one shared pass).
 */
import { exportRows } from '../test-support/course-fixture.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';
import { handCourse } from '../test-support/content-fixtures.js';
import type { HandLearner } from '../test-support/content-fixtures.js';

const PREFIX = runPrefix('CD');
const ENGINES = await testEngines(openStore, PREFIX);
const H = handCourse(PREFIX);
const { alice, bob, zoe, P1, P2, P3, PX } = H;

const who = (u: HandLearner): Record<string, string> => ({
  user_id: String(u.id),
  username: u.username,
  hash_id: u.hash,
});

describe.each(ENGINES)('content datasets, hand-built course ($label)', (engine) => {
  let store: Store | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'content-ds-'));
    store = await engine.open();
    await H.fill(store);
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
    return exportRows(store, H.course, report, dir, { params, ...window });
  }

  it('video_axis: the videos of the outline in course order, orphans left out', async () => {
    const place1 = { chapter_index: '1', chapter_id: 'c1', chapter_name: 'Semaine 1' };
    expect(await run('video_axis')).toEqual([
      {
        video_index: '1',
        video_id: 'va',
        module_id: H.block('video', 'va'),
        video_name: 'Vidéo A',
        ...place1,
        sequential_id: 'q1',
        sequential_name: 'Leçon 1',
        vertical_id: 'v1',
        vertical_name: 'U1',
        youtube_id: 'yt-a',
        // end_time 00:02:00 − start_time 00:00:20 = 120 − 20
        video_length: '100',
      },
      {
        video_index: '2',
        video_id: 'vb',
        module_id: H.block('video', 'vb'),
        video_name: 'Vidéo B',
        ...place1,
        sequential_id: 'q1',
        sequential_name: 'Leçon 1',
        vertical_id: 'v2',
        vertical_name: 'U2',
        youtube_id: '',
        // metadata.duration
        video_length: '60',
      },
      {
        video_index: '3',
        video_id: 'vc',
        module_id: H.block('video', 'vc'),
        video_name: 'Vidéo C, "quoted"',
        chapter_index: '2',
        chapter_id: 'c2',
        chapter_name: 'Semaine 2',
        sequential_id: 'q2',
        sequential_name: 'Leçon 2',
        vertical_id: 'v3',
        vertical_name: 'U3',
        youtube_id: 'yt-c',
        // neither duration nor end_time
        video_length: '',
      },
    ]);
  });

  it('video_stats_day: max position (currentTime × speed) and events per day, learner, video', async () => {
    expect(await run('video_stats_day')).toEqual([
      // alice 03-01 va: play 10×1.5 = 15, pause 40×1.5 = 60, play 40, stop 40.1 → 4, max 60
      { date: '2024-03-01', ...who(alice), video_id: 'va', max_position: '60', n_events: '4' },
      // alice 03-01 vb: play 0, pause 30 (the seq_goto between them is not a video event)
      { date: '2024-03-01', ...who(alice), video_id: 'vb', max_position: '30', n_events: '2' },
      // alice 03-02 va: play 90×1.0 = 90, edx.video.paused (usage key id) 98 → 2, max 98
      { date: '2024-03-02', ...who(alice), video_id: 'va', max_position: '98', n_events: '2' },
      // bob va: play 0, play 50, pause 60 (the seek is not a position event) → 3, max 60
      { date: '2024-03-01', ...who(bob), video_id: 'va', max_position: '60', n_events: '3' },
      // bob vb: the last play at 5
      { date: '2024-03-01', ...who(bob), video_id: 'vb', max_position: '5', n_events: '1' },
      // bob vc: play 0×2 = 0, pause 10×2 = 20 → 2, max 20
      { date: '2024-03-01', ...who(bob), video_id: 'vc', max_position: '20', n_events: '2' },
      // zoë va: edx.video.played 95, edx.video.stopped 100 → 2, max 100
      { date: '2024-03-01', ...who(zoe), video_id: 'va', max_position: '100', n_events: '2' },
      // zoë vb: play 50, pause 70
      { date: '2024-03-01', ...who(zoe), video_id: 'vb', max_position: '70', n_events: '2' },
    ]);
  });

  it('video_stats_day position=current_time: no speed scaling', async () => {
    const rows = await run('video_stats_day', { position: 'current_time' });
    // alice 03-01 va: max(10, 40, 40, 40.1); bob vc: max(0, 10)
    expect(rows.map((r) => [r['username'], r['date'], r['video_id'], r['max_position']])).toEqual([
      ['alice', '2024-03-01', 'va', '40.1'],
      ['alice', '2024-03-01', 'vb', '30'],
      ['alice', '2024-03-02', 'va', '98'],
      ['bob', '2024-03-01', 'va', '60'],
      ['bob', '2024-03-01', 'vb', '5'],
      ['bob', '2024-03-01', 'vc', '10'],
      ['zoë', '2024-03-01', 'va', '100'],
      ['zoë', '2024-03-01', 'vb', '70'],
    ]);
  });

  it('video_stats: viewed (> 0) and watched (> 0.95 × length) per video', async () => {
    expect(await run('video_stats')).toEqual([
      // furthest: alice 98, bob 60, zoë 100; 0.95 × 100 = 95 → alice and zoë watched
      {
        video_index: '1',
        chapter_index: '1',
        chapter_name: 'Semaine 1',
        video_id: 'va',
        video_name: 'Vidéo A',
        video_length: '100',
        n_learners: '3',
        videos_viewed: '3',
        videos_watched: '2',
      },
      // alice 30, bob 5, zoë 70; 0.95 × 60 = 57 → zoë watched
      {
        video_index: '2',
        chapter_index: '1',
        chapter_name: 'Semaine 1',
        video_id: 'vb',
        video_name: 'Vidéo B',
        video_length: '60',
        n_learners: '3',
        videos_viewed: '3',
        videos_watched: '1',
      },
      // bob 20; no length → watched empty
      {
        video_index: '3',
        chapter_index: '2',
        chapter_name: 'Semaine 2',
        video_id: 'vc',
        video_name: 'Vidéo C, "quoted"',
        video_length: '',
        n_learners: '1',
        videos_viewed: '1',
        videos_watched: '',
      },
    ]);
    // watched_share = 0.5: va 98, 60, 100 > 50 → 3; vb: 70 > 30 (zoë), 30 and 5 not → 1
    const half = await run('video_stats', { watched_share: '0.5' });
    expect(half.map((r) => r['videos_watched'])).toEqual(['3', '1', '']);
  });

  it('video_timeline (eap): 5-second segments of the viewings, users at start and end', async () => {
    // viewings (per learner and video: play → next pause / stop / seek of that video):
    //   va (L = 100): alice [10, 40] → segments 2..8 (⌊40/5⌋ = 8); alice [40, 40.1] is 0.1 s
    //       < 0.25 s: ignored; alice [90, 98] → 18..19; bob [0, 12] (seek old_time) → 0..2;
    //       bob's play at 50 after the seek starts at the seek's new_time 50: [50, 60] → 10..12;
    //       zoë [95, 100] → 19..20
    //   vb (L = 60): alice [0, 30] (the seq_goto between does not end it) → 0..6; zoë [50, 70]
    //       ends past 60 + 1: dropped; bob's last play has no end: dropped
    //   vc (no length): bob [0, 10] → 0..2
    // users_at_start = num_users of segment 0; users_at_end = num_users of segment
    //   ⌊max(L − 30, 0.95 L) / 5⌋: va ⌊95/5⌋ = 19 → 2 (alice, zoë); vb ⌊57/5⌋ = 11 → 0; vc empty
    const seg =
      (
        video: string,
        index: string,
        name: string,
        length: string,
        atStart: string,
        atEnd: string,
      ) =>
      (segment: number, users: number, views: number): Record<string, string> => ({
        video_index: index,
        video_id: video,
        video_name: name,
        video_length: length,
        segment: String(segment),
        start_seconds: String(segment * 5),
        num_users: String(users),
        num_views: String(views),
        users_at_start: atStart,
        users_at_end: atEnd,
      });
    const va = seg('va', '1', 'Vidéo A', '100', '1', '2');
    const vb = seg('vb', '2', 'Vidéo B', '60', '1', '0');
    const vc = seg('vc', '3', 'Vidéo C, "quoted"', '', '1', '');
    expect(await run('video_timeline')).toEqual([
      va(0, 1, 1), // bob
      va(1, 1, 1),
      va(2, 2, 2), // alice, bob
      va(3, 1, 1),
      va(4, 1, 1),
      va(5, 1, 1),
      va(6, 1, 1),
      va(7, 1, 1),
      va(8, 1, 1), // alice
      va(10, 1, 1), // bob
      va(11, 1, 1),
      va(12, 1, 1),
      va(18, 1, 1), // alice
      va(19, 2, 2), // alice, zoë
      va(20, 1, 1), // zoë
      vb(0, 1, 1), // alice
      vb(1, 1, 1),
      vb(2, 1, 1),
      vb(3, 1, 1),
      vb(4, 1, 1),
      vb(5, 1, 1),
      vb(6, 1, 1),
      vc(0, 1, 1), // bob
      vc(1, 1, 1),
      vc(2, 1, 1),
    ]);
  });

  it('video_timeline: 50-second segments; viewing_end=next_event and its cap', async () => {
    // va, s = 50: alice [10,40] → 0, [90,98] → 1; bob [0,12] → 0, [50,60] → 1; zoë [95,100]
    // → 1..2; at start: segment 0 → 2; at end: ⌊95/50⌋ = 1 → 3. vb: alice [0,30] → 0, at end
    // ⌊57/50⌋ = 1 → 0. vc: bob [0,10] → 0
    const wide = await run('video_timeline', { segment_seconds: '50' });
    const cols = (r: Record<string, string>): (string | undefined)[] => [
      r['video_id'],
      r['segment'],
      r['start_seconds'],
      r['num_users'],
      r['num_views'],
      r['users_at_start'],
      r['users_at_end'],
    ];
    expect(wide.map(cols)).toEqual([
      ['va', '0', '0', '2', '2', '2', '3'],
      ['va', '1', '50', '3', '3', '2', '3'],
      ['va', '2', '100', '1', '1', '2', '3'],
      ['vb', '0', '0', '1', '1', '1', '0'],
      ['vc', '0', '0', '1', '1', '1', ''],
    ]);
    // next_event: va and vc as above; vb: alice's play ends at the seq_goto 30 s later,
    // [0, 0 + 30] → 0..6; zoë's play ends at the page visit 600 s later, [50, min(650, 60)]
    // → 10..12 (her pause after it has no play open); at end: segment 11 → 1
    const next = await run('video_timeline', { viewing_end: 'next_event' });
    expect(next.filter((r) => r['video_id'] === 'vb').map(cols)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 10, 11, 12].map((n) => [
        'vb',
        String(n),
        String(n * 5),
        '1',
        '1',
        '1',
        '1',
      ]),
    );
    expect(next.filter((r) => r['video_id'] !== 'vb')).toEqual(
      (await run('video_timeline')).filter((r) => r['video_id'] !== 'vb'),
    );
    // a cap of 0.001 h = 3.6 s: alice's [0, 30] becomes [0, 3.6] → segment 0; zoë's [50, 60]
    // becomes [50, 53.6] → segment 10
    const capped = await run('video_timeline', {
      viewing_end: 'next_event',
      max_viewing_hours: '0.001',
    });
    expect(capped.filter((r) => r['video_id'] === 'vb').map((r) => r['segment'])).toEqual([
      '0',
      '10',
    ]);
  });

  it('problem_check: one row per server problem_check, in time order', async () => {
    const row = (
      u: HandLearner,
      time: string,
      problem: string,
      name: string,
      answers: unknown,
      attempts: number,
      success: string,
      grade: number,
      max: number,
    ): Record<string, string> => ({
      time,
      ...who(u),
      course_id: H.course,
      module_id: problem,
      problem_name: name,
      answers: JSON.stringify(answers),
      attempts: String(attempts),
      success,
      grade: String(grade),
      max_grade: String(max),
    });
    // the browser problem_check at 10:06 is not a graded check: 7 rows, not 8
    expect(await run('problem_check')).toEqual([
      row(
        alice,
        '2024-03-01T10:05:00.000Z',
        P1,
        'Problème 1',
        { p1_2_1: 'a', p1_3_1: ['choice_0', 'choice_1'] },
        1,
        'incorrect',
        0,
        2,
      ),
      row(
        alice,
        '2024-03-01T10:06:00.000Z',
        P1,
        'Problème 1',
        { p1_2_1: 'b, "quoted"\nnew line', p1_3_1: ['choice_1'] },
        2,
        'correct',
        2,
        2,
      ),
      row(bob, '2024-03-01T11:10:00.000Z', P1, 'Problème 1', { p1_2_1: 'b' }, 1, 'correct', 2, 2),
      row(bob, '2024-03-01T11:11:00.000Z', P1, 'Problème 1', { p1_2_1: 'c' }, 1, 'incorrect', 1, 2),
      row(
        bob,
        '2024-03-01T11:12:00.000Z',
        P2,
        'Problème 2',
        { p2_2_1: 'Ça' },
        1,
        'incorrect',
        0,
        1,
      ),
      row(zoe, '2024-03-01T12:20:00.000Z', P2, 'Problème 2', { p2_2_1: 'Là' }, 3, 'correct', 1, 1),
      // not in the structure: no name there and none in the event
      row(zoe, '2024-03-01T12:21:00.000Z', PX, '', { px_2_1: '42' }, 1, 'correct', 1, 1),
    ]);
    // the window keeps both days whole: nothing on 03-02
    expect(await run('problem_check', {}, { from: '2024-03-02', to: '2024-03-02' })).toEqual([]);
  });

  it('person_problem: per learner and problem, the final check by attempts then time', async () => {
    const row = (
      u: HandLearner,
      problem: string,
      name: string,
      checks: number,
      attempts: number,
      first: string,
      last: string,
      grade: number,
      max: number,
      correct: boolean,
      ever: boolean,
    ): Record<string, string> => ({
      ...who(u),
      problem_id: problem,
      problem_name: name,
      n_checks: String(checks),
      attempts: String(attempts),
      first_time: first,
      last_time: last,
      grade: String(grade),
      max_grade: String(max),
      correct: String(correct),
      ever_correct: String(ever),
    });
    expect(await run('person_problem')).toEqual([
      // alice P1: attempts 1 then 2; final = attempt 2 (2/2, correct)
      row(
        alice,
        P1,
        'Problème 1',
        2,
        2,
        '2024-03-01T10:05:00.000Z',
        '2024-03-01T10:06:00.000Z',
        2,
        2,
        true,
        true,
      ),
      // bob P1: attempt 1 twice; final = the later one (1/2, incorrect); the first was correct
      row(
        bob,
        P1,
        'Problème 1',
        2,
        1,
        '2024-03-01T11:10:00.000Z',
        '2024-03-01T11:11:00.000Z',
        1,
        2,
        false,
        true,
      ),
      row(
        bob,
        P2,
        'Problème 2',
        1,
        1,
        '2024-03-01T11:12:00.000Z',
        '2024-03-01T11:12:00.000Z',
        0,
        1,
        false,
        false,
      ),
      row(
        zoe,
        P2,
        'Problème 2',
        1,
        3,
        '2024-03-01T12:20:00.000Z',
        '2024-03-01T12:20:00.000Z',
        1,
        1,
        true,
        true,
      ),
      row(
        zoe,
        PX,
        '',
        1,
        1,
        '2024-03-01T12:21:00.000Z',
        '2024-03-01T12:21:00.000Z',
        1,
        1,
        true,
        true,
      ),
    ]);
  });

  it('course_problem: per problem, in course order, untried ones with zero counts', async () => {
    expect(await run('course_problem')).toEqual([
      {
        problem_index: '1',
        problem_id: P1,
        problem_name: 'Problème 1',
        chapter_name: 'Semaine 1',
        max_grade: '2',
        n_learners: '2', // alice, bob
        n_correct: '1', // alice's final is correct, bob's is not
        n_ever_correct: '2',
        n_checks: '4',
        avg_attempts: '1.5', // (2 + 1) / 2
        avg_grade_share: '0.75', // (2/2 + 1/2) / 2
      },
      {
        problem_index: '2',
        problem_id: P2,
        problem_name: 'Problème 2',
        chapter_name: 'Semaine 1',
        max_grade: '1',
        n_learners: '2', // bob, zoë
        n_correct: '1',
        n_ever_correct: '1',
        n_checks: '2',
        avg_attempts: '2', // (1 + 3) / 2
        avg_grade_share: '0.5', // (0/1 + 1/1) / 2
      },
      {
        problem_index: '3',
        problem_id: P3,
        problem_name: 'Problème 3',
        chapter_name: 'Semaine 2',
        max_grade: '',
        n_learners: '0',
        n_correct: '0',
        n_ever_correct: '0',
        n_checks: '0',
        avg_attempts: '',
        avg_grade_share: '',
      },
      {
        problem_index: '',
        problem_id: PX,
        problem_name: '',
        chapter_name: '',
        max_grade: '1',
        n_learners: '1',
        n_correct: '1',
        n_ever_correct: '1',
        n_checks: '1',
        avg_attempts: '1',
        avg_grade_share: '1',
      },
    ]);
  });

  it('forum_person: posts by type, votes received, endorsed, pinned, and reads', async () => {
    const row = (
      ids: Record<string, string>,
      w: [number, number, number, number, number, number, number, number],
      first: string,
      last: string,
      r: [number, number, number],
    ): Record<string, string> => ({
      ...ids,
      nforum_posts: String(w[0]),
      nforum_threads: String(w[1]),
      nforum_responses: String(w[2]),
      nforum_comments: String(w[3]),
      nforum_votes: String(w[4]),
      nforum_upvotes: String(w[5]),
      nforum_endorsed: String(w[6]),
      nforum_pinned: String(w[7]),
      first_post: first,
      last_post: last,
      nforum_reads: String(r[0]),
      nforum_pages: String(r[1]),
      nforum_events: String(r[2]),
    });
    expect(await run('forum_person')).toEqual([
      // alice: thread t1 (pinned, votes 3, up 2) + comment c1 (parent_id r1, votes 0)
      row(
        who(alice),
        [2, 1, 0, 1, 3, 2, 0, 1],
        '2024-03-01T09:00:00.000Z',
        '2024-03-01T09:45:00.000Z',
        [0, 0, 0],
      ),
      // bob: response r1 (endorsed, votes 1, up 1) + comment c2 (parent_ids [r1], no votes);
      // one edx.forum.response.created event
      row(
        who(bob),
        [2, 0, 1, 1, 1, 1, 1, 0],
        '2024-03-01T09:30:00.000Z',
        '2024-03-01T10:00:00.000Z',
        [0, 0, 1],
      ),
      // zoë: wrote nothing; one thread.viewed, two discussion pages (course-v1 and slash
      // form; the courseware pages and the xblock handler are not discussion pages)
      row(who(zoe), [0, 0, 0, 0, 0, 0, 0, 0], '', '', [1, 2, 1]),
      // Ørjan: not in user_id_map, no events; thread t2
      row(
        { user_id: '77', username: 'Ørjan', hash_id: '' },
        [1, 1, 0, 0, 0, 0, 0, 0],
        '2024-03-02T08:00:00.000Z',
        '2024-03-02T08:00:00.000Z',
        [0, 0, 0],
      ),
    ]);
    // the window applies to both: on 03-02 only Ørjan's thread (and no learner's events)
    const day2 = await run('forum_person', {}, { from: '2024-03-02', to: '2024-03-02' });
    expect(day2.map((r) => [r['username'], r['nforum_posts'], r['nforum_reads']])).toEqual([
      ['Ørjan', '1', '0'],
    ]);
  });
});
