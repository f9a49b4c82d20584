/** `sessions`: each learner's sessions of activity, cut by inactivity or a closed page (ELAT). */
import { COURSE_COLLECTIONS, UsageError } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { eventTime, eventUserId } from '../reports/values.js';
import { isLearnerEvent, positiveMinutes } from './activity-shared.js';

export const sessions: TrackingReport = {
  kind: 'tracking',
  name: 'sessions',
  question: 'When was each learner active, in sessions cut by inactivity or a closed page?',
  version: '1',
  parameters: [
    {
      name: 'gap_minutes',
      type: 'number',
      description: 'A new session starts after more than this many minutes without events',
      default: 30,
    },
    {
      name: 'min_seconds',
      type: 'number',
      description:
        'Sessions lasting this many seconds or less are dropped (0 keeps all but one-instant ones)',
      default: 5,
    },
  ],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'session_number',
      type: 'integer',
      description: 'The session’s number among the learner’s sessions written (1, 2, …)',
    },
    { name: 'start', type: 'datetime', description: 'Time of its first event (UTC)' },
    { name: 'end', type: 'datetime', description: 'Time of its last event (UTC)' },
    { name: 'duration_seconds', type: 'number', description: 'end − start, in seconds' },
    { name: 'events', type: 'integer', description: 'Events of the session' },
  ],
  definition: [
    'The ELAT rule (anchors.md §4a item 10). The events are those of the export window with a',
    'non-empty `username` and an `event_type` that does not contain `/xblock/` (anchors.md §4a',
    'conventions), each learner’s in time order (`_time`, then `_id`). A learner’s first event',
    'opens a session; each next event belongs to the open session unless',
    '',
    '- it comes **more than** `gap_minutes` (default 30) after the session’s last event (exactly',
    '  30 minutes stays in the session), or',
    '- the session’s last event is a `page_close`: a `page_close` belongs to the session it',
    '  comes in and ends it; the next event opens a new session.',
    '',
    'Sessions run across midnight. A session whose `duration_seconds` (last event time − first',
    'event time) is at most `min_seconds` (default 5) is dropped, so one-event sessions always',
    'are. `session_number` numbers the sessions written, per learner, from 1 in time order.',
    'Rows are in `username`, then `start` order.',
    '',
    'Not `session_info`: that report groups events by the `session` field edX writes (the',
    'browser session key), which server events lack and which lasts as long as the browser',
    'session; these sessions are cut from the event times alone.',
  ].join('\n'),
  changes: [
    'Follows ELAT (TU Delft, `sessions`: 30-minute inactivity, `page_close`, sessions of 5',
    'seconds or less dropped); E2B, SIM and EAP have no such dataset (E2B’s `sum_dt` of',
    'person_course and `time_on_task` measure time without sessions). Stanford’s variant',
    '(weekly effort buckets) can be computed from these rows. Differences from ELAT: the',
    'xblock handler URL events are left out (anchors.md §4a), and sessions are numbered per',
    'learner instead of an id made of the username and times.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    const gapMs = positiveMinutes(context, 'gap_minutes', 30) * 60_000;
    const minSeconds = context.params['min_seconds'] ?? 5;
    if (typeof minSeconds !== 'number' || !Number.isFinite(minSeconds) || minSeconds < 0) {
      throw new UsageError(
        'E_OPTION',
        `min_seconds: expected a number ≥ 0, got ${String(minSeconds)}`,
      );
    }
    let start = Number.NaN;
    let end = Number.NaN;
    let events = 0;
    let closed = false;
    let number = 0;
    let userId: number | null = null;
    let username = '';

    const close = (emit: Emit): void => {
      if (events === 0) return;
      const duration = (end - start) / 1000;
      if (duration > minSeconds) {
        number += 1;
        emit({
          ...context.learners.columns(userId, username),
          session_number: number,
          start: new Date(start),
          end: new Date(end),
          duration_seconds: duration,
          events,
        });
      }
      events = 0;
      closed = false;
    };

    return {
      event(event: Document, emit: Emit): void {
        if (!isLearnerEvent(event)) return;
        const time = eventTime(event);
        if (time === null) return;
        const ms = time.getTime();
        username = event['username'] as string;
        userId ??= eventUserId(event);
        if (events > 0 && (closed || ms - end > gapMs)) close(emit);
        if (events === 0) start = ms;
        end = ms;
        events += 1;
        closed = event['event_type'] === 'page_close';
      },
      endLearner(_username: string, emit: Emit): void {
        close(emit);
        number = 0;
        userId = null;
        username = '';
      },
    };
  },
};
