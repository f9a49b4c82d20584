/** `video_watch_duration`: every play segment of every learner, with how long it lasted. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, Row, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS, PLACE_COLUMNS } from './columns.js';
import { eventTime, eventUserId, numberOf, payloadOf, placeOf } from './values.js';
import { PLAY_EVENTS, VIDEO_COLUMNS, eventTypeOf, stopPosition, videoOf } from './video-shared.js';

/** A play segment not closed yet. */
interface OpenSegment {
  readonly row: Row;
  readonly videoId: string | null;
  readonly start: Date;
}

export const videoWatchDuration: TrackingReport = {
  kind: 'tracking',
  name: 'video_watch_duration',
  question: 'When did each learner play each video, and for how long did each play last?',
  version: '1',
  parameters: [
    {
      name: 'max_segment_seconds',
      type: 'number',
      description:
        'Longest a play segment may count, in seconds: a longer one (a learner who left the video playing and came back hours later) counts this much and is marked `capped`',
      default: 3600,
    },
  ],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    ...VIDEO_COLUMNS,
    ...PLACE_COLUMNS,
    { name: 'start_time', type: 'datetime', description: 'Time of the play event (UTC)' },
    {
      name: 'end_time',
      type: 'datetime',
      description: 'Time of the learner’s next event, which ends the segment; empty when none',
    },
    {
      name: 'seconds',
      type: 'number',
      description:
        'end_time − start_time in seconds, at most `max_segment_seconds`; empty when the segment has no end',
    },
    {
      name: 'capped',
      type: 'boolean',
      description: 'true when end_time − start_time was longer than `max_segment_seconds`',
    },
    {
      name: 'start_position',
      type: 'number',
      description: 'Position in the video at the play (`event.currentTime`, seconds)',
    },
    {
      name: 'end_position',
      type: 'number',
      description:
        'Position where the ending event says the play stopped, when it is an event of the same video: `event.old_time` of a seek, `event.currentTime` (or `current_time`) otherwise; empty else',
    },
    {
      name: 'end_event_type',
      type: 'string',
      description: 'event_type of the event that ends the segment; empty when none',
    },
  ],
  definition: [
    'A **play segment** starts at a `play_video` event (or its newer / mobile alias',
    '`edx.video.played`) of a learner and ends at the **next event of the same learner**, of any',
    'type and source: `pause_video`, `stop_video`, `seek_video`, `speed_change_video`, `seq_goto`,',
    '`seq_next`, `seq_prev`, `page_close`, another `play_video`, a page visit or any other event.',
    'This is the McGill rule ("any other event ends the play") made exact: a learner who does',
    'something else is taken to have stopped watching, so two plays in a row give two segments,',
    'the first ending at the second. A pause, stop or seek with no play open before it is not',
    'counted. Events are taken in the pass order: the learner’s course events of the window, by',
    '`_time`, then `_id` for events of the same instant.',
    '',
    '`seconds` = end − start, capped at `max_segment_seconds` (default 3600; `capped` tells when):',
    'edX logs carry no heartbeat while a video plays, so a segment that ends with the learner’s next',
    'event days later would count the whole gap. Other systems bound it the same way (edX',
    'Analytics Pipeline `video_timeline` caps a viewing at 10 h; Open edX Aspects counts the',
    'positions between a play and the next pause/stop of the same video: see `end_position`).',
    'A segment with no later event of the learner in the window (the last play of the learner,',
    'or a play just before the window’s end) is written with empty `end_time`, `seconds` and',
    '`end_event_type`. Events without a username are left out (they are no one learner’s).',
    '',
    'The video is `event.id` reduced to the block’s url_name; the place columns come from the',
    'play event’s `parent_data`. Rows are in `username`, then `start_time` order.',
  ].join('\n'),
  changes: [
    'The McGill `video_watch_duration.py` read a pre-built `video_watching` collection per learner',
    'without sorting it, kept its state from one learner to the next (a learner’s last pair leaked',
    'into the next learner), never wrote the last pair, needed `event` decoded (every play failed',
    'on HEAD, where browser events stay strings) and wrote a Python timedelta under a',
    '`duration (minutes)` header. Here events come in time order, state is reset per learner, the',
    'last segment is written (with an empty end), the duration is a number of seconds with an',
    'explicit cap, and the learner is given as user_id, username and hash_id.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    const maxSeconds = Number(context.params['max_segment_seconds'] ?? 3600);
    let open: OpenSegment | null = null;
    const close = (emit: Emit, end: Document | null): void => {
      if (open === null) return;
      const endTime = end === null ? null : eventTime(end);
      const raw = endTime === null ? null : (endTime.getTime() - open.start.getTime()) / 1000;
      emit({
        ...open.row,
        end_time: endTime,
        seconds: raw === null ? null : Math.min(raw, maxSeconds),
        capped: raw === null ? null : raw > maxSeconds,
        end_position: end === null ? null : stopPosition(end, open.videoId),
        end_event_type: end === null ? null : eventTypeOf(end),
      });
      open = null;
    };
    return {
      event(event: Document, emit: Emit): void {
        const username = event['username'];
        const time = eventTime(event);
        if (typeof username !== 'string' || username === '' || time === null) return;
        close(emit, event);
        if (!PLAY_EVENTS.has(eventTypeOf(event))) return;
        const video = videoOf(event);
        const payload = payloadOf(event);
        open = {
          videoId: video.video_id,
          start: time,
          row: {
            ...context.learners.columns(eventUserId(event), username),
            ...video,
            ...placeOf(event),
            start_time: time,
            start_position: numberOf(payload['currentTime'] ?? payload['current_time']),
          },
        };
      },
      endLearner(_username: string, emit: Emit): void {
        close(emit, null);
      },
    };
  },
};
