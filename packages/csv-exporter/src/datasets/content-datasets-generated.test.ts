/**
 * The content datasets on a generated package loaded through every stage: their totals
 * against the generator's ground truth, and their figures recomputed from the package's raw
 * files (the .log.gz events, the forum .mongo file, the course structure JSON) with a few
 * lines each, never with the code under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoTestUri } from '@edx-data/test-support';
import { exportReports } from '../export-reports.js';
import { courseEvents, dropCourse, loadCourse, readCsv } from '../test-support/course-fixture.js';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { rawChecks, rawForum, rawStructure } from '../test-support/problem-readers.js';
import { rawPayload, rawTime, rawVideoId } from '../test-support/video-readers.js';

const POSITION_TYPES = new Set([
  'play_video',
  'pause_video',
  'stop_video',
  'edx.video.played',
  'edx.video.paused',
  'edx.video.stopped',
]);

/** `HH:MM:SS` → seconds. */
function hms(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d+):(\d+):(\d+)$/u.exec(text);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

const sum = (rows: Record<string, string>[], column: string): number =>
  rows.reduce((s, r) => s + Number(r[column] ?? 0), 0);

const URI = mongoTestUri();
const ENGINES: { label: string; uri: string | undefined }[] = [
  { label: 'embedded', uri: undefined },
  ...(URI === undefined ? [] : [{ label: 'MongoDB', uri: URI }]),
];

