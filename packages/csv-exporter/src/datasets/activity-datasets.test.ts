/**
 * Golden tests of the time and session datasets on a hand-built course (four learners, a staff
 * member, a few dozen events over two days), on the embedded engine and on the MongoDB engine of
 * `MONGODB_URI`: every column of every row written literally, derived by hand in the comments
 * from the written definitions.
 */
import { exportRows } from '../test-support/course-fixture.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';

const PREFIX = runPrefix('AT');
const ENGINES = await testEngines(openStore, PREFIX);
const COURSE = `course-v1:${PREFIX}+AT1+2024`;

interface Who {
  readonly id: number | null;
  readonly username: string;
}
const ANN: Who = { id: 1, username: 'ann' };
const BOB: Who = { id: 2, username: 'bob' };
/** Not in user_id_map: no hash_id; a non-ASCII username (sorts after `staff_sam`). */
const CID: Who = { id: 3, username: 'çid' };
/** Enrolled in bulk (an event with an empty username), no event of her own. */
const DEE: Who = { id: 4, username: 'dee' };
/** A staff member who enrols bob; not enrolled, not in user_id_map. */
const STAFF: Who = { id: 99, username: 'staff_sam' };
const NOBODY: Who = { id: null, username: '' };

let n = 0;
function ev(
  who: Who,
  time: string,
  type: string,
  payload: Record<string, unknown> = {},
): Record<string, unknown> {
  n += 1;
  const browser = !type.startsWith('/') && /_video|page_close|seq_goto|textbook/u.test(type);
  return {
    _id: `ev${String(n).padStart(3, '0')}`,
    _time: new Date(time),
    time,
    username: who.username,
    event_type: type,
    event_source: browser ? 'browser' : 'server',
    event: browser ? JSON.stringify(payload) : payload,
    context: { course_id: COURSE, user_id: who.id, path: type },
    session: 'sess',
    ip: '10.0.0.1',
    page: null,
  };
}
const enrol = (
  sender: Who,
  learner: number,
  time: string,
  kind: 'activated' | 'deactivated' | 'mode_changed',
  mode: string,
): Record<string, unknown> =>
  ev(sender, time, `edx.course.enrollment.${kind}`, { course_id: COURSE, user_id: learner, mode });

