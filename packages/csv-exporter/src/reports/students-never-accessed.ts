/** `students_never_accessed`: enrolled learners with no course activity in the window. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { firstEnrollments, learnerIdOf } from './learner-shared.js';

/** Events edX writes when a learner enrols or unenrols: not an access to the course. */
const ENROLLMENT_EVENT = /^edx\.course\.enrollment\./u;

export const studentsNeverAccessed: TrackingReport = {
  kind: 'tracking',
  name: 'students_never_accessed',
  question: 'Which enrolled learners never accessed the course (in the window)?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.enrollment, COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'enrollment_date',
      type: 'datetime',
      description:
        'The learner’s first enrollment (earliest student_courseenrollment.created, UTC)',
    },
  ],
  definition: [
    'One row per enrolled learner (distinct `user_id` of `student_courseenrollment`, active or',
    'not) who has **no access event**: no course event in the window other than the enrollment',
    'events edX writes itself (`event_type` starting with `edx.course.enrollment.`, i.e.',
    '`activated`, `deactivated`, `mode_changed`, …). Without `from`/`to` the window is every',
    'event of the course. An event is the learner’s when its `context.user_id` is the',
    'learner’s `user_id`, or, for an event without a user id, when its `username` is the',
    'learner’s (through `user_id_map`, else `auth_user`). `enrollment_date` is the earliest',
    '`created` of the learner’s enrollment rows. Rows in ascending `user_id` order.',
  ].join('\n'),
  changes: [
    'The McGill version was a mongo-shell recipe (`students_never_accessed` →',
    '`students_never_accessed_number`): learners *in the tracking log* whose only events were',
    'enrollment events, so an enrolled learner with no event at all was never counted, and it',
    'gave no identifiers beyond the username. Here the learners are the enrolled ones (an',
    'enrolled learner without any event is listed), matched to events by user id with the',
    'username as fallback, within the export window, with their enrollment date.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const enrollments = await firstEnrollments(context);
    const accessed = new Set<number>();
    return {
      event(event: Document): void {
        const type = event['event_type'];
        if (typeof type === 'string' && ENROLLMENT_EVENT.test(type)) return;
        const id = learnerIdOf(context, event);
        if (id !== null) accessed.add(id);
      },
      end(emit: Emit): void {
        for (const { userId, created } of enrollments) {
          if (accessed.has(userId)) continue;
          emit({ ...context.learners.columns(userId), enrollment_date: created });
        }
      },
    };
  },
};