describe.each(ENGINES)('content datasets on a generated package ($label)', ({ uri }) => {
  let dir: string;
  let loaded: LoadedCourse;
  let events: Record<string, unknown>[];
  const csv = new Map<string, Record<string, string>[]>();
  const NAMES = [
    'video_axis',
    'video_stats_day',
    'video_stats',
    'video_timeline',
    'problem_check',
    'person_problem',
    'course_problem',
    'forum_person',
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'content-gen-'));
    loaded = await loadCourse(dir, {}, uri);
    events = (await courseEvents(loaded)).filter(
      (e) => typeof e['username'] === 'string' && e['username'] !== '',
    );
    const out = join(dir, 'out');
    await exportReports(loaded.store, { course: loaded.courseKey, reports: NAMES, out });
    for (const name of NAMES) csv.set(name, await readCsv(join(out, `${name}.csv`)));
  }, 300_000);
  afterAll(async () => {
    if (uri !== undefined) await dropCourse(loaded);
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = (name: string): Record<string, string>[] => csv.get(name) ?? [];

  /** The videos of the raw structure: url_name → length from end_time − start_time. */
  async function rawVideos(): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const [key, block] of Object.entries(await rawStructure(loaded))) {
      if (block.category !== 'video') continue;
      const end = hms(block.metadata?.['end_time']);
      const start = hms(block.metadata?.['start_time']) ?? 0;
      out.set(key.slice(key.lastIndexOf('@') + 1), end === null ? null : end - start);
    }
    return out;
  }

  it('video_axis: one row per video of the structure, with its clip length', async () => {
    const axis = rows('video_axis');
    const truth = loaded.truth.courses[loaded.courseKey]?.blocks.after['video'];
    expect(axis.length).toBe(truth);
    expect(axis.length).toBeGreaterThan(0);
    const videos = await rawVideos();
    expect(new Map(axis.map((r) => [r['video_id'], r['video_length']]))).toEqual(
      new Map([...videos].map(([id, length]) => [id, length === null ? '' : String(length)])),
    );
    expect(axis.map((r) => r['video_index'])).toEqual(axis.map((_r, i) => String(i + 1)));
  });

  /** (day, username, video) → [events, max position] from the raw events. */
  function rawDays(): Map<string, [number, number | null]> {
    const out = new Map<string, [number, number | null]>();
    for (const e of events) {
      if (!POSITION_TYPES.has(String(e['event_type']))) continue;
      const video = rawVideoId(e);
      if (video === '') continue;
      const payload = rawPayload(e);
      const current = payload['currentTime'] ?? payload['current_time'];
      const speed = payload['speed'];
      const position =
        current === undefined || current === null
          ? null
          : Number(current) * (speed === undefined || speed === null ? 1 : Number(speed));
      const key = `${new Date(rawTime(e)).toISOString().slice(0, 10)}|${String(e['username'])}|${video}`;
      const entry = out.get(key) ?? [0, null];
      entry[0]++;
      if (position !== null && (entry[1] === null || position > entry[1])) entry[1] = position;
      out.set(key, entry);
    }
    return out;
  }

  it('video_stats_day: every (day, learner, video) recomputed from the raw events', () => {
    const expected = rawDays();
    expect(expected.size).toBeGreaterThan(0);
    const got = new Map(
      rows('video_stats_day').map((r) => [
        `${r['date'] ?? ''}|${r['username'] ?? ''}|${r['video_id'] ?? ''}`,
        [Number(r['n_events']), r['max_position'] === '' ? null : Number(r['max_position'])],
      ]),
    );
    expect(got).toEqual(expected);
  });

  it('video_stats: learners, viewed and watched per video from the raw events', async () => {
    const videos = await rawVideos();
    const furthest = new Map<string, Map<string, number | null>>();
    for (const [key, [, max]] of rawDays()) {
      const [, username = '', video = ''] = key.split('|');
      const per = furthest.get(video) ?? new Map<string, number | null>();
      const before = per.get(username);
      per.set(
        username,
        before === undefined || (max !== null && (before === null || max > before)) ? max : before,
      );
      furthest.set(video, per);
    }
    const stats = rows('video_stats');
    expect(stats.length).toBe(new Set([...videos.keys(), ...furthest.keys()]).size);
    let watchedSomewhere = 0;
    for (const r of stats) {
      const video = r['video_id'] ?? '';
      const per = [...(furthest.get(video)?.values() ?? [])];
      const length = videos.get(video) ?? null;
      const watched = per.filter((m) => m !== null && length !== null && m > 0.95 * length).length;
      watchedSomewhere += watched;
      expect([r['n_learners'], r['videos_viewed'], r['videos_watched']]).toEqual([
        String(per.length),
        String(per.filter((m) => m !== null && m > 0).length),
        length === null ? '' : String(watched),
      ]);
    }
    expect(sum(stats, 'n_learners')).toBeGreaterThan(0);
    expect(watchedSomewhere).toBeGreaterThanOrEqual(0);
  });

  it('video_timeline: consistent counts, only videos that were played, by their players', () => {
    const timeline = rows('video_timeline');
    expect(timeline.length).toBeGreaterThan(0);
    const players = new Map<string, Set<string>>();
    for (const e of events) {
      if (e['event_type'] !== 'play_video' && e['event_type'] !== 'edx.video.played') continue;
      const set = players.get(rawVideoId(e)) ?? new Set<string>();
      set.add(String(e['username']));
      players.set(rawVideoId(e), set);
    }
    const byVideo = new Map<string, Record<string, string>[]>();
    for (const r of timeline) {
      const video = r['video_id'] ?? '';
      byVideo.set(video, [...(byVideo.get(video) ?? []), r]);
      const users = Number(r['num_users']);
      expect(users).toBeGreaterThanOrEqual(1);
      expect(users).toBeLessThanOrEqual(players.get(video)?.size ?? 0);
      expect(Number(r['num_views'])).toBeGreaterThanOrEqual(users);
      expect(Number(r['start_seconds'])).toBe(Number(r['segment']) * 5);
    }
    for (const [, list] of byVideo) {
      const segment0 = list.find((r) => r['segment'] === '0');
      // users_at_start is segment 0's num_users, the same on every row of the video
      expect(new Set(list.map((r) => r['users_at_start']))).toEqual(
        new Set([segment0?.['num_users'] ?? '0']),
      );
      expect(new Set(list.map((r) => r['users_at_end'])).size).toBe(1);
      const segments = list.map((r) => Number(r['segment']));
      expect(segments).toEqual([...segments].sort((x, y) => x - y));
    }
  });

  it('problem_check: one row per server problem_check of the logs', async () => {
    const raw = await rawChecks(loaded);
    expect(raw.length).toBeGreaterThan(0);
    const key = (t: string, u: string, p: string, a: string, g: string): string =>
      [t, u, p, a, g].join('|');
    expect(
      rows('problem_check')
        .map((r) =>
          key(
            r['time'] ?? '',
            r['username'] ?? '',
            r['module_id'] ?? '',
            r['attempts'] ?? '',
            r['grade'] ?? '',
          ),
        )
        .sort(),
    ).toEqual(
      raw
        .map((c) => key(c.time, c.username, c.problemId, String(c.attempts), String(c.grade)))
        .sort(),
    );
    // the browser problem_check events are left out: the truth counts both sources
    const byType = loaded.truth.courses[loaded.courseKey]?.eventsByType['problem_check'] ?? 0;
    expect(rows('problem_check').length).toBeLessThan(byType);
  });

  it('person_problem and course_problem: checks and learners per problem from the raw checks', async () => {
    const raw = await rawChecks(loaded);
    const byPair = new Map<string, { checks: number; attempts: number }>();
    for (const c of raw) {
      const k = `${c.problemId}|${c.userId}`;
      const e = byPair.get(k) ?? { checks: 0, attempts: 0 };
      e.checks++;
      e.attempts = Math.max(e.attempts, c.attempts);
      byPair.set(k, e);
    }
    const person = rows('person_problem');
    expect(
      new Map(
        person.map((r) => [
          `${r['problem_id'] ?? ''}|${r['user_id'] ?? ''}`,
          { checks: Number(r['n_checks']), attempts: Number(r['attempts']) },
        ]),
      ),
    ).toEqual(byPair);
    const course = rows('course_problem');
    const problems = loaded.truth.courses[loaded.courseKey]?.blocks.after['problem'] ?? 0;
    expect(course.filter((r) => r['problem_index'] !== '').length).toBe(problems);
    expect(sum(course, 'n_checks')).toBe(raw.length);
    expect(sum(course, 'n_learners')).toBe(byPair.size);
    for (const r of course) {
      const learners = new Set(
        raw.filter((c) => c.problemId === r['problem_id']).map((c) => c.userId),
      );
      expect(r['n_learners']).toBe(String(learners.size));
    }
  });

  it('forum_person: posts by type = the truth, votes and reads from the raw files', async () => {
    const forum = rows('forum_person');
    const truth = loaded.truth.courses[loaded.courseKey]?.forum;
    expect(sum(forum, 'nforum_threads')).toBe(truth?.thread);
    expect(sum(forum, 'nforum_responses')).toBe(truth?.response);
    expect(sum(forum, 'nforum_comments')).toBe(truth?.comment);
    expect(sum(forum, 'nforum_posts')).toBe(
      (truth?.thread ?? 0) + (truth?.response ?? 0) + (truth?.comment ?? 0),
    );
    const docs = await rawForum(loaded);
    const votes = docs.reduce(
      (s, d) => s + Number((d['votes'] as Record<string, unknown> | undefined)?.['count'] ?? 0),
      0,
    );
    expect(sum(forum, 'nforum_votes')).toBe(votes);
    const reads = events.filter((e) => e['event_type'] === 'edx.forum.thread.viewed').length;
    expect(reads).toBeGreaterThan(0);
    expect(sum(forum, 'nforum_reads')).toBe(reads);
    expect(sum(forum, 'nforum_events')).toBe(
      events.filter((e) => String(e['event_type']).startsWith('edx.forum.')).length,
    );
  });
});
