/** `date_of_registration`: when each learner enrolled in the course. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { completerIds, COMPLETERS_ONLY, firstEnrollments } from './learner-shared.js';
import { utcDay } from './values.js';

export const dateOfRegistration: QueryReport = {
  kind: 'query',
  name: 'date_of_registration',
  question: 'When did each learner enrol in the course?',
  version: '1',
  parameters: [COMPLETERS_ONLY],
  reads: [COURSE_COLLECTIONS.enrollment],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'registration_date',
      type: 'date',
      description: 'The UTC day of the learner’s first enrollment',
    },
    {
      name: 'registration_time',
      type: 'datetime',
      description:
        'The time of the learner’s first enrollment (student_courseenrollment.created, UTC)',
    },
  ],
  definition: [
    'One row per distinct `user_id` of `student_courseenrollment` (`enrollment`), active or',
    'not, in ascending `user_id` order. The registration is the learner’s **first** enrollment:',
    'the earliest `created` among their enrollment rows (rows without one count only when',
    'none has one); `registration_date` is its UTC day (`YYYY-MM-DD`), `registration_time` the full',
    'time. Both are empty when no row of the learner has a `created` time. With',
    '`completers_only=true`, only learners with a certificate of status `downloadable` (see',
    '`course_completers`) are listed.',
  ].join('\n'),
  changes: [
    'Replaces McGill `basic date-of-registration` and `other/date_of_registration_completers.py`.',
    'The old script took the first enrollment *row* and cut the `created` text at the space;',
    'here the earliest `created` counts and the day is the UTC day of a real time (the full time',
    'is kept too). The completers variant read a hand-made CSV at a hard-coded path and wrote',
    'three values per row under two headers; here it is the `completers_only` parameter, with',
    'completers taken from the certificates table, and every row has its identifier columns.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const only = context.params['completers_only'] === true ? await completerIds(context) : null;
    for (const { userId, created } of await firstEnrollments(context)) {
      if (only !== null && !only.has(userId)) continue;
      yield {
        ...context.learners.columns(userId),
        registration_date: created === null ? null : utcDay(created),
        registration_time: created,
      };
    }
  },
};