const D1 = '2024-03-01T';
const D2 = '2024-03-02T';
const EVENTS = [
  // ann, day 1 (gap to the previous event in brackets)
  enrol(ANN, 1, `${D1}09:00:00Z`, 'activated', 'honor'), // a0 (other)
  ev(ANN, `${D1}10:00:00Z`, 'play_video', { id: 'v1' }), // e1 video [3600]
  ev(ANN, `${D1}10:04:00Z`, 'pause_video', { id: 'v1' }), // e2 video [240 = 4 min]
  ev(ANN, `${D1}10:10:00Z`, 'problem_check', { problem_id: 'p1' }), // e3 problem [360 = 6 min]
  ev(ANN, `${D1}10:39:00Z`, 'problem_show', { problem: 'p1' }), // e4 problem [1740 = 29 min]
  ev(ANN, `${D1}11:10:00Z`, `/courses/${COURSE}/discussion/forum/`), // e5 forum [1860 = 31 min]
  ev(ANN, `${D1}11:12:00Z`, `/courses/${COURSE}/xblock/b1/handler/xmodule_handler/problem_check`), // left out
  ev(ANN, `${D1}11:13:00Z`, 'edx.forum.thread.viewed', { id: 't1' }), // e6 forum [180]
  ev(ANN, `${D1}11:13:30Z`, 'page_close'), // e7 other [30]
  ev(ANN, `${D1}11:20:00Z`, 'textbook.pdf.page.navigated', { page: 3 }), // e8 text [390]
  ev(ANN, `${D1}11:22:00Z`, 'seq_goto', { old: 1, new: 2 }), // e9 other [120]
  // ann, day 2
  ev(ANN, `${D2}09:00:00Z`, 'load_video', { id: 'v2' }), // e10 video [over midnight: none]
  ev(ANN, `${D2}09:00:03Z`, 'play_video', { id: 'v2' }), // e11 video [3]
  ev(ANN, `${D2}09:40:00Z`, 'problem_check', { problem_id: 'p2' }), // e12 problem [2397]
  ev(ANN, `${D2}09:45:00Z`, 'play_video', { id: 'v2' }), // e13 video [300 = exactly 5 min]
  // bob
  ev(BOB, `${D1}08:00:00Z`, 'play_video', { id: 'v1' }), // b1 video
  ev(BOB, `${D1}08:02:00Z`, 'edx.forum.searched', { query: 'x' }), // b2 forum [120]
  ev(BOB, `${D1}08:03:00Z`, 'pause_video', { id: 'v1' }), // b3 video [60]
  ev(BOB, `${D1}08:03:02Z`, 'page_close'), // b4 other [2]
  ev(BOB, `${D1}08:03:04Z`, 'edx.video.played', { id: 'v1' }), // b5 video [2]
  ev(BOB, `${D1}08:03:07Z`, `/courses/${COURSE}/wiki/page/`), // b6 text [3]
  ev(BOB, `${D1}23:58:00Z`, 'problem_check', { problem_id: 'p1' }), // b7 problem [long]
  ev(BOB, `${D2}00:01:00Z`, 'problem_show', { problem: 'p1' }), // b8 problem [over midnight]
  // staff_sam enrols bob
  enrol(STAFF, 2, `${D1}07:00:00Z`, 'activated', 'audit'),
  // çid: a double activation, a mode change, two deactivations
  enrol(CID, 3, `${D1}12:00:00Z`, 'activated', 'audit'), // c1
  enrol(CID, 3, `${D1}12:00:10Z`, 'activated', 'audit'), // c2 [10]
  enrol(CID, 3, `${D2}08:00:00Z`, 'mode_changed', 'verified'), // c3
  enrol(CID, 3, `${D2}09:00:00Z`, 'deactivated', 'verified'), // c4 [3600]
  enrol(CID, 3, `${D2}09:00:01Z`, 'deactivated', 'verified'), // c5 [1]
  // no username: dee enrolled in bulk; an anonymous problem_check (not a learner event)
  enrol(NOBODY, 4, `${D1}06:00:00Z`, 'activated', 'verified'),
  ev(NOBODY, `${D1}10:05:00Z`, 'problem_check', { problem_id: 'p1' }),
];

async function fillCourse(store: Store): Promise<void> {
  const db = store.db(courseDatabaseName(COURSE));
  await db.collection('user_id_map').insertMany(
    [
      [ANN, 'h-ann'],
      [BOB, 'h-bob'],
      [DEE, 'h-dee'],
    ].map(([u, hash]) => {
      const who = u as Who;
      return { _id: who.id, user_id: who.id, username: who.username, hash_id: hash };
    }),
  );
  await db.collection('enrollment').insertMany(
    [ANN, BOB, CID, DEE].map((u) => ({
      _id: u.id,
      user_id: u.id,
      mode: 'audit',
      is_active: 1,
      created: new Date('2024-02-01T00:00:00Z'),
    })),
  );
  await db.collection('certificates').insertMany([
    { _id: 1, user_id: 1, status: 'downloadable', grade: '0.9' },
    { _id: 2, user_id: 2, status: 'notpassing', grade: '0.2' },
    { _id: 3, user_id: 77, status: 'downloadable', grade: '0.8' },
  ]);
  await db.collection('tracking').insertMany(EVENTS);
}

const learner = (u: Who, hash: string): Record<string, string> => ({
  user_id: String(u.id),
  username: u.username,
  hash_id: hash,
});
const ann = learner(ANN, 'h-ann');
const bob = learner(BOB, 'h-bob');
const cid = learner(CID, '');
const dee = learner(DEE, 'h-dee');
const staff = learner(STAFF, '');

