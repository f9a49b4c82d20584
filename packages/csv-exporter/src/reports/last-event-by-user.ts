/** `last_event_by_user`: each learner's last event in the window, and where it was. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { usernameOf } from '../tracking-pass.js';
import { LEARNER_COLUMNS, PLACE_COLUMNS } from './columns.js';
import { learnerIdOf } from './learner-shared.js';
import { eventTime, placeOf } from './values.js';

export const lastEventByUser: TrackingReport = {
  kind: 'tracking',
  name: 'last_event_by_user',
  question: 'When and where was each learner last active in the course (in the window)?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'last_event_time', type: 'datetime', description: 'Time of the last event (UTC)' },
    { name: 'event_type', type: 'string', description: 'Its event_type' },
    ...PLACE_COLUMNS,
  ],
  definition: [
    'One row per learner (non-empty `username`) with at least one course event in the window',
    '(both days of `from`/`to` whole, UTC): the latest event by `time`; among events at the',
    'same instant, the largest `_id`. Any event counts. The place columns are those of the',
    'block the extraction joined to that event (`parent_data`), empty when it has none (most',
    'non-courseware events). Rows in `username` order. This is edX2BigQuery’s `last_event`',
    '(anchors.md, person_course).',
  ].join('\n'),
  changes: [
    'The McGill version was a mongo-shell aggregation (`last_event_by_user`) exported with',
    '`mongoexport`, comparing `time` as text, with a field-name typo (`parent_date`) that left',
    'the sequential empty. Here times are real UTC instants, ties are broken by `_id`, the',
    'learner has separate identifier columns and the export window applies.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    let last: Document | null = null;
    return {
      event(event: Document): void {
        if (usernameOf(event) === '' || eventTime(event) === null) return;
        last = event;
      },
      endLearner(username: string, emit: Emit): void {
        const event = last;
        last = null;
        if (event === null) return;
        emit({
          ...context.learners.columns(learnerIdOf(context, event), username),
          last_event_time: eventTime(event),
          event_type: event['event_type'] ?? null,
          ...placeOf(event),
        });
      },
    };
  },
};
