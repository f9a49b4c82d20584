/** `course_completers`: the learners who earned a certificate (status `downloadable`). */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { COMPLETED_STATUS } from './learner-shared.js';
import { numberOf, userIdOf } from './values.js';

function dateOf(value: unknown): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

export const courseCompleters: QueryReport = {
  kind: 'query',
  name: 'course_completers',
  question: 'Who completed the course (earned a certificate), with what grade?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.certificates],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'name',
      type: 'string',
      description: 'The name printed on the certificate (certificates_generatedcertificate.name)',
      identifier: 'name',
    },
    {
      name: 'grade',
      type: 'number',
      description: 'certificates_generatedcertificate.grade as a number (0 to 1)',
    },
    {
      name: 'certificate_created',
      type: 'datetime',
      description: 'When the certificate row was created (created_date, UTC), empty when unknown',
    },
    {
      name: 'certificate_modified',
      type: 'datetime',
      description: 'When it was last modified (modified_date, UTC), empty when unknown',
    },
  ],
  definition: [
    'A **completer** is a learner with a row of `certificates_generatedcertificate`',
    '(`certificates`) whose `status` is `downloadable` — the McGill definition, and the one of',
    'edX2BigQuery’s `certified` flag (anchors.md, person_course). Other statuses (`notpassing`,',
    '`unverified`, `audit_passing`, …) and learners without a certificate row are not completers.',
    'One row per distinct `user_id` of those rows (the first such row by file position when a',
    'learner has several), in ascending `user_id` order, whether or not the learner is still in',
    '`enrollment`. `grade` is the certificate grade as a number; `username` and `hash_id` come',
    'from `user_id_map` (else `auth_user`).',
  ].join('\n'),
  changes: [
    'The McGill `course-completers` looked usernames up one by one in `auth_user` and kept the',
    '`Name` column in “anonymised” output. Here the identifiers come from `user_id_map` in',
    'separate `user_id`, `username`, `hash_id` columns, `name` is marked as a direct identifier',
    'for the anonymiser, the grade is a number instead of text, and the certificate dates are',
    'added.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const pipeline: Document[] = [
      { $match: { status: COMPLETED_STATUS } },
      { $sort: { user_id: 1, _id: 1 } },
      {
        $project: { _id: 0, user_id: 1, name: 1, grade: 1, created_date: 1, modified_date: 1 },
      },
    ];
    // (the first row of each learner is kept here: FerretDB v1 has no `$first` in `$group`)
    const cursor = context.db.collection(COURSE_COLLECTIONS.certificates).aggregate(pipeline);
    let previous: number | null = null;
    for await (const row of cursor) {
      const id = userIdOf(row['user_id']);
      if (id === null || id === previous) continue;
      previous = id;
      const name = row['name'];
      yield {
        ...context.learners.columns(id),
        name: typeof name === 'string' && name !== '' ? name : null,
        grade: numberOf(row['grade']),
        certificate_created: dateOf(row['created_date']),
        certificate_modified: dateOf(row['modified_date']),
      };
    }
  },
};
