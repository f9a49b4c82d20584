/** `show_transcript_users`: the learners who showed a video transcript, how often and when. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { completerIds } from './learner-shared.js';
import { eventTime, eventUserId, payloadOf } from './values.js';
import { TRANSCRIPT_EVENTS, eventTypeOf, videoIdOf } from './video-shared.js';

export const showTranscriptUsers: TrackingReport = {
  kind: 'tracking',
  name: 'show_transcript_users',
  question: 'Which learners showed a video transcript, how many times, and when?',
  version: '1',
  parameters: [
    {
      name: 'completers_only',
      type: 'boolean',
      description:
        'Only learners who completed the course (a certificate with status `downloadable`), as the McGill report did',
      default: false,
    },
  ],
  // `certificates` is read too, but may be empty (a course still running): not required
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'show_transcript_events',
      type: 'integer',
      description: 'Events of the learner that showed a transcript',
    },
    {
      name: 'videos',
      type: 'integer',
      description: 'Distinct videos whose transcript they showed',
    },
    { name: 'first_time', type: 'datetime', description: 'Time of the first such event (UTC)' },
    { name: 'last_time', type: 'datetime', description: 'Time of the last such event (UTC)' },
    {
      name: 'completer',
      type: 'boolean',
      description: 'The learner has a certificate with status `downloadable` in this course',
    },
  ],
  definition: [
    'One row per learner (non-empty `username`) with at least one `show_transcript` event (or its',
    'newer alias `edx.video.transcript.shown`) among the course events of the window.',
    '`show_transcript_events` counts those events, `videos` the distinct `event.id` among them (as',
    'url_names), first and last are their earliest and latest `time`. A **completer** is a learner',
    'whose `certificates` row has status `downloadable` (none while the course has no certificate',
    'rows); the learner is found by the event’s `context.user_id`, else by username through `user_id_map` / `auth_user`. With',
    '`completers_only=true` only completers are listed. `hide_transcript` is not counted. Rows are',
    'in `username` order.',
  ].join('\n'),
  changes: [
    'The McGill `show_transcript_completers.py` listed the distinct usernames of transcript',
    'users among completers read from a hand-made `atoc185x/course_completers.csv`, with a course',
    'collection name hard-coded. Here completers come from the certificates table of the course',
    '(and are optional), any course works, and each learner has user_id, username, hash_id, the',
    'number of events, of videos, and the first and last time.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const completed = await completerIds(context);
    const completersOnly = context.params['completers_only'] === true;
    let events = 0;
    let videos = new Set<string>();
    let first: Date | null = null;
    let last: Date | null = null;
    let userId: number | null = null;
    return {
      event(event: Document): void {
        if (!TRANSCRIPT_EVENTS.has(eventTypeOf(event))) return;
        const username = event['username'];
        const time = eventTime(event);
        if (typeof username !== 'string' || username === '' || time === null) return;
        userId ??= eventUserId(event);
        events += 1;
        const video = videoIdOf(payloadOf(event));
        if (video !== null) videos.add(video);
        if (first === null || time < first) first = time;
        if (last === null || time > last) last = time;
      },
      endLearner(username: string, emit: Emit): void {
        if (events > 0) {
          const learner = context.learners.columns(userId, username);
          const completer = learner.user_id !== null && completed.has(learner.user_id);
          if (completer || !completersOnly) {
            emit({
              ...learner,
              show_transcript_events: events,
              videos: videos.size,
              first_time: first,
              last_time: last,
              completer,
            });
          }
        }
        events = 0;
        videos = new Set();
        first = null;
        last = null;
        userId = null;
      },
    };
  },
};
