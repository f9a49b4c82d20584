/**
 * The video and navigation reports (group B) on a generated package loaded through every stage,
 * with every figure computed independently from the package's raw .log.gz lines, and on
 * hand-made courses for the McGill bugs and the edge cases (segments without an end, plays in a
 * row, a pause before any play, missing seek positions, tabs of either course id form, several
 * IPs and countries per learner).
 */
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';
import type { Store } from '@edx-data/store';
import { exportReports } from '../export-reports.js';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { courseEvents, loadCourse, readCsv, readTable } from '../test-support/course-fixture.js';
import type { HandEvent, HandLearner } from '../test-support/video-readers.js';
import {
  cell,
  rawPayload,
  rawTime,
  rawVideoId,
  writeHandCourse,
} from '../test-support/video-readers.js';

let dir: string;
let loaded: LoadedCourse;
let events: Record<string, unknown>[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'video-nav-'));
  loaded = await loadCourse(dir);
  events = await courseEvents(loaded);
}, 180_000);

afterAll(async () => {
  await loaded.store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Export one report of the generated course and read its CSV back. */
async function exportOne(
  report: string,
  params: Record<string, string> = {},
): Promise<Record<string, string>[]> {
  const out = join(dir, `out-${report}-${Object.keys(params).join('-')}`);
  await exportReports(loaded.store, { course: loaded.courseKey, reports: [report], out, params });
  return readCsv(join(out, `${report}.csv`));
}

const pick = (rows: Record<string, string>[], columns: string[]): string[][] =>
  rows.map((r) => columns.map((c) => r[c] ?? '?'));
const iso = (ms: number): string => new Date(ms).toISOString();
const named = (e: Record<string, unknown>): string =>
  typeof e['username'] === 'string' ? e['username'] : '';

/** The raw course events of each learner (non-empty username), in time order. */
function byLearner(): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const e of events) {
    const username = named(e);
    if (username === '') continue;
    const list = out.get(username) ?? [];
    list.push(e);
    out.set(username, list);
  }
  for (const list of out.values()) list.sort((a, b) => rawTime(a) - rawTime(b));
  return out;
}

