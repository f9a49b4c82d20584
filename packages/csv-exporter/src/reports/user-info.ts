/** `user_info`: who each enrolled learner is, and their grade. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { numberOf, userIdOf } from './values.js';

async function byUserId(
  context: ReportContext,
  collection: string,
): Promise<Map<number, Document>> {
  const out = new Map<number, Document>();
  for await (const row of context.db.collection(collection).find({}, { sort: { _id: 1 } })) {
    const id = userIdOf(row['user_id']);
    if (id !== null && !out.has(id)) out.set(id, row);
  }
  return out;
}

export const userInfo: QueryReport = {
  kind: 'query',
  name: 'user_info',
  question: 'Who is each learner enrolled in the course, and what grade did they get?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.enrollment],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'name', type: 'string', description: 'Full name from the profile', identifier: 'name' },
    {
      name: 'gender',
      type: 'string',
      description: 'Profile gender as exported: m, f, o, or empty',
    },
    {
      name: 'year_of_birth',
      type: 'integer',
      description: 'Profile year of birth',
      identifier: 'birth_year',
    },
    {
      name: 'level_of_education',
      type: 'string',
      description: 'Profile level of education code (p, m, b, a, hs, jhs, el, none, other, …)',
    },
    {
      name: 'country',
      type: 'string',
      description: 'Profile country (ISO 3166 alpha-2)',
      identifier: 'location',
    },
    { name: 'city', type: 'string', description: 'Profile city', identifier: 'location' },
    {
      name: 'enrollment_date',
      type: 'datetime',
      description: 'When the learner enrolled (student_courseenrollment.created, first row)',
    },
    { name: 'enrollment_mode', type: 'string', description: 'audit, honor, verified, …' },
    {
      name: 'enrollment_active',
      type: 'boolean',
      description: 'Whether the enrollment is active (false: unenrolled)',
    },
    {
      name: 'certificate_status',
      type: 'string',
      description:
        'certificates_generatedcertificate.status (downloadable, notpassing, …), empty without a certificate row',
    },
    {
      name: 'final_grade',
      type: 'number',
      description:
        'certificates_generatedcertificate.grade as a number (0 to 1), empty without a certificate row',
    },
  ],
  definition: [
    'One row per learner enrolled in the course: the distinct `user_id`s of',
    '`student_courseenrollment` (`enrollment`), each with its first enrollment row (smallest',
    'row position in the file), in ascending `user_id` order. Left-joined by `user_id` with',
    '`auth_userprofile` (`userprofile`) and `certificates_generatedcertificate`',
    '(`certificates`), first row of each. A learner without a profile or a certificate row has',
    'empty cells there. `username` and `hash_id` come from `user_id_map` (else `auth_user`).',
  ].join('\n'),
  changes: [
    'The McGill `user-info` iterated profiles and crashed (uncaught `TypeError`) on the first',
    'learner without a certificate row; here such a learner has an empty grade. Its rows',
    'followed profiles, so enrolled learners without a profile were missing and profiles of',
    'unenrolled users were listed; here enrollment decides. The grade is a number, not text;',
    'the enrollment date keeps its time (UTC); the `Name` column is marked as a direct',
    'identifier for the anonymiser instead of staying in "anonymised" output.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const profiles = await byUserId(context, COURSE_COLLECTIONS.userprofile);
    const certificates = await byUserId(context, COURSE_COLLECTIONS.certificates);
    const enrollments = await byUserId(context, COURSE_COLLECTIONS.enrollment);
    const ids = [...enrollments.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const enrollment = enrollments.get(id) ?? {};
      const profile = profiles.get(id);
      const certificate = certificates.get(id);
      yield {
        ...context.learners.columns(id),
        name: profile?.['name'] ?? null,
        gender: profile?.['gender'] ?? null,
        year_of_birth: profile?.['year_of_birth'] ?? null,
        level_of_education: profile?.['level_of_education'] ?? null,
        country: profile?.['country'] ?? null,
        city: profile?.['city'] ?? null,
        enrollment_date: enrollment['created'] ?? null,
        enrollment_mode: enrollment['mode'] ?? null,
        enrollment_active: enrollment['is_active'] ?? null,
        certificate_status: certificate?.['status'] ?? null,
        final_grade: certificate === undefined ? null : numberOf(certificate['grade']),
      };
    }
  },
};
