/** `video_stats_day`: per day, learner and video, the furthest position reached and the events. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { eventTime, eventUserId, numberOf, payloadOf, utcDay } from '../reports/values.js';
import { eventTypeOf, videoIdOf } from '../reports/video-shared.js';
import { POSITION_EVENTS, currentTimeOf } from './content-shared.js';

/** The speed-scaling parameter, shared with `video_stats`. */
export const SCALE_PARAMETER = {
  name: 'position',
  type: 'string',
  description:
    'e2b: position = currentTime × speed when the event has a `speed` (edx2bigquery); current_time: currentTime as logged',
  default: 'e2b',
  choices: ['e2b', 'current_time'],
} as const;

/** The position an event gives, as {@link SCALE_PARAMETER} says; null when none. */
export function positionOf(payload: Record<string, unknown>, scale: boolean): number | null {
  const current = currentTimeOf(payload);
  if (current === null) return null;
  const speed = scale ? numberOf(payload['speed']) : null;
  return speed === null ? current : current * speed;
}

/** The video and position of a position event (play / pause / stop), or null. */
export function videoPosition(
  event: Document,
  scale: boolean,
): { readonly video: string; readonly position: number | null } | null {
  if (!POSITION_EVENTS.has(eventTypeOf(event))) return null;
  const payload = payloadOf(event);
  const video = videoIdOf(payload);
  return video === null ? null : { video, position: positionOf(payload, scale) };
}

export const POSITION_DEFINITION = [
  'The **position events** are `play_video`, `pause_video`, `stop_video` and their newer /',
  'mobile aliases `edx.video.played`, `edx.video.paused`, `edx.video.stopped`, of a learner',
  '(non-empty username) in the export window; the video is `event.id` reduced to the block’s',
  'url_name (bare id, usage key or `i4x-` id). Their **position** is `event.currentTime` (or',
  '`current_time`), multiplied by `event.speed` when the event has one (`position=e2b`, the',
  'default: edx2bigquery’s rule, anchors.md §4a item 5), or as logged (`position=current_time`).',
].join('\n');

interface DayVideo {
  max: number | null;
  events: number;
}

export const videoStatsDay: TrackingReport = {
  kind: 'tracking',
  name: 'video_stats_day',
  question: 'How far into each video did each learner get, day by day, and how many video events?',
  version: '1',
  parameters: [SCALE_PARAMETER],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    { name: 'date', type: 'date', description: 'UTC day of the events' },
    ...LEARNER_COLUMNS,
    { name: 'video_id', type: 'string', description: 'The video block’s url_name' },
    {
      name: 'max_position',
      type: 'number',
      description:
        'Greatest position (seconds) of the learner’s position events of the video that day; empty when none had one',
    },
    { name: 'n_events', type: 'integer', description: 'Number of those position events' },
  ],
  definition: [
    POSITION_DEFINITION,
    '',
    'One row per (UTC day of `_time`, learner, video) with at least one position event:',
    '`max_position` = the greatest position among them, `n_events` = their number. Rows in',
    '`username`, `date`, `video_id` order.',
  ].join('\n'),
  changes: [
    'Follows edx2bigquery’s `video_stats_day` (max position per day, learner and video over',
    'play, pause and stop, scaled by the speed). Differences: the newer `edx.video.*` names are',
    'counted as their legacy names; days are UTC days of the event time (edx2bigquery used the',
    'log file’s date unless `--dynamic-dates`); the number of events is given; `position` lets',
    'the unscaled `currentTime` be used instead.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    const scale = context.params['position'] !== 'current_time';
    let days = new Map<string, DayVideo>();
    let userId: number | null = null;
    return {
      event(event: Document): void {
        const vp = videoPosition(event, scale);
        const time = eventTime(event);
        if (vp === null || time === null) return;
        const username = event['username'];
        if (typeof username !== 'string' || username === '') return;
        userId ??= eventUserId(event);
        const key = `${utcDay(time)}\u0000${vp.video}`;
        let entry = days.get(key);
        if (entry === undefined) {
          entry = { max: null, events: 0 };
          days.set(key, entry);
        }
        entry.events++;
        if (vp.position !== null && (entry.max === null || vp.position > entry.max)) {
          entry.max = vp.position;
        }
      },
      endLearner(username: string, emit: Emit): void {
        if (days.size > 0) {
          const learner = context.learners.columns(userId, username);
          for (const key of [...days.keys()].sort()) {
            const [date = '', video = ''] = key.split('\u0000');
            const entry = days.get(key);
            emit({
              date,
              ...learner,
              video_id: video,
              max_position: entry?.max ?? null,
              n_events: entry?.events ?? 0,
            });
          }
        }
        days = new Map();
        userId = null;
      },
    };
  },
};