describe('on a generated course (figures from the raw logs)', () => {
  it('the generated logs exercise every report of the group', () => {
    const types = new Set(events.map((e) => String(e['event_type'])));
    for (const type of ['play_video', 'pause_video', 'seek_video', 'speed_change_video']) {
      expect(types).toContain(type);
    }
    expect(types).toContain('show_transcript');
    expect([...types].some((t) => t.includes('/courseware/'))).toBe(true);
    // no two events of a learner at the same millisecond: the pass order (`_time`, `_id`) is
    // the raw time order, so the expected segments below are unambiguous
    for (const list of byLearner().values()) {
      const times = list.map(rawTime);
      expect(new Set(times).size).toBe(times.length);
    }
  });

  it('seek_video: every seek event, positions as logged', async () => {
    const rows = await exportOne('seek_video');
    const expected = events
      .filter((e) => ['seek_video', 'edx.video.position.changed'].includes(String(e['event_type'])))
      .filter((e) => named(e) !== '')
      .map((e) => {
        const p = rawPayload(e);
        return [
          named(e),
          iso(rawTime(e)),
          String(e['event_type']),
          rawVideoId(e),
          cell(p['old_time']),
          cell(p['new_time']),
          typeof p['type'] === 'string' ? p['type'] : '',
        ].join('|');
      })
      .sort();
    expect(expected.length).toBeGreaterThan(10);
    const got = rows
      .map((r) =>
        [
          r['username'],
          r['time'],
          r['event_type'],
          r['video_id'],
          r['old_time'],
          r['new_time'],
          r['seek_type'],
        ].join('|'),
      )
      .sort();
    expect(got).toEqual(expected);
    // rows in username, then time order
    const order = rows.map((r) => `${r['username'] ?? ''} ${r['time'] ?? ''}`);
    expect(order).toEqual([...order].sort());
    // every row has its learner's user_id and hash_id (from user_id_map)
    const map = await readTable(loaded, 'user_id_map');
    for (const row of rows) {
      const mapped = map.find((m) => m['username'] === row['username']);
      expect(row['user_id']).toBe(mapped?.['user_id'] ?? mapped?.['id']);
      expect(row['hash_id']).toBe(mapped?.['hash_id']);
    }
  });

  it('speed_change_video: every speed change, speeds as numbers', async () => {
    const rows = await exportOne('speed_change_video');
    const expected = events
      .filter((e) => e['event_type'] === 'speed_change_video' && named(e) !== '')
      .map((e) => {
        const p = rawPayload(e);
        return [
          named(e),
          iso(rawTime(e)),
          rawVideoId(e),
          cell(p['old_speed']),
          cell(p['new_speed']),
          cell(p['current_time'] ?? p['currentTime']),
        ].join('|');
      })
      .sort();
    expect(expected.length).toBeGreaterThan(5);
    const got = rows
      .map((r) =>
        [
          r['username'],
          r['time'],
          r['video_id'],
          r['old_speed'],
          r['new_speed'],
          r['current_time'],
        ].join('|'),
      )
      .sort();
    expect(got).toEqual(expected);
    expect(rows.every((r) => r['chapter_id'] !== '' && r['vertical_name'] !== '')).toBe(true);
  });

  it('show_transcript_users: each learner who showed a transcript, with counts and times', async () => {
    const rows = await exportOne('show_transcript_users');
    const certificates = await readTable(loaded, 'certificates_generatedcertificate');
    const map = await readTable(loaded, 'user_id_map');
    const expected = new Map<
      string,
      { n: number; videos: Set<string>; first: number; last: number }
    >();
    for (const e of events) {
      if (e['event_type'] !== 'show_transcript' || named(e) === '') continue;
      const t = rawTime(e);
      const found = expected.get(named(e)) ?? { n: 0, videos: new Set(), first: t, last: t };
      found.n += 1;
      found.videos.add(rawVideoId(e));
      found.first = Math.min(found.first, t);
      found.last = Math.max(found.last, t);
      expected.set(named(e), found);
    }
    expect(expected.size).toBeGreaterThan(2);
    expect(rows.map((r) => r['username'])).toEqual([...expected.keys()].sort());
    const downloadable = new Set(
      certificates.filter((c) => c['status'] === 'downloadable').map((c) => c['user_id']),
    );
    for (const row of rows) {
      const want = expected.get(row['username'] ?? '');
      expect(Number(row['show_transcript_events'])).toBe(want?.n);
      expect(Number(row['videos'])).toBe(want?.videos.size);
      expect(row['first_time']).toBe(iso(want?.first ?? 0));
      expect(row['last_time']).toBe(iso(want?.last ?? 0));
      const id = map.find((m) => m['username'] === row['username'])?.['user_id'];
      expect(row['completer']).toBe(String(downloadable.has(id ?? null)));
    }
    const completers = await exportOne('show_transcript_users', { completers_only: 'true' });
    expect(completers).toEqual(rows.filter((r) => r['completer'] === 'true'));
  });

  it('video_watch_duration: each play to the learner’s next event', async () => {
    const rows = await exportOne('video_watch_duration');
    const expected: string[] = [];
    // the pass's learner order: usernames by code unit (the store's binary order)
    const learners = [...byLearner()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [username, list] of learners) {
      list.forEach((e, i) => {
        if (!['play_video', 'edx.video.played'].includes(String(e['event_type']))) return;
        const next = list[i + 1];
        const start = rawTime(e);
        const end = next === undefined ? null : rawTime(next);
        const seconds = end === null ? null : Math.min((end - start) / 1000, 3600);
        expected.push(
          [
            username,
            rawVideoId(e),
            iso(start),
            end === null ? '' : iso(end),
            cell(seconds),
            cell(rawPayload(e)['currentTime']),
            next === undefined ? '' : String(next['event_type']),
          ].join('|'),
        );
      });
    }
    expect(expected.length).toBeGreaterThan(50);
    const got = rows.map((r) =>
      [
        r['username'],
        r['video_id'],
        r['start_time'],
        r['end_time'],
        r['seconds'],
        r['start_position'],
        r['end_event_type'],
      ].join('|'),
    );
    expect(got).toEqual(expected);
    // a pause of the same video right after the play gives the end position it logged
    for (const row of rows.filter((r) => r['end_event_type'] === 'pause_video')) {
      const pause = events.find(
        (e) => named(e) === row['username'] && iso(rawTime(e)) === row['end_time'],
      );
      const samevideo = pause !== undefined && rawVideoId(pause) === row['video_id'];
      expect(row['end_position']).toBe(samevideo ? cell(rawPayload(pause).currentTime) : '');
    }
  });

  it('navigation_tabs and navigation_tabs_daily: courseware visits of the course', async () => {
    const prefix = `/courses/${loaded.courseKey}/`;
    const visits = events.filter((e) => String(e['event_type']).startsWith(prefix));
    const courseware = visits.filter((e) =>
      String(e['event_type']).startsWith(`${prefix}courseware/`),
    );
    // the generator writes courseware pages and xblock handler calls, no other tab
    expect(courseware.length).toBeGreaterThan(10);
    expect(
      visits
        .filter((e) => !courseware.includes(e))
        .every((e) => String(e['event_type']).includes('/xblock/')),
    ).toBe(true);
    const learners = new Set(courseware.map(named).filter((u) => u !== ''));
    const rows = await exportOne('navigation_tabs');
    expect(rows).toEqual([
      {
        tab: 'courseware',
        tab_name: 'courseware',
        learners: String(learners.size),
        events: String(courseware.filter((e) => named(e) !== '').length),
        anonymous_events: String(courseware.filter((e) => named(e) === '').length),
      },
    ]);
    const daily = await exportOne('navigation_tabs_daily');
    const days = new Map<string, { events: number; learners: Set<string> }>();
    for (const e of courseware) {
      const day = iso(rawTime(e)).slice(0, 10);
      const found = days.get(day) ?? { events: 0, learners: new Set() };
      found.events += 1;
      found.learners.add(named(e));
      days.set(day, found);
    }
    expect(daily).toEqual(
      [...days.keys()].sort().map((day) => ({
        date: day,
        tab: 'courseware',
        tab_name: 'courseware',
        events: String(days.get(day)?.events),
        learners: String(days.get(day)?.learners.size),
        anonymous_events: '0',
      })),
    );
  });

  it('ip_to_country: every (learner, ip) with its events, times and country', async () => {
    const geoip = createRequire(import.meta.url)('geoip-country') as {
      lookup(ip: string): { country: string; name: string } | null;
    };
    const rows = await exportOne('ip_to_country');
    const expected = new Map<string, { n: number; first: number; last: number }>();
    for (const e of events) {
      const ip = typeof e['ip'] === 'string' ? e['ip'].trim() : '';
      if (ip === '') continue;
      const t = rawTime(e);
      const key = `${named(e)}|${ip}`;
      const found = expected.get(key) ?? { n: 0, first: t, last: t };
      found.n += 1;
      found.first = Math.min(found.first, t);
      found.last = Math.max(found.last, t);
      expected.set(key, found);
    }
    expect(expected.size).toBeGreaterThan(10);
    expect(rows.length).toBe(expected.size);
    let known = 0;
    for (const row of rows) {
      const want = expected.get(`${row['username'] ?? ''}|${row['ip'] ?? ''}`);
      expect(want, `${row['username'] ?? ''} ${row['ip'] ?? ''}`).toBeDefined();
      expect(Number(row['events'])).toBe(want?.n);
      expect(row['first_seen']).toBe(iso(want?.first ?? 0));
      expect(row['last_seen']).toBe(iso(want?.last ?? 0));
      const country = geoip.lookup(row['ip'] ?? '');
      expect(row['country_code']).toBe(country?.country ?? '');
      expect(row['country_name']).toBe(country?.name ?? '');
      if (country) known += 1;
    }
    expect(known).toBeGreaterThan(0);
  });
});

