/** `session_info`: every session of every learner, with its length. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { eventTime, eventUserId } from './values.js';

interface Session {
  events: number;
  start: Date;
  end: Date;
}

export const sessionInfo: TrackingReport = {
  kind: 'tracking',
  name: 'session_info',
  question: 'How many sessions did each learner have, and how long was each?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'session_id', type: 'string', description: 'The edX `session` field of the events' },
    { name: 'events', type: 'integer', description: 'Events of the learner in that session' },
    { name: 'start_time', type: 'datetime', description: 'Time of its first event (UTC)' },
    { name: 'end_time', type: 'datetime', description: 'Time of its last event (UTC)' },
    {
      name: 'duration_seconds',
      type: 'number',
      description: 'end_time − start_time, in seconds (0 for a one-event session)',
    },
  ],
  definition: [
    'A session is the `session` field edX writes on an event (the hash of the browser session',
    'key), taken per learner: one row per distinct (`username`, `session`) among the course',
    'events of the window that have a non-empty `session` and a non-empty `username`. Events',
    'without a session (most server events) are not counted. `events` counts them (distinct',
    'events: a repeated log line is one event); start and end are the first and last `time`',
    '(UTC, as the loader parsed it). Rows are in `username`, then `start_time` order.',
  ].join('\n'),
  changes: [
    'The McGill `session_info.py` compared times as text (after cutting the zone off), held the',
    'whole collection in memory, wrote the duration as a Python timedelta and skipped failures',
    'into a side file. Here times are real UTC instants, the duration is a number of seconds,',
    'and one pass over the course events serves every tracking report.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    let sessions = new Map<string, Session>();
    let userId: number | null = null;
    return {
      event(event: Document): void {
        const session = event['session'];
        const time = eventTime(event);
        if (typeof session !== 'string' || session === '' || time === null) return;
        if (typeof event['username'] !== 'string' || event['username'] === '') return;
        userId ??= eventUserId(event);
        const found = sessions.get(session);
        if (found === undefined) sessions.set(session, { events: 1, start: time, end: time });
        else {
          found.events += 1;
          if (time < found.start) found.start = time;
          if (time > found.end) found.end = time;
        }
      },
      endLearner(username: string, emit: Emit): void {
        const learner = context.learners.columns(userId, username);
        const ordered = [...sessions].sort(
          ([a, x], [b, y]) => x.start.getTime() - y.start.getTime() || (a < b ? -1 : 1),
        );
        for (const [id, s] of ordered) {
          emit({
            ...learner,
            session_id: id,
            events: s.events,
            start_time: s.start,
            end_time: s.end,
            duration_seconds: (s.end.getTime() - s.start.getTime()) / 1000,
          });
        }
        sessions = new Map();
        userId = null;
      },
    };
  },
};
