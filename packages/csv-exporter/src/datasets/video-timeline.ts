/** `video_timeline`: per video and 5-second segment, how many learners and viewings covered it. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { eventTime, payloadOf } from '../reports/values.js';
import { videoIdOf } from '../reports/video-shared.js';
import { currentTimeOf, isPlay, stopPosition, videoIndex, videoOrder } from './content-shared.js';

/**
 * Counts of one video, as differences at segment boundaries (`+1` where a covering starts,
 * `−1` after it ends), so that a long viewing costs two map updates, not one per segment.
 */
interface VideoCounts {
  readonly views: Map<number, number>;
  readonly users: Map<number, number>;
  readonly starts: Map<number, number>;
  readonly ends: Map<number, number>;
}

/** One learner's viewings of one video (segment ranges) and the segments counted. */
interface Mine {
  readonly ranges: [number, number][];
  readonly starts: Set<number>;
  readonly ends: Set<number>;
}

interface Open {
  readonly video: string;
  readonly position: number;
  readonly time: number;
}

function add(map: Map<number, number>, key: number, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

export const videoTimeline: TrackingReport = {
  kind: 'tracking',
  name: 'video_timeline',
  question: 'Which parts of each video were watched, by how many learners and viewings?',
  version: '1',
  parameters: [
    {
      name: 'segment_seconds',
      type: 'number',
      description: 'Length of a segment of the video, in seconds',
      default: 5,
    },
    {
      name: 'min_viewing_seconds',
      type: 'number',
      description: 'Viewings shorter than this (in video seconds) are ignored',
      default: 0.25,
    },
    {
      name: 'max_viewing_hours',
      type: 'number',
      description: 'Longest time a viewing without an end position may run, in hours',
      default: 10,
    },
  ],
  reads: [COURSE_COLLECTIONS.tracking, COURSE_COLLECTIONS.course_structure],
  columns: [
    {
      name: 'video_index',
      type: 'integer',
      description:
        '1-based index in course order (`video_axis`); empty for a video not in the structure',
    },
    { name: 'video_id', type: 'string', description: 'The video block’s url_name' },
    {
      name: 'video_name',
      type: 'string',
      description: 'Its display name; empty when not in the structure',
    },
    {
      name: 'segment',
      type: 'integer',
      description:
        'Segment number: positions [segment × segment_seconds, (segment + 1) × segment_seconds)',
    },
    { name: 'start_seconds', type: 'number', description: 'segment × segment_seconds' },
    {
      name: 'num_users',
      type: 'integer',
      description: 'Learners with a viewing that covers the segment',
    },
    { name: 'num_views', type: 'integer', description: 'Viewings that cover the segment' },
    {
      name: 'users_at_start',
      type: 'integer',
      description: 'Learners with a viewing that starts in the segment',
    },
    {
      name: 'users_at_end',
      type: 'integer',
      description: 'Learners with a viewing that ends in the segment',
    },
  ],
  definition: [
    'A **viewing** starts at a `play_video` (or `edx.video.played`) event of a learner with a',
    'position (`event.currentTime`, as logged) and ends at the learner’s next event of any type —',
    'the play segment of `video_watch_duration`. Its end position is the one the ending event',
    'gives for the same video (`old_time` of a seek, `currentTime` of a pause, stop, play or other',
    'video event) when it is at or after the start position; otherwise (another video, a page',
    'visit, a backward value) the start position plus the time until the ending event, at most',
    '`max_viewing_hours` (default 10 h, as edx-analytics-pipeline); never past the video’s',
    '`video_length` when `video_axis` knows it. A play that is the learner’s',
    'last event in the window has no end and is dropped; a viewing shorter than',
    '`min_viewing_seconds` (default 0.25 s) is ignored (edx-analytics-pipeline `video_timeline`,',
    'anchors.md §4a item 5).',
    '',
    'A viewing from position a to b covers segments ⌊a / s⌋ … max(⌊a / s⌋, ⌈b / s⌉ − 1), s =',
    '`segment_seconds` (default 5): it starts in the first and ends in the last. Per (video,',
    'segment): `num_views` = viewings covering it, `num_users` = distinct learners with one,',
    '`users_at_start` / `users_at_end` = distinct learners with a viewing starting / ending in it.',
    'Rows only for segments with a viewing, videos in `video_axis` order then other ids by id,',
    'segments in order.',
  ].join('\n'),
  changes: [
    'Follows edx-analytics-pipeline’s `video_timeline` (5-second segments, `num_users`,',
    '`num_views`, `users_at_start`, `users_at_end`, viewings under 0.25 s ignored, 10 h cap).',
    'edx-analytics-pipeline ended a viewing only at a pause, stop, seek or play of the same',
    'video and took the video length from the events; here any next event of the learner ends',
    'it (as in `video_watch_duration`), and a viewing ended by something else than the video',
    'runs for the elapsed time. edx2bigquery and simeon have no timeline.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const size = Number(context.params['segment_seconds'] ?? 5);
    const minLength = Number(context.params['min_viewing_seconds'] ?? 0.25);
    const cap = Number(context.params['max_viewing_hours'] ?? 10) * 3600;
    const videos = await videoIndex(context.db);
    const byVideo = new Map<string, VideoCounts>();
    let mine = new Map<string, Mine>();
    let open: Open | null = null;

    const countsOf = (video: string): VideoCounts => {
      let c = byVideo.get(video);
      if (c === undefined) {
        c = { views: new Map(), users: new Map(), starts: new Map(), ends: new Map() };
        byVideo.set(video, c);
      }
      return c;
    };
    const count = (view: Open, stop: number): void => {
      const length = videos.get(view.video)?.length ?? null;
      const end = length === null ? stop : Math.min(stop, length);
      if (end - view.position < minLength) return;
      const first = Math.floor(view.position / size);
      const last = Math.max(first, Math.ceil(end / size) - 1);
      const c = countsOf(view.video);
      add(c.views, first, 1);
      add(c.views, last + 1, -1);
      let m = mine.get(view.video);
      if (m === undefined) {
        m = { ranges: [], starts: new Set(), ends: new Set() };
        mine.set(view.video, m);
      }
      m.ranges.push([first, last]);
      if (!m.starts.has(first)) {
        m.starts.add(first);
        add(c.starts, first, 1);
      }
      if (!m.ends.has(last)) {
        m.ends.add(last);
        add(c.ends, last, 1);
      }
    };

    return {
      event(event: Document): void {
        const username = event['username'];
        const time = eventTime(event);
        if (typeof username !== 'string' || username === '' || time === null) return;
        if (open !== null) {
          const stop = stopPosition(event, open.video);
          const elapsed = Math.min((time.getTime() - open.time) / 1000, cap);
          count(open, stop !== null && stop >= open.position ? stop : open.position + elapsed);
          open = null;
        }
        if (!isPlay(event)) return;
        const payload = payloadOf(event);
        const video = videoIdOf(payload);
        const position = currentTimeOf(payload);
        if (video !== null && position !== null && position >= 0) {
          open = { video, position, time: time.getTime() };
        }
      },
      endLearner(): void {
        // the learner's segments of each video: the union of their viewings' ranges
        for (const [video, m] of mine) {
          const c = countsOf(video);
          m.ranges.sort((x, y) => x[0] - y[0]);
          let [from, to] = m.ranges[0] ?? [0, -1];
          for (const [f, l] of m.ranges.slice(1)) {
            if (f <= to + 1) to = Math.max(to, l);
            else {
              add(c.users, from, 1);
              add(c.users, to + 1, -1);
              [from, to] = [f, l];
            }
          }
          if (to >= from) {
            add(c.users, from, 1);
            add(c.users, to + 1, -1);
          }
        }
        open = null;
        mine = new Map();
      },
      end(emit: Emit): void {
        for (const video of videoOrder(videos, byVideo.keys())) {
          const c = byVideo.get(video);
          if (c === undefined) continue;
          const info = videos.get(video);
          const keys = [...new Set([...c.views.keys(), ...c.users.keys()])].sort((a, b) => a - b);
          let views = 0;
          let users = 0;
          for (const [i, key] of keys.entries()) {
            views += c.views.get(key) ?? 0;
            users += c.users.get(key) ?? 0;
            const next = keys[i + 1] ?? key;
            if (views <= 0) continue;
            for (let n = key; n < next; n++) {
              emit({
                video_index: info?.index ?? null,
                video_id: video,
                video_name: info?.name ?? null,
                segment: n,
                start_seconds: n * size,
                num_users: users,
                num_views: views,
                users_at_start: c.starts.get(n) ?? 0,
                users_at_end: c.ends.get(n) ?? 0,
              });
            }
          }
        }
      },
    };
  },
};