describe('on hand-made courses', () => {
  const course = 'course-v1:HandX+V101+2026';
  const ada: HandLearner = { userId: 11, username: 'ada', hashId: 'h-ada' };
  const bo: HandLearner = { userId: 12, username: 'bo', hashId: 'h-bo' };
  // non-ASCII, a comma and quotes in a username
  const zoe: HandLearner = { userId: 13, username: 'zoé, "z"', hashId: 'h-zoe' };
  let runs = 0;

  /** Write a hand-made course into a fresh embedded store, export one report, read it back. */
  async function run(
    report: string,
    events: readonly HandEvent[],
    options: {
      params?: Record<string, string>;
      other?: Record<string, Record<string, unknown>[]>;
      from?: string;
      to?: string;
    } = {},
  ): Promise<Record<string, string>[]> {
    runs += 1;
    const store: Store = await openStore(join(dir, `hand-store-${String(runs)}`));
    try {
      await writeHandCourse(store, course, [ada, bo, zoe], events, options.other ?? {});
      const out = join(dir, `hand-out-${String(runs)}`);
      await exportReports(store, {
        course,
        reports: [report],
        out,
        params: options.params,
        from: options.from,
        to: options.to,
      });
      return await readCsv(join(out, `${report}.csv`));
    } finally {
      await store.close();
    }
  }

  describe('video_watch_duration', () => {
    const place = {
      chapter_id: 'ch1',
      chapter_display_name: 'Semaine 1',
      sequential_id: 'seq1',
      sequential_display_name: 'Leçon, "un"',
      vertical_id: 'v1u',
      vertical_display_name: 'Unité 1',
    };
    const events: HandEvent[] = [
      // a pause before any play: no segment
      {
        username: 'ada',
        time: '2026-03-01T10:00:00Z',
        type: 'pause_video',
        event: { id: 'v1', currentTime: 5 },
      },
      // two plays in a row: the first ends at the second
      {
        username: 'ada',
        time: '2026-03-01T10:00:10Z',
        type: 'play_video',
        event: { id: 'v1', code: 'yt1', currentTime: 5 },
        place,
        block: { display_name: 'Vidéo 1' },
      },
      {
        username: 'ada',
        time: '2026-03-01T10:00:40Z',
        type: 'play_video',
        event: JSON.stringify({ id: 'v1', code: 'yt1', currentTime: 35 }),
      },
      {
        username: 'ada',
        time: '2026-03-01T10:01:00Z',
        type: 'pause_video',
        event: { id: 'v1', currentTime: 55 },
      },
      // a mobile play (usage key) that runs two hours until a navigation: capped
      {
        username: 'ada',
        time: '2026-03-01T10:02:00Z',
        type: 'edx.video.played',
        source: 'mobile',
        event: {
          id: 'block-v1:HandX+V101+2026+type@video+block@v2',
          code: 'mobile',
          currentTime: 0,
        },
      },
      {
        username: 'ada',
        time: '2026-03-01T12:02:00Z',
        type: 'seq_goto',
        event: { old: 1, new: 2 },
      },
      // the learner's last play: no end
      {
        username: 'ada',
        time: '2026-03-01T13:00:00Z',
        type: 'play_video',
        event: { id: 'v1', currentTime: 60 },
      },
      // the next learner: nothing of ada's open play leaks into bo's rows
      {
        username: 'bo',
        time: '2026-03-01T09:00:00Z',
        type: 'play_video',
        event: { id: 'i4x-HandX-V101-video-v3', currentTime: '1.5' },
      },
      {
        username: 'bo',
        time: '2026-03-01T09:00:30Z',
        type: 'seek_video',
        event: { id: 'v3', old_time: 31, new_time: 10, type: 'onSlideSeek' },
      },
      // a play of another video ended by a seek of v3: no end position
      {
        username: 'bo',
        time: '2026-03-01T09:01:00Z',
        type: 'play_video',
        event: { id: 'v4', currentTime: 0 },
      },
      {
        username: 'bo',
        time: '2026-03-01T09:01:05.5Z',
        type: 'seek_video',
        event: { id: 'v3', old_time: 12, new_time: 0 },
      },
      // events without a username are no one's plays
      {
        username: '',
        time: '2026-03-01T08:00:00Z',
        type: 'play_video',
        event: { id: 'v1', currentTime: 0 },
      },
      {
        username: '',
        time: '2026-03-01T08:00:05Z',
        type: 'pause_video',
        event: { id: 'v1', currentTime: 5 },
      },
    ];
    const columns = [
      'user_id',
      'username',
      'hash_id',
      'video_id',
      'start_time',
      'end_time',
      'seconds',
      'capped',
      'start_position',
      'end_position',
      'end_event_type',
    ];

    it('segments: plays in a row, a pause first, no end, capped, per learner', async () => {
      const rows = await run('video_watch_duration', events);
      expect(pick(rows, columns)).toEqual([
        [
          '11',
          'ada',
          'h-ada',
          'v1',
          '2026-03-01T10:00:10.000Z',
          '2026-03-01T10:00:40.000Z',
          '30',
          'false',
          '5',
          '35',
          'play_video',
        ],
        [
          '11',
          'ada',
          'h-ada',
          'v1',
          '2026-03-01T10:00:40.000Z',
          '2026-03-01T10:01:00.000Z',
          '20',
          'false',
          '35',
          '55',
          'pause_video',
        ],
        [
          '11',
          'ada',
          'h-ada',
          'v2',
          '2026-03-01T10:02:00.000Z',
          '2026-03-01T12:02:00.000Z',
          '3600',
          'true',
          '0',
          '',
          'seq_goto',
        ],
        ['11', 'ada', 'h-ada', 'v1', '2026-03-01T13:00:00.000Z', '', '', '', '60', '', ''],
        [
          '12',
          'bo',
          'h-bo',
          'v3',
          '2026-03-01T09:00:00.000Z',
          '2026-03-01T09:00:30.000Z',
          '30',
          'false',
          '1.5',
          '31',
          'seek_video',
        ],
        [
          '12',
          'bo',
          'h-bo',
          'v4',
          '2026-03-01T09:01:00.000Z',
          '2026-03-01T09:01:05.500Z',
          '5.5',
          'false',
          '0',
          '',
          'seek_video',
        ],
      ]);
      expect(
        pick(rows.slice(0, 1), [
          'video_name',
          'video_code',
          'chapter_id',
          'chapter_name',
          'sequential_name',
          'vertical_name',
        ]),
      ).toEqual([['Vidéo 1', 'yt1', 'ch1', 'Semaine 1', 'Leçon, "un"', 'Unité 1']]);
    });

    it('max_segment_seconds sets the cap; the window cuts a segment’s end', async () => {
      const capped = await run('video_watch_duration', events, {
        params: { max_segment_seconds: '600' },
      });
      expect(pick(capped.slice(2, 3), ['seconds', 'capped'])).toEqual([['600', 'true']]);
      // a window of one day before the events: nothing
      const before = await run('video_watch_duration', events, {
        from: '2026-02-28',
        to: '2026-02-28',
      });
      expect(before).toEqual([]);
    });
  });

  it('video_watch_duration: the window’s end leaves a play open (its end is outside)', async () => {
    const late: HandEvent[] = [
      {
        username: 'ada',
        time: '2026-03-01T23:59:50Z',
        type: 'play_video',
        event: { id: 'v1', currentTime: 0 },
      },
      {
        username: 'ada',
        time: '2026-03-02T00:00:10Z',
        type: 'pause_video',
        event: { id: 'v1', currentTime: 20 },
      },
    ];
    const cut = await run('video_watch_duration', late, { to: '2026-03-01' });
    expect(pick(cut, ['start_time', 'end_time', 'seconds'])).toEqual([
      ['2026-03-01T23:59:50.000Z', '', ''],
    ]);
    const whole = await run('video_watch_duration', late, { to: '2026-03-02' });
    expect(pick(whole, ['start_time', 'end_time', 'seconds', 'end_position'])).toEqual([
      ['2026-03-01T23:59:50.000Z', '2026-03-02T00:00:10.000Z', '20', '20'],
    ]);
  });

  it('seek_video: a missing old_time stays empty (the McGill script wrote 0)', async () => {
    const rows = await run('seek_video', [
      {
        username: 'ada',
        time: '2026-03-01T10:00:00Z',
        type: 'seek_video',
        event: { id: 'v1', code: 'html5', new_time: 12.5, type: 'onSlideSeek' },
      },
      {
        username: 'ada',
        time: '2026-03-01T10:00:05Z',
        type: 'seek_video',
        event: JSON.stringify({ id: 'v1', old_time: 0, new_time: 40, type: 'onSkipSeek' }),
      },
      {
        username: 'zoé, "z"',
        time: '2026-03-01T11:00:00Z',
        type: 'edx.video.position.changed',
        source: 'mobile',
        event: {
          id: 'block-v1:HandX+V101+2026+type@video+block@v9',
          old_time: '7.25',
          new_time: '3',
        },
      },
      {
        username: '',
        time: '2026-03-01T11:00:00Z',
        type: 'seek_video',
        event: { id: 'v1', old_time: 1, new_time: 2 },
      },
      {
        username: 'bo',
        time: '2026-03-01T11:00:00Z',
        type: 'pause_video',
        event: { id: 'v1', currentTime: 3 },
      },
    ]);
    expect(
      pick(rows, [
        'user_id',
        'username',
        'hash_id',
        'time',
        'event_type',
        'video_id',
        'video_code',
        'old_time',
        'new_time',
        'seek_type',
      ]),
    ).toEqual([
      [
        '11',
        'ada',
        'h-ada',
        '2026-03-01T10:00:00.000Z',
        'seek_video',
        'v1',
        'html5',
        '',
        '12.5',
        'onSlideSeek',
      ],
      [
        '11',
        'ada',
        'h-ada',
        '2026-03-01T10:00:05.000Z',
        'seek_video',
        'v1',
        '',
        '0',
        '40',
        'onSkipSeek',
      ],
      [
        '13',
        'zoé, "z"',
        'h-zoe',
        '2026-03-01T11:00:00.000Z',
        'edx.video.position.changed',
        'v9',
        '',
        '7.25',
        '3',
        '',
      ],
    ]);
  });

  it('speed_change_video: speeds as numbers, NaN empty', async () => {
    const rows = await run('speed_change_video', [
      {
        username: 'bo',
        time: '2026-03-01T10:00:00Z',
        type: 'speed_change_video',
        event: JSON.stringify({
          id: 'v1',
          current_time: 10.5,
          old_speed: '1.0',
          new_speed: '1.50',
        }),
      },
      {
        username: 'bo',
        time: '2026-03-01T10:05:00Z',
        type: 'speed_change_video',
        event: { id: 'v1', currentTime: 20, old_speed: '1.50', new_speed: 'NaN' },
      },
    ]);
    expect(
      pick(rows, ['username', 'time', 'video_id', 'old_speed', 'new_speed', 'current_time']),
    ).toEqual([
      ['bo', '2026-03-01T10:00:00.000Z', 'v1', '1', '1.5', '10.5'],
      ['bo', '2026-03-01T10:05:00.000Z', 'v1', '1.5', '', '20'],
    ]);
  });

  it('show_transcript_users: counts, both event names, completers from the certificates', async () => {
    const events: HandEvent[] = [
      {
        username: 'ada',
        time: '2026-03-01T10:00:00Z',
        type: 'show_transcript',
        event: { id: 'v1' },
      },
      {
        username: 'ada',
        time: '2026-03-02T10:00:00Z',
        type: 'edx.video.transcript.shown',
        event: { id: 'block-v1:HandX+V101+2026+type@video+block@v2' },
      },
      {
        username: 'ada',
        time: '2026-03-02T11:00:00Z',
        type: 'show_transcript',
        event: { id: 'v1' },
      },
      {
        username: 'ada',
        time: '2026-03-02T12:00:00Z',
        type: 'hide_transcript',
        event: { id: 'v1' },
      },
      {
        username: 'bo',
        time: '2026-03-01T09:00:00Z',
        type: 'show_transcript',
        event: { id: 'v1' },
      },
      {
        username: 'zoé, "z"',
        time: '2026-03-01T09:00:00Z',
        type: 'hide_transcript',
        event: { id: 'v1' },
      },
    ];
    const certificates = [
      { _id: 1, user_id: 11, status: 'downloadable', grade: '0.9' },
      { _id: 2, user_id: 12, status: 'notpassing', grade: '0.2' },
    ];
    const columns = [
      'user_id',
      'username',
      'hash_id',
      'show_transcript_events',
      'videos',
      'first_time',
      'last_time',
      'completer',
    ];
    const adaRow = [
      '11',
      'ada',
      'h-ada',
      '3',
      '2',
      '2026-03-01T10:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
      'true',
    ];
    const all = await run('show_transcript_users', events, { other: { certificates } });
    expect(pick(all, columns)).toEqual([
      adaRow,
      [
        '12',
        'bo',
        'h-bo',
        '1',
        '1',
        '2026-03-01T09:00:00.000Z',
        '2026-03-01T09:00:00.000Z',
        'false',
      ],
    ]);
    const completers = await run('show_transcript_users', events, {
      other: { certificates },
      params: { completers_only: 'true' },
    });
    expect(pick(completers, columns)).toEqual([adaRow]);
    // a course without any certificate row yet: the report runs, no one is a completer
    const none = await run('show_transcript_users', events, {
      params: { completers_only: 'true' },
    });
    expect(none).toEqual([]);
  });

  describe('navigation_tabs, navigation_tabs_daily', () => {
    const base = '/courses/course-v1:HandX+V101+2026';
    const hex = '0123456789abcdef0123456789abcdef';
    const events: HandEvent[] = [
      { username: 'ada', time: '2026-03-01T10:00:00Z', type: `${base}/info` },
      { username: 'ada', time: '2026-03-01T10:01:00Z', type: '/courses/HandX/V101/2026/info' },
      {
        username: 'ada',
        time: '2026-03-01T10:02:00Z',
        type: '/courses/course-v1:HandX%2BV101%2B2026/progress',
      },
      { username: 'ada', time: '2026-03-01T10:03:00Z', type: `${base}/courseware/ch1/seq1/` },
      {
        username: 'ada',
        time: '2026-03-01T10:03:30Z',
        type: `${base}/courseware/ch1/seq1/goto_position`,
      },
      {
        username: 'ada',
        time: '2026-03-01T10:04:00Z',
        type: `${base}/xblock/block-v1:HandX+V101+2026+type@video+block@v1/handler/xmodule_handler/save_user_state`,
      },
      { username: 'ada', time: '2026-03-01T10:05:00Z', type: `${base}/${hex}/` },
      {
        username: 'ada',
        time: '2026-03-01T10:06:00Z',
        type: '/courses/course-v1:OtherX+V101+2026/info',
      },
      { username: 'ada', time: '2026-03-01T10:07:00Z', type: `${base}/faq-tab/` },
      { username: 'ada', time: '2026-03-01T10:08:00Z', type: `${base}/about` },
      { username: 'ada', time: '2026-03-01T10:09:00Z', type: 'page_close' },
      { username: 'bo', time: '2026-03-02T09:00:00Z', type: `${base}/discussion/forum/` },
      { username: 'bo', time: '2026-03-02T09:01:00Z', type: `${base}/info` },
      {
        username: 'bo',
        time: '2026-03-02T23:59:59Z',
        type: `https://courses.example.org${base}/info?x=1`,
      },
      { username: '', time: '2026-03-02T08:00:00Z', type: `${base}/info` },
    ];
    const other = {
      course_structure: [
        {
          _id: 'block-v1:HandX+V101+2026+type@course+block@course',
          category: 'course',
          metadata: {
            tabs: [
              { type: 'courseware' },
              { type: 'static_tab', name: 'FAQ, "questions"', url_slug: 'faq-tab' },
            ],
          },
        },
      ],
    };

    it('navigation_tabs: learners and visits per tab, either course id form, static tabs named', async () => {
      const rows = await run('navigation_tabs', events, { other });
      expect(pick(rows, ['tab', 'tab_name', 'learners', 'events', 'anonymous_events'])).toEqual([
        ['info', 'info', '2', '4', '1'],
        ['courseware', 'courseware', '1', '1', '0'],
        ['progress', 'progress', '1', '1', '0'],
        ['discussion', 'discussion', '1', '1', '0'],
        [`static:${hex}`, `static:${hex}`, '1', '1', '0'],
        ['static:faq-tab', 'FAQ, "questions"', '1', '1', '0'],
      ]);
    });

    it('navigation_tabs_daily: visits per UTC day and tab', async () => {
      const rows = await run('navigation_tabs_daily', events, { other });
      expect(pick(rows, ['date', 'tab', 'events', 'learners', 'anonymous_events'])).toEqual([
        ['2026-03-01', 'info', '2', '1', '0'],
        ['2026-03-01', 'courseware', '1', '1', '0'],
        ['2026-03-01', 'progress', '1', '1', '0'],
        ['2026-03-01', `static:${hex}`, '1', '1', '0'],
        ['2026-03-01', 'static:faq-tab', '1', '1', '0'],
        ['2026-03-02', 'info', '2', '1', '1'],
        ['2026-03-02', 'discussion', '1', '1', '0'],
      ]);
      // without the course metadata a slug that is not 32 hex digits is no tab
      const bare = await run('navigation_tabs', events);
      expect(bare.map((r) => r['tab'])).not.toContain('static:faq-tab');
    });
  });

  it('ip_to_country: several IPs and countries per learner, each row its own learner', async () => {
    const at = (username: string, ip: string, time: string, source?: string): HandEvent => ({
      username,
      ip,
      time,
      type: 'page_close',
      ...(source === undefined ? {} : { source }),
    });
    const rows = await run('ip_to_country', [
      at('ada', '8.8.8.8', '2026-03-01T10:00:00Z'),
      at('ada', '193.0.6.139', '2026-03-01T11:00:00Z'),
      at('ada', '8.8.8.8', '2026-03-02T10:00:00Z'),
      at('ada', '2001:4860:4860::8888', '2026-03-02T12:00:00Z'),
      at('ada', '', '2026-03-02T13:00:00Z', 'mobile'),
      at('bo', '202.12.29.205', '2026-03-01T09:00:00Z'),
      at('bo', '81.2.69.160', '2026-03-01T09:30:00Z'),
      at('bo', '10.0.0.1', '2026-03-01T09:45:00Z'),
      at('bo', '202.12.29.205', '2026-03-03T09:00:00Z'),
      at('zoé, "z"', '41.79.120.29', '2026-03-01T09:00:00Z'),
      at('zoé, "z"', 'not-an-ip', '2026-03-01T09:10:00Z'),
      at('', '8.8.8.8', '2026-03-01T08:00:00Z'),
    ]);
    expect(
      pick(rows, [
        'user_id',
        'username',
        'hash_id',
        'ip',
        'events',
        'first_seen',
        'last_seen',
        'country_code',
        'country_name',
      ]),
    ).toEqual([
      [
        '',
        '',
        '',
        '8.8.8.8',
        '1',
        '2026-03-01T08:00:00.000Z',
        '2026-03-01T08:00:00.000Z',
        'US',
        'United States',
      ],
      [
        '11',
        'ada',
        'h-ada',
        '8.8.8.8',
        '2',
        '2026-03-01T10:00:00.000Z',
        '2026-03-02T10:00:00.000Z',
        'US',
        'United States',
      ],
      [
        '11',
        'ada',
        'h-ada',
        '193.0.6.139',
        '1',
        '2026-03-01T11:00:00.000Z',
        '2026-03-01T11:00:00.000Z',
        'NL',
        'Netherlands',
      ],
      [
        '11',
        'ada',
        'h-ada',
        '2001:4860:4860::8888',
        '1',
        '2026-03-02T12:00:00.000Z',
        '2026-03-02T12:00:00.000Z',
        'US',
        'United States',
      ],
      [
        '12',
        'bo',
        'h-bo',
        '202.12.29.205',
        '2',
        '2026-03-01T09:00:00.000Z',
        '2026-03-03T09:00:00.000Z',
        'AU',
        'Australia',
      ],
      [
        '12',
        'bo',
        'h-bo',
        '81.2.69.160',
        '1',
        '2026-03-01T09:30:00.000Z',
        '2026-03-01T09:30:00.000Z',
        'GB',
        'United Kingdom',
      ],
      [
        '12',
        'bo',
        'h-bo',
        '10.0.0.1',
        '1',
        '2026-03-01T09:45:00.000Z',
        '2026-03-01T09:45:00.000Z',
        '',
        '',
      ],
      // the address the McGill script had to patch by hand (South Sudan, missing from its table)
      [
        '13',
        'zoé, "z"',
        'h-zoe',
        '41.79.120.29',
        '1',
        '2026-03-01T09:00:00.000Z',
        '2026-03-01T09:00:00.000Z',
        'SS',
        'South Sudan',
      ],
      [
        '13',
        'zoé, "z"',
        'h-zoe',
        'not-an-ip',
        '1',
        '2026-03-01T09:10:00.000Z',
        '2026-03-01T09:10:00.000Z',
        '',
        '',
      ],
    ]);
  });
});

