/** `video_timeline`: per video and 5-second segment, how many learners and viewings covered it. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, Row, TrackingReducer, TrackingReport } from '../report.js';
import { eventTime, numberOf, payloadOf } from '../reports/values.js';
import { SEEK_EVENTS, eventTypeOf, stopPosition, videoIdOf } from '../reports/video-shared.js';
import {
  POSITION_EVENTS,
  currentTimeOf,
  isPlay,
  videoIndex,
  videoOrder,
} from './content-shared.js';

/**
 * Counts of one video, as differences at segment boundaries (`+1` where a covering starts,
 * `−1` after it ends), so that a long viewing costs two map updates, not one per segment.
 */
interface VideoCounts {
  readonly views: Map<number, number>;
  readonly users: Map<number, number>;
}

interface Open {
  readonly video: string;
  readonly position: number;
  readonly time: number;
}

function add(map: Map<number, number>, key: number, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/** The `n`-th segment's number of users, from a sweep's rows (0 when not there). */
function usersAt(rows: readonly { segment: number; users: number }[], n: number): number {
  return rows.find((r) => r.segment === n)?.users ?? 0;
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
      name: 'viewing_end',
      type: 'string',
      description:
        'eap: a viewing ends at the next pause, stop or seek of the same video (edx-analytics-pipeline); next_event: at the learner’s next event of any kind (video_watch_duration)',
      default: 'eap',
      choices: ['eap', 'next_event'],
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
      description:
        'next_event only: the longest a viewing ended by a non-video event may run, in hours',
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
      name: 'video_length',
      type: 'number',
      description: 'Its length in seconds as `video_axis` gives it; empty when unknown',
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
      description: 'Per video (the same on each of its rows): num_users of segment 0',
    },
    {
      name: 'users_at_end',
      type: 'integer',
      description:
        'Per video: num_users of the segment at max(video_length − 30, 0.95 × video_length), the “watched to the end” mark; empty when the length is unknown',
    },
  ],
  definition: [
    'Viewings come from each learner’s video events in the window (non-empty username; the video',
    'is `event.id` reduced to the url_name; legacy names and their `edx.video.*` aliases):',
    '',
    '- `viewing_end=eap` (default; edx-analytics-pipeline `UserVideoViewingTask`, anchors.md §4a',
    '  item 5), per learner and video: a `play_video` with a `currentTime` starts a viewing at',
    '  that position — or at the `new_time` of the seek that ended the previous viewing of the',
    '  video; a later play replaces an open viewing. The next `pause_video` / `stop_video` of the',
    '  same video ends it at its `currentTime` (0 when a pause has none), a `seek_video` at its',
    '  `old_time`. Events of other videos and other events do not end it; a viewing still open at',
    '  the learner’s last event is dropped. A viewing ending before its start, or more than 1 s',
    '  after the end of a video of known length, is dropped.',
    '- `viewing_end=next_event`: the play segments of `video_watch_duration` — a play ends at the',
    '  learner’s next event of any kind (except `/xblock/` handler calls, which are not events:',
    '  the player saving its position), at the position that event gives for the same video',
    '  (`old_time` of a seek, `currentTime` otherwise) when it is at or after the start, else at',
    '  the start plus the time until that event, at most `max_viewing_hours` (default 10) and',
    '  never past the video’s length when known.',
    '',
    'A viewing shorter than `min_viewing_seconds` (default 0.25 s) is ignored. A viewing from',
    'position a to b covers segments ⌊a / s⌋ … ⌊b / s⌋ (s = `segment_seconds`, default 5).',
    'Per (video, segment): `num_views` = viewings covering it, `num_users` = distinct learners',
    'with one. Per video: `users_at_start` = `num_users` of segment 0, `users_at_end` =',
    '`num_users` of segment ⌊max(L − 30, 0.95 × L) / s⌋, L = `video_length` (the end, credits',
    'cut off). Rows only for segments with a viewing, videos in `video_axis` order then other ids',
    'by id, segments in order.',
  ].join('\n'),
  changes: [
    'Follows edx-analytics-pipeline’s `video_usage` / `video_timeline` (segments, `num_users`,',
    '`num_views`, `users_at_start`, `users_at_end`, viewings under 0.25 s dropped). Differences:',
    'the video length comes from the course structure (edx-analytics-pipeline read an event',
    '`duration` or asked the YouTube API); when it is unknown `users_at_end` is empty, where',
    'edx-analytics-pipeline guessed the last segment from a drop in viewers. The newer',
    '`edx.video.*` names count as their legacy names. `viewing_end=next_event` gives the',
    '`video_watch_duration` rule instead. edx2bigquery and simeon have no timeline.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const size = Number(context.params['segment_seconds'] ?? 5);
    const eap = context.params['viewing_end'] !== 'next_event';
    const minLength = Number(context.params['min_viewing_seconds'] ?? 0.25);
    const cap = Number(context.params['max_viewing_hours'] ?? 10) * 3600;
    const videos = await videoIndex(context.db);
    const byVideo = new Map<string, VideoCounts>();
    /** This learner's covered segment ranges, per video (merged at the learner's end). */
    let mine = new Map<string, [number, number][]>();
    /** next_event: the open play. eap: the open viewing of each video, the seek ends. */
    let open: Open | null = null;
    let opens = new Map<string, number>();
    let seeks = new Map<string, number>();

    const count = (video: string, start: number, end: number): void => {
      if (end - start < minLength) return;
      const first = Math.floor(start / size);
      const last = Math.floor(end / size);
      let c = byVideo.get(video);
      if (c === undefined) {
        c = { views: new Map(), users: new Map() };
        byVideo.set(video, c);
      }
      add(c.views, first, 1);
      add(c.views, last + 1, -1);
      let ranges = mine.get(video);
      if (ranges === undefined) {
        ranges = [];
        mine.set(video, ranges);
      }
      ranges.push([first, last]);
    };

    /** edx-analytics-pipeline's pairing, one learner's video events at a time. */
    const eapEvent = (event: Document): void => {
      const type = eventTypeOf(event);
      const seek = SEEK_EVENTS.has(type);
      if (!seek && !POSITION_EVENTS.has(type)) return;
      const payload = payloadOf(event);
      const video = videoIdOf(payload);
      if (video === null) return;
      if (isPlay(event)) {
        const current = currentTimeOf(payload);
        if (current === null) return;
        opens.set(video, seeks.get(video) ?? current);
        seeks.delete(video);
        return;
      }
      const start = opens.get(video);
      if (start === undefined) return;
      const end = seek
        ? numberOf(payload['old_time'])
        : (currentTimeOf(payload) ?? (type.includes('pause') ? 0 : null));
      if (end === null) return;
      const length = videos.get(video)?.length ?? null;
      if (end >= start && (length === null || end <= length + 1)) count(video, start, end);
      opens.delete(video);
      const newTime = seek ? numberOf(payload['new_time']) : null;
      if (newTime === null) seeks.delete(video);
      else seeks.set(video, newTime);
    };

    /** The `video_watch_duration` pairing: a play ends at the learner's next event. */
    const nextEvent = (event: Document, time: Date): void => {
      // xblock handler calls repeat other events (the player saving its state): not events
      if (eventTypeOf(event).includes('/xblock/')) return;
      if (open !== null) {
        const stop = stopPosition(event, open.video);
        const elapsed = Math.min((time.getTime() - open.time) / 1000, cap);
        const length = videos.get(open.video)?.length ?? null;
        const end = stop !== null && stop >= open.position ? stop : open.position + elapsed;
        count(open.video, open.position, length === null ? end : Math.min(end, length));
        open = null;
      }
      if (!isPlay(event)) return;
      const payload = payloadOf(event);
      const video = videoIdOf(payload);
      const position = currentTimeOf(payload);
      if (video !== null && position !== null && position >= 0) {
        open = { video, position, time: time.getTime() };
      }
    };

    return {
      event(event: Document): void {
        const username = event['username'];
        const time = eventTime(event);
        if (typeof username !== 'string' || username === '' || time === null) return;
        if (eap) eapEvent(event);
        else nextEvent(event, time);
      },
      endLearner(): void {
        // the learner's segments of each video: the union of their viewings' ranges
        for (const [video, ranges] of mine) {
          const users = byVideo.get(video)?.users;
          if (users === undefined) continue;
          ranges.sort((x, y) => x[0] - y[0]);
          let [from, to] = ranges[0] ?? [0, -1];
          for (const [f, l] of ranges.slice(1)) {
            if (f <= to + 1) to = Math.max(to, l);
            else {
              add(users, from, 1);
              add(users, to + 1, -1);
              [from, to] = [f, l];
            }
          }
          if (to >= from) {
            add(users, from, 1);
            add(users, to + 1, -1);
          }
        }
        open = null;
        opens = new Map();
        seeks = new Map();
        mine = new Map();
      },
      end(emit: Emit): void {
        for (const video of videoOrder(videos, byVideo.keys())) {
          const c = byVideo.get(video);
          if (c === undefined) continue;
          const info = videos.get(video);
          const length = info?.length ?? null;
          const keys = [...new Set([...c.views.keys(), ...c.users.keys()])].sort((a, b) => a - b);
          const segments: { segment: number; users: number; views: number }[] = [];
          let views = 0;
          let users = 0;
          for (const [i, key] of keys.entries()) {
            views += c.views.get(key) ?? 0;
            users += c.users.get(key) ?? 0;
            const next = keys[i + 1] ?? key;
            if (views <= 0) continue;
            for (let n = key; n < next; n++) segments.push({ segment: n, users, views });
          }
          const atStart = usersAt(segments, 0);
          const atEnd =
            length === null
              ? null
              : usersAt(segments, Math.floor(Math.max(length - 30, 0.95 * length) / size));
          for (const s of segments) {
            const row: Row = {
              video_index: info?.index ?? null,
              video_id: video,
              video_name: info?.name ?? null,
              video_length: length,
              segment: s.segment,
              start_seconds: s.segment * size,
              num_users: s.users,
              num_views: s.views,
              users_at_start: atStart,
              users_at_end: atEnd,
            };
            emit(row);
          }
        }
      },
    };
  },
};
