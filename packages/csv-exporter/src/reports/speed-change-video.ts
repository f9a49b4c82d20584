/** `speed_change_video`: every change of playback speed of every learner. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS, PLACE_COLUMNS } from './columns.js';
import { eventTime, eventUserId, numberOf, payloadOf, placeOf } from './values.js';
import { SPEED_EVENTS, VIDEO_COLUMNS, eventTypeOf, videoOf } from './video-shared.js';

export const speedChangeVideo: TrackingReport = {
  kind: 'tracking',
  name: 'speed_change_video',
  question: 'Which learners changed the playback speed of which video, from what to what?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'time', type: 'datetime', description: 'Time of the event (UTC)' },
    ...VIDEO_COLUMNS,
    ...PLACE_COLUMNS,
    {
      name: 'old_speed',
      type: 'number',
      description:
        'Speed before (`event.old_speed`, `"1.0"` → 1); empty when absent or not a number',
    },
    {
      name: 'new_speed',
      type: 'number',
      description: 'Speed after (`event.new_speed`); empty when absent or not a number (NaN)',
    },
    {
      name: 'current_time',
      type: 'number',
      description:
        'Position in the video at the change (`event.current_time`, or `currentTime`), seconds',
    },
  ],
  definition: [
    'One row per `speed_change_video` event of the course events of the window that has a',
    'username. edX writes the speeds as strings (`"1.50"`): they are read as numbers, and a',
    'value that is not a finite number (edX sometimes writes `NaN`) is written empty. The place',
    'columns come from the event’s `parent_data`. Rows are in `username`, then `time` order',
    '(then `_id` for events of the same instant).',
  ].join('\n'),
  changes: [
    'The McGill `speed_change_video.py` read a collection built beforehand by a mongo-shell',
    'aggregation (which needed `event` decoded, never the case on HEAD) and wrote only the',
    'username and the display names of the place. Here each row has user_id, username, hash_id,',
    'the video, the ids and names of its place, and the position at the change; speeds are',
    'numbers.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    return {
      event(event: Document, emit: Emit): void {
        if (!SPEED_EVENTS.has(eventTypeOf(event))) return;
        const username = event['username'];
        if (typeof username !== 'string' || username === '') return;
        const payload = payloadOf(event);
        emit({
          ...context.learners.columns(eventUserId(event), username),
          time: eventTime(event),
          ...videoOf(event),
          ...placeOf(event),
          old_speed: numberOf(payload['old_speed']),
          new_speed: numberOf(payload['new_speed']),
          current_time: numberOf(payload['current_time'] ?? payload['currentTime']),
        });
      },
    };
  },
};