const ENGINE_PREFIX = runPrefix('RepB');

describe.each(await testEngines(openStore, ENGINE_PREFIX))(
  'one tracking pass on the $label engine',
  (engine) => {
    let store: Store | undefined;
    afterAll(async () => {
      await engine.cleanup(store);
    });

    it('video_watch_duration, navigation_tabs and ip_to_country together', async () => {
      store = await engine.open();
      const course = `course-v1:${ENGINE_PREFIX}+V1+2026`;
      const learners: HandLearner[] = [
        { userId: 21, username: 'Émile', hashId: 'h-emile' },
        { userId: 22, username: 'al', hashId: 'h-al' },
      ];
      await writeHandCourse(store, course, learners, [
        {
          username: 'al',
          time: '2026-03-01T10:00:10Z',
          type: 'play_video',
          ip: '8.8.8.8',
          event: { id: 'v1', currentTime: 0 },
        },
        {
          username: 'al',
          time: '2026-03-01T10:00:00Z',
          type: `/courses/${course}/courseware/c/s/`,
          ip: '8.8.8.8',
        },
        {
          username: 'al',
          time: '2026-03-01T10:00:25Z',
          type: 'pause_video',
          ip: '193.0.6.139',
          event: { id: 'v1', currentTime: 15 },
        },
        {
          username: 'Émile',
          time: '2026-03-01T09:00:00Z',
          type: `/courses/${course}/info`,
          ip: '202.12.29.205',
        },
        {
          username: 'Émile',
          time: '2026-03-01T09:00:05Z',
          type: 'play_video',
          ip: '202.12.29.205',
          event: { id: 'v2', currentTime: 3 },
        },
      ]);
      const out = join(dir, `engine-${engine.label.replace(/\W+/gu, '-')}`);
      await exportReports(store, {
        course,
        reports: ['video_watch_duration', 'navigation_tabs', 'ip_to_country'],
        out,
      });
      const segments = await readCsv(join(out, 'video_watch_duration.csv'));
      // usernames in code-unit order: `al` before `Émile`
      expect(
        pick(segments, ['username', 'video_id', 'start_time', 'seconds', 'end_position']),
      ).toEqual([
        ['al', 'v1', '2026-03-01T10:00:10.000Z', '15', '15'],
        ['Émile', 'v2', '2026-03-01T09:00:05.000Z', '', ''],
      ]);
      const tabs = await readCsv(join(out, 'navigation_tabs.csv'));
      expect(pick(tabs, ['tab', 'learners', 'events'])).toEqual([
        ['info', '1', '1'],
        ['courseware', '1', '1'],
      ]);
      const ips = await readCsv(join(out, 'ip_to_country.csv'));
      expect(pick(ips, ['user_id', 'ip', 'events', 'country_code'])).toEqual([
        ['22', '8.8.8.8', '2', 'US'],
        ['22', '193.0.6.139', '1', 'NL'],
        ['21', '202.12.29.205', '2', 'AU'],
      ]);
    });
  },
);