/** A time_on_task row: [total, video, problem, forum, text] as [5, 30] pairs, then n_events. */
function tot(
  who: Record<string, string>,
  date: string,
  secs: readonly (readonly [number, number])[],
  events: number,
): Record<string, string> {
  const names = ['total', 'video', 'problem', 'forum', 'text'];
  const row: Record<string, string> = { ...who, date };
  names.forEach((name, i) => {
    row[`${name}_seconds_5`] = String(secs[i]?.[0] ?? 0);
    row[`${name}_seconds_30`] = String(secs[i]?.[1] ?? 0);
  });
  row['n_events'] = String(events);
  return row;
}

describe.each(ENGINES)('time and session datasets, hand-made ($label)', (engine) => {
  let store: Store | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'at-handmade-'));
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

  it('time_on_task, rule e2b: a category gap runs from the previous event of that category', async () => {
    expect(await run('time_on_task')).toEqual([
      // ann day 1: 10 events (a0, e1–e9; the xblock URL is left out).
      // gaps 3600, 240, 360, 1740, 1860, 180, 30, 390, 120:
      // < 5 min: 240 + 180 + 30 + 120 = 570; < 30 min: 570 + 360 + 1740 + 390 = 3060.
      // video e1→e2 240; problem e3→e4 1740 (≥ 5 min); forum e5→e6 180; text e8 alone.
      tot(
        ann,
        '2024-03-01',
        [
          [570, 3060],
          [240, 240],
          [0, 1740],
          [180, 180],
          [0, 0],
        ],
        10,
      ),
      // ann day 2: gaps 3 (e10→e11), 2397, 300 (= 5 min: long only): 3 and 3 + 300 = 303.
      // video e10→e11 3, e11→e13 2697 (≥ 30 min); problem e12 alone.
      tot(
        ann,
        '2024-03-02',
        [
          [3, 303],
          [3, 3],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        4,
      ),
      // bob day 1: gaps 120, 60, 2, 2, 3, then b7 (15 h later): 187 both.
      // video b1→b3 180 + b3→b5 4 = 184 (over the forum event and the page_close);
      // forum b2, text b6, problem b7 alone.
      tot(
        bob,
        '2024-03-01',
        [
          [187, 187],
          [184, 184],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        7,
      ),
      // bob day 2: b8 only; b7→b8 (3 min) is over midnight: nothing.
      tot(bob, '2024-03-02', [], 1),
      tot(staff, '2024-03-01', [], 1),
      // çid: c1→c2 10; day 2 c3→c4 3600, c4→c5 1 (enrollment events are other).
      tot(cid, '2024-03-01', [[10, 10]], 2),
      tot(cid, '2024-03-02', [[1, 1]], 3),
    ]);
  });

  it('time_on_task, rule serial: the gap before an event goes to its category', async () => {
    const rows = await run('time_on_task', { category_rule: 'serial' });
    expect(rows.slice(0, 3)).toEqual([
      // ann day 1: e2 video 240; e3 problem 360 + e4 problem 1740 = 2100 (long only);
      // e5 forum 1860 (none) + e6 forum 180; e8 text 390 (long only).
      tot(
        ann,
        '2024-03-01',
        [
          [570, 3060],
          [240, 240],
          [0, 2100],
          [180, 180],
          [0, 390],
        ],
        10,
      ),
      // ann day 2: e11 video 3, e13 video 300 (long only): 3 and 303; e12 problem 2397 none.
      tot(
        ann,
        '2024-03-02',
        [
          [3, 303],
          [3, 303],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        4,
      ),
      // bob day 1: b2 forum 120, b3 video 60 + b5 video 2 = 62, b6 text 3.
      tot(
        bob,
        '2024-03-01',
        [
          [187, 187],
          [62, 62],
          [0, 0],
          [120, 120],
          [3, 3],
        ],
        7,
      ),
    ]);
    expect(rows.slice(3)).toEqual([
      tot(bob, '2024-03-02', [], 1),
      tot(staff, '2024-03-01', [], 1),
      tot(cid, '2024-03-01', [[10, 10]], 2),
      tot(cid, '2024-03-02', [[1, 1]], 3),
    ]);
  });

  it('time_on_task: other timeouts, and the window', async () => {
    // timeouts 4 and 6 minutes: ann day 1 gaps < 4 min: 180, 30, 120 = 330;
    // < 6 min: 240 + 180 + 30 + 120 = 570 (360 = 6 min is not shorter).
    const rows = await run(
      'time_on_task',
      { short_timeout_minutes: '4', long_timeout_minutes: '6' },
      { from: '2024-03-01', to: '2024-03-01' },
    );
    expect(rows[0]).toEqual(
      tot(
        ann,
        '2024-03-01',
        [
          [330, 570],
          [0, 240],
          [0, 0],
          [180, 180],
          [0, 0],
        ],
        10,
      ),
    );
    expect(rows.map((r) => `${r['username'] ?? ''} ${r['date'] ?? ''}`)).toEqual([
      'ann 2024-03-01',
      'bob 2024-03-01',
      'staff_sam 2024-03-01',
      'çid 2024-03-01',
    ]);
  });

  it('time_on_task_totals: the days of time_on_task summed per learner', async () => {
    const total = (
      who: Record<string, string>,
      secs: readonly (readonly [number, number])[],
      events: number,
      days: number,
    ): Record<string, string> => {
      const row = tot(who, '', secs, events);
      return Object.fromEntries([
        ...Object.entries(row).filter(([key]) => key !== 'date'),
        ['n_days', String(days)],
      ]);
    };
    expect(await run('time_on_task_totals')).toEqual([
      // ann: 570 + 3 = 573, 3060 + 303 = 3363; video 240 + 3 = 243 (both); 10 + 4 events
      total(
        ann,
        [
          [573, 3363],
          [243, 243],
          [0, 1740],
          [180, 180],
          [0, 0],
        ],
        14,
        2,
      ),
      total(
        bob,
        [
          [187, 187],
          [184, 184],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        8,
        2,
      ),
      total(staff, [], 1, 1),
      total(cid, [[11, 11]], 5, 2),
    ]);
  });

  it('sessions: 30 minutes of inactivity or a page_close end a session; ≤ 5 s dropped', async () => {
    const s = (
      who: Record<string, string>,
      number: number,
      start: string,
      end: string,
      seconds: number,
      events: number,
    ): Record<string, string> => ({
      ...who,
      session_number: String(number),
      start: `${start}.000Z`,
      end: `${end}.000Z`,
      duration_seconds: String(seconds),
      events: String(events),
    });
    expect(await run('sessions')).toEqual([
      // ann: a0 alone (0 s, dropped); e1–e4 (gaps 4, 6, 29 min): 39 min = 2340 s;
      // e5 after 31 min opens one, e6, then e7 page_close ends it: 3 min 30 = 210 s;
      // e8, e9: 120 s; day 2 e10, e11: 3 s (dropped); e12 after 39 min 57, e13: 300 s.
      s(ann, 1, `${D1}10:00:00`, `${D1}10:39:00`, 2340, 4),
      s(ann, 2, `${D1}11:10:00`, `${D1}11:13:30`, 210, 3),
      s(ann, 3, `${D1}11:20:00`, `${D1}11:22:00`, 120, 2),
      s(ann, 4, `${D2}09:40:00`, `${D2}09:45:00`, 300, 2),
      // bob: b1–b4 (page_close): 182 s; b5, b6: 3 s (dropped); b7, b8 over midnight: 180 s.
      s(bob, 1, `${D1}08:00:00`, `${D1}08:03:02`, 182, 4),
      s(bob, 2, `${D1}23:58:00`, `${D2}00:01:00`, 180, 2),
      // staff_sam: one event (dropped). çid: c1, c2: 10 s; c3 alone; c4, c5: 1 s (dropped).
      s(cid, 1, `${D1}12:00:00`, `${D1}12:00:10`, 10, 2),
    ]);
    // min_seconds 0 keeps ann's 3-second session; gap 28 min cuts e3→e4 (29 min)
    const rows = await run('sessions', { min_seconds: '0', gap_minutes: '28' });
    expect(rows.filter((r) => r['username'] === 'ann')).toEqual([
      s(ann, 1, `${D1}10:00:00`, `${D1}10:10:00`, 600, 3),
      s(ann, 2, `${D1}11:10:00`, `${D1}11:13:30`, 210, 3),
      s(ann, 3, `${D1}11:20:00`, `${D1}11:22:00`, 120, 2),
      s(ann, 4, `${D2}09:00:00`, `${D2}09:00:03`, 3, 2),
      s(ann, 5, `${D2}09:40:00`, `${D2}09:45:00`, 300, 2),
    ]);
  });

  it('enrollment_events: every event, the learner from event.user_id, EAP’s flags', async () => {
    const e = (
      who: Record<string, string>,
      time: string,
      kind: string,
      mode: string,
      duplicate = false,
      orphan = false,
    ): Record<string, string> => ({
      ...who,
      time: `${time}.000Z`,
      event_type: `edx.course.enrollment.${kind}`,
      mode,
      duplicate_activation: String(duplicate),
      deactivation_without_activation: String(orphan),
    });
    expect(await run('enrollment_events')).toEqual([
      e(ann, `${D1}09:00:00`, 'activated', 'honor'),
      // sent by staff_sam: the row is bob's
      e(bob, `${D1}07:00:00`, 'activated', 'audit'),
      e(cid, `${D1}12:00:00`, 'activated', 'audit'),
      // c2: a second activation without a deactivation between
      e(cid, `${D1}12:00:10`, 'activated', 'audit', true),
      e(cid, `${D2}08:00:00`, 'mode_changed', 'verified'),
      e(cid, `${D2}09:00:00`, 'deactivated', 'verified'),
      // c5: a deactivation after a deactivation
      e(cid, `${D2}09:00:01`, 'deactivated', 'verified', false, true),
      // an event with an empty username: dee's
      e(dee, `${D1}06:00:00`, 'activated', 'verified'),
    ]);
  });

  it('enrollday: activations and deactivations per day and mode, cumulative per mode', async () => {
    const d = (
      date: string,
      mode: string,
      reg: number,
      unreg: number,
      cum: number,
    ): Record<string, string> => ({
      date,
      mode,
      registered: String(reg),
      unregistered: String(unreg),
      net: String(reg - unreg),
      cumulative_net: String(cum),
    });
    expect(await run('enrollday')).toEqual([
      // audit: bob (by staff), çid twice; honor: ann; verified: dee (bulk)
      d('2024-03-01', 'audit', 3, 0, 3),
      d('2024-03-01', 'honor', 1, 0, 1),
      d('2024-03-01', 'verified', 1, 0, 1),
      // çid's two deactivations (the mode change is not counted): 1 − 2 = −1
      d('2024-03-02', 'verified', 0, 2, -1),
    ]);
  });

  it('course_report: counts and medians, small cells suppressed', async () => {
    const r = (metric: string, value: string, suppressed = false): Record<string, string> => ({
      metric,
      value,
      suppressed: String(suppressed),
    });
    // enrolled: ann, bob, çid, dee = 4; active: ann, bob, çid (dee has no event of her own,
    // staff_sam is not enrolled) = 3; certified: ann (bob notpassing, 77 not enrolled) = 1.
    // events: ann 10 + 4 = 14, bob 8, çid 5 → median 8; days: 2, 2, 2 → 2;
    // time < 5 min: ann 570 + 3 = 573, bob 187, çid 10 + 1 = 11 → median 187.
    expect(await run('course_report', { min_cell: '0' })).toEqual([
      r('enrolled', '4'),
      r('active', '3'),
      r('certified', '1'),
      r('median_events', '8'),
      r('median_days_active', '2'),
      r('median_time_on_task_seconds', '187'),
    ]);
    expect(await run('course_report', { min_cell: '2' })).toEqual([
      r('enrolled', '4'),
      r('active', '3'),
      r('certified', '', true),
      r('median_events', '8'),
      r('median_days_active', '2'),
      r('median_time_on_task_seconds', '187'),
    ]);
    // the default 5: every count is 1–4 and the medians are over 3 learners
    expect(await run('course_report')).toEqual([
      r('enrolled', '', true),
      r('active', '', true),
      r('certified', '', true),
      r('median_events', '', true),
      r('median_days_active', '', true),
      r('median_time_on_task_seconds', '', true),
    ]);
  });
});
