/** `course_stats`: the enrolled learners by age band, gender and certificate. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { COMPLETED_STATUS, firstEnrollments } from './learner-shared.js';
import { userIdOf } from './values.js';

/** Age bands: label, lowest age, highest age (both included). */
const AGE_BANDS: readonly (readonly [string, number, number])[] = [
  ['Under 20', 0, 19],
  ['20-29', 20, 29],
  ['30-39', 30, 39],
  ['40-49', 40, 49],
  ['50-69', 50, 69],
  ['70+', 70, Number.POSITIVE_INFINITY],
];

const GENDERS: Readonly<Record<string, string>> = { m: 'Male', f: 'Female', o: 'Other' };

function ageBand(yearOfBirth: unknown, asOfYear: number): string {
  const year = userIdOf(yearOfBirth);
  if (year === null) return 'None';
  const age = asOfYear - year;
  return AGE_BANDS.find(([, low, high]) => age >= low && age <= high)?.[0] ?? 'None';
}

export const courseStats: QueryReport = {
  kind: 'query',
  name: 'course_stats',
  question: 'How are the enrolled learners spread by age, gender and certificate?',
  version: '1',
  parameters: [
    {
      name: 'as_of_year',
      type: 'integer',
      description:
        'The year ages are computed at (age = as_of_year − year of birth); default: the UTC year of the course’s first enrollment',
    },
  ],
  reads: [COURSE_COLLECTIONS.enrollment, COURSE_COLLECTIONS.userprofile],
  columns: [
    { name: 'category', type: 'string', description: 'Age, Gender or Certificate' },
    {
      name: 'value',
      type: 'string',
      description:
        'Age: Under 20, 20-29, 30-39, 40-49, 50-69, 70+, None; Gender: Male, Female, Other, None; Certificate: Yes, No',
    },
    { name: 'learners', type: 'integer', description: 'Enrolled learners in that group' },
    {
      name: 'percent',
      type: 'number',
      description: 'learners × 100 / enrolled learners, rounded to 2 decimals (0 when none)',
    },
  ],
  definition: [
    'The population is the **enrolled learners**: the distinct `user_id`s of',
    '`student_courseenrollment` (`enrollment`), active or not. Each is counted exactly once in',
    'each category, so the rows of a category add up to the population and their percents to',
    '100 (up to rounding). Profile values come from the learner’s first `auth_userprofile` row.',
    '',
    '- **Age** = `as_of_year` − `year_of_birth`, in whole years; bands Under 20 (< 20), 20-29,',
    '  30-39, 40-49, 50-69, 70+ (≥ 70), all bounds included; `None` without a profile, without',
    '  a year of birth, or when the year of birth is after `as_of_year`. `as_of_year` defaults',
    '  to the UTC year of the earliest `created` of `enrollment` (the current UTC year when no',
    '  row has one), so that a re-run gives the same figures.',
    '- **Gender**: profile `gender` `m` → Male, `f` → Female, `o` → Other, anything else',
    '  (empty, missing, no profile) → None.',
    '- **Certificate**: Yes when the learner has a `certificates_generatedcertificate` row of',
    '  status `downloadable` (see `course_completers`), No for every other learner (other',
    '  statuses, or no certificate row).',
    '',
    '`percent` = learners × 100 / population, rounded to 2 decimals. Rows: Age bands, then',
    'Gender, then Certificate, in the order above, every row present even at 0.',
  ].join('\n'),
  changes: [
    'Replaces McGill `stats`. The old script divided by the number of *profiles* (not the',
    'enrolled learners), counted profiles of learners not in the course, aged learners at the',
    'current calendar year (so the figures changed every January), and counted only',
    '`downloadable` (Yes) and `notpassing` (No) certificates, so learners with another status or',
    'no certificate row were in no Certificate row and the percents did not add up to 100. Here',
    'the population is the enrolled learners, every learner is in exactly one row of each',
    'category, the reference year is a parameter with a deterministic default, and the output',
    'is a CSV with counts as well as percents.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const enrollments = await firstEnrollments(context);
    let asOfYear = context.params['as_of_year'];
    if (typeof asOfYear !== 'number') {
      const times = enrollments.flatMap((e) => (e.created === null ? [] : [e.created.getTime()]));
      asOfYear = (times.length === 0 ? new Date() : new Date(Math.min(...times))).getUTCFullYear();
    }
    const profiles = new Map<number, unknown[]>();
    const rows = context.db
      .collection(COURSE_COLLECTIONS.userprofile)
      .find({}, { sort: { _id: 1 }, projection: { user_id: 1, gender: 1, year_of_birth: 1 } });
    for await (const row of rows) {
      const id = userIdOf(row['user_id']);
      if (id !== null && !profiles.has(id)) {
        profiles.set(id, [row['gender'], row['year_of_birth']]);
      }
    }
    const certified = new Set<number>();
    const certificates = context.db
      .collection(COURSE_COLLECTIONS.certificates)
      .find({ status: COMPLETED_STATUS }, { projection: { user_id: 1 } });
    for await (const row of certificates) {
      const id = userIdOf(row['user_id']);
      if (id !== null) certified.add(id);
    }
    const counts = new Map<string, number>();
    const add = (key: string): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    for (const { userId } of enrollments) {
      const [gender, yearOfBirth] = profiles.get(userId) ?? [];
      add(`Age\t${ageBand(yearOfBirth, asOfYear)}`);
      add(`Gender\t${typeof gender === 'string' ? (GENDERS[gender] ?? 'None') : 'None'}`);
      add(`Certificate\t${certified.has(userId) ? 'Yes' : 'No'}`);
    }
    const population = enrollments.length;
    const order: [string, string[]][] = [
      ['Age', [...AGE_BANDS.map(([label]) => label), 'None']],
      ['Gender', ['Male', 'Female', 'Other', 'None']],
      ['Certificate', ['Yes', 'No']],
    ];
    for (const [category, values] of order) {
      for (const value of values) {
        const learners = counts.get(`${category}\t${value}`) ?? 0;
        yield {
          category,
          value,
          learners,
          percent: population === 0 ? 0 : Math.round((learners * 10_000) / population) / 100,
        };
      }
    }
  },
};
