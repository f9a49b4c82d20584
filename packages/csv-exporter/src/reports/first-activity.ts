/** `first_activity`: each learner's first event in the window. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { usernameOf } from '../tracking-pass.js';
import { LEARNER_COLUMNS } from './columns.js';
import { completerIds, COMPLETERS_ONLY, learnerIdOf } from './learner-shared.js';
import { eventTime, utcDay } from './values.js';

export const firstActivity: TrackingReport = {
  kind: 'tracking',
  name: 'first_activity',
  question: 'When did each learner first do something in the course (in the window)?',
  version: '1',
  parameters: [
    {
      name: 'event_type',
      type: 'string',
      description:
        'Only events of this exact event_type (e.g. /courses/<course id>/info for the course info page, as McGill did); default: any event',
    },
    COMPLETERS_ONLY,
  ],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'first_event_date',
      type: 'date',
      description: 'The UTC day of the learner’s first event',
    },
    { name: 'first_event_time', type: 'datetime', description: 'Its time (UTC)' },
    { name: 'event_type', type: 'string', description: 'Its event_type' },
  ],
  definition: [
    'One row per learner (non-empty `username`) with at least one course event in the window',
    '(both days of `from`/`to` whole, UTC): the earliest event by `time`; among events at the',
    'same instant, the smallest `_id`. Any event counts, unless `event_type` is given: then only',
    'events of exactly that `event_type`. With `completers_only=true`, only learners with a',
    'certificate of status `downloadable` (matched by `context.user_id`, else by username).',
    'Learners without such an event have no row. Rows in `username` order. This is',
    'edX2BigQuery’s `first_event` (anchors.md, person_course) when no filter is given.',
  ].join('\n'),
  changes: [
    'Replaces McGill `other/first_activity_completers.py`, which took completers from a',
    'hard-coded grade-report CSV of one course, defined the first activity as the first visit',
    'to that course’s Info page (a hard-coded URL), compared times as text and labelled the',
    'column `Date of Registration`. Here any event counts by default (the Info-page reading is',
    '`event_type=/courses/<course id>/info`), completers are the certificate holders',
    '(`completers_only`), times are real UTC instants, and the column names say what they hold.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const only = context.params['completers_only'] === true ? await completerIds(context) : null;
    const wanted = context.params['event_type'];
    const type = typeof wanted === 'string' && wanted !== '' ? wanted : null;
    let first: Document | null = null;
    return {
      event(event: Document): void {
        if (first !== null || usernameOf(event) === '' || eventTime(event) === null) return;
        if (type !== null && event['event_type'] !== type) return;
        first = event;
      },
      endLearner(username: string, emit: Emit): void {
        const event = first;
        first = null;
        if (event === null) return;
        const id = learnerIdOf(context, event);
        if (only !== null && (id === null || !only.has(id))) return;
        const time = eventTime(event);
        emit({
          ...context.learners.columns(id, username),
          first_event_date: time === null ? null : utcDay(time),
          first_event_time: time,
          event_type: event['event_type'] ?? null,
        });
      },
    };
  },
};
