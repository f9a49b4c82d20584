/** `seek_video`: every seek of every learner in every video. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS, PLACE_COLUMNS } from './columns.js';
import { eventTime, eventUserId, numberOf, payloadOf, placeOf } from './values.js';
import { SEEK_EVENTS, VIDEO_COLUMNS, eventTypeOf, textOrNull, videoOf } from './video-shared.js';

export const seekVideo: TrackingReport = {
  kind: 'tracking',
  name: 'seek_video',
  question: 'Where in which video did each learner jump, from which position to which?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'time', type: 'datetime', description: 'Time of the seek event (UTC)' },
    {
      name: 'event_type',
      type: 'string',
      description: '`seek_video` (browser) or `edx.video.position.changed` (newer, mobile)',
    },
    ...VIDEO_COLUMNS,
    ...PLACE_COLUMNS,
    {
      name: 'old_time',
      type: 'number',
      description: 'Position before the seek (`event.old_time`, seconds); empty when absent',
    },
    {
      name: 'new_time',
      type: 'number',
      description: 'Position after the seek (`event.new_time`, seconds); empty when absent',
    },
    {
      name: 'seek_type',
      type: 'string',
      description:
        '`event.type`: `onSlideSeek` (dragging the slider), `onSkipSeek` (skip buttons), …',
    },
  ],
  definition: [
    'One row per `seek_video` event (and its newer / mobile alias `edx.video.position.changed`)',
    'of the course events of the window that has a username. Positions are `event.old_time` and',
    '`event.new_time` in seconds (numbers, or numeric strings read as numbers), written empty when',
    'the event does not carry them. The place columns come from the event’s `parent_data`. Rows',
    'are in `username`, then `time` order (then `_id` for events of the same instant).',
  ].join('\n'),
  changes: [
    'The McGill `seek_video.py` read a collection built beforehand by a mongo-shell aggregation,',
    'wrote `0` when `old_time` was missing (a seek "from the start" that never happened), named',
    'only the display names of the place and only the username. Here a missing position stays',
    'empty, each row has user_id, username, hash_id, the video and the ids and names of its place,',
    'and the seek type.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    return {
      event(event: Document, emit: Emit): void {
        const type = eventTypeOf(event);
        if (!SEEK_EVENTS.has(type)) return;
        const username = event['username'];
        if (typeof username !== 'string' || username === '') return;
        const payload = payloadOf(event);
        emit({
          ...context.learners.columns(eventUserId(event), username),
          time: eventTime(event),
          event_type: type,
          ...videoOf(event),
          ...placeOf(event),
          old_time: numberOf(payload['old_time']),
          new_time: numberOf(payload['new_time']),
          seek_type: textOrNull(payload['type']),
        });
      },
    };
  },
};
