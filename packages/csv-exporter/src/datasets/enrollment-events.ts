/** `enrollment_events`: every enrollment event of the course, with EAP's validation flags. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { ENROLLMENT_EVENTS, enrollmentEventOf } from './activity-shared.js';
import type { EnrollmentEvent } from './activity-shared.js';

export const enrollmentEvents: TrackingReport = {
  kind: 'tracking',
  name: 'enrollment_events',
  question: 'When did each learner enrol, unenrol or change mode, and which events are suspect?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'time', type: 'datetime', description: 'Time of the event (UTC)' },
    {
      name: 'event_type',
      type: 'string',
      description: '`edx.course.enrollment.activated`, `.deactivated` or `.mode_changed`',
    },
    {
      name: 'mode',
      type: 'string',
      description: 'The enrollment mode of the event (`event.mode`)',
    },
    {
      name: 'duplicate_activation',
      type: 'boolean',
      description: 'An activation while the learner is already enrolled (no deactivation since)',
    },
    {
      name: 'deactivation_without_activation',
      type: 'boolean',
      description: 'A deactivation while the learner is not enrolled (no activation since)',
    },
  ],
  definition: [
    'Every event of the export window whose `event_type` is one of',
    `${ENROLLMENT_EVENTS.map((t) => `\`${t}\``).join(', ')} (anchors.md §4a item 11), whoever`,
    'sent it: the learner is `event.user_id` (the enrolled learner; the `username` of the event',
    'may be a staff member or empty for enrollments made by staff or in bulk), else',
    '`context.user_id`; the `username` column is the learner’s (from the learner directory), the',
    'event’s `username` only when the event names no other learner.',
    '',
    'Flags (EAP’s enrollment validation), per learner in time order over the events read:',
    '`duplicate_activation` is true on an activation that follows an activation with no',
    'deactivation between; `deactivation_without_activation` is true on a deactivation with no',
    'activation before it since the previous deactivation (or none at all). Mode changes are never',
    'flagged and change no state. An enrollment that began before the window makes its first',
    'deactivation in the window flagged: choose the window accordingly.',
    '',
    'Rows are in `user_id` (learners without one last), then `time`, then event `_id` order.',
  ].join('\n'),
  changes: [
    'E2B keeps these events in `enrollment_events` (and derives `enrollday_all` and',
    '`person_enrollment_verified` from them); EAP validates the activate/deactivate sequence',
    '(a repeated activation, a deactivation without activation) and repairs it. Here the events',
    'are all written, none dropped or repaired, and EAP’s two checks are boolean columns.',
    'SIM reads the enrollment table only.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    let found: EnrollmentEvent[] = [];
    return {
      event(event: Document): void {
        const row = enrollmentEventOf(event);
        if (row !== null) found.push(row);
      },
      end(emit: Emit): void {
        found.sort(compareEnrollmentEvents);
        let state: 'none' | 'active' | 'inactive' = 'none';
        let current: number | null | undefined;
        for (const e of found) {
          if (e.userId !== current || e.userId === null) state = 'none';
          current = e.userId;
          const activated = e.type === 'edx.course.enrollment.activated';
          const deactivated = e.type === 'edx.course.enrollment.deactivated';
          emit({
            ...context.learners.columns(e.userId, e.username),
            time: new Date(e.time),
            event_type: e.type,
            mode: e.mode,
            duplicate_activation: activated && state === 'active',
            deactivation_without_activation: deactivated && state !== 'active',
          });
          if (activated) state = 'active';
          if (deactivated) state = 'inactive';
        }
        found = [];
      },
    };
  },
};

/** By learner id (null last), then time, then event id. */
function compareEnrollmentEvents(a: EnrollmentEvent, b: EnrollmentEvent): number {
  if (a.userId !== b.userId) {
    if (a.userId === null) return 1;
    if (b.userId === null) return -1;
    return a.userId - b.userId;
  }
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
