/** `person_problem`: per learner and problem, their checks, attempts and final grade. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { blockNames } from '../reports/problem-shared.js';
import { personProblems } from './content-shared.js';

export const PERSON_PROBLEM_RULES = [
  'The checks are the server-side `problem_check` events of the course in the export window',
  '(`problem_ids`, as in `problem_check`). A learner is their user id, else their username.',
  'Their **final check** of a problem is the one with the greatest `event.attempts`, the latest',
  'of equal ones (by `time`, then `_id`), as `problem_attempts final=true`.',
].join('\n');

export const personProblem: QueryReport = {
  kind: 'query',
  name: 'person_problem',
  question: 'For each learner and problem: how many tries, when, and with what final grade?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.problem_ids, COURSE_COLLECTIONS.course_structure],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'problem_id', type: 'string', description: 'The problem’s usage key' },
    {
      name: 'problem_name',
      type: 'string',
      description: 'Its display name from the course structure; empty when not there',
    },
    {
      name: 'n_checks',
      type: 'integer',
      description: 'Number of the learner’s checks of the problem',
    },
    { name: 'attempts', type: 'integer', description: 'Greatest event.attempts of those checks' },
    { name: 'first_time', type: 'datetime', description: 'Time of the first check' },
    { name: 'last_time', type: 'datetime', description: 'Time of the last check' },
    { name: 'grade', type: 'number', description: 'event.grade of the final check' },
    { name: 'max_grade', type: 'number', description: 'event.max_grade of the final check' },
    { name: 'correct', type: 'boolean', description: 'The final check’s event.success is correct' },
    { name: 'ever_correct', type: 'boolean', description: 'Some check’s event.success is correct' },
  ],
  definition: [
    PERSON_PROBLEM_RULES,
    '',
    'One row per (learner, problem) with at least one check: `n_checks` = their checks,',
    '`attempts` = the greatest `event.attempts`, `first_time` / `last_time` = the first and',
    'last check times, `grade`, `max_grade`, `correct` = the final check’s `event.grade`,',
    '`event.max_grade` and `event.success == "correct"`, `ever_correct` = some check was',
    'correct. Rows in order of `problem_id`, `user_id`, username.',
  ].join('\n'),
  changes: [
    'edx2bigquery’s `person_problem` (built from `problem_analysis`, i.e. the studentmodule',
    'state; anchors.md §4a item 6) gives per learner and problem the attempts and grade. This',
    'one is read from the `problem_check` events (the state in studentmodule is the',
    'last one only), so it also has the first and last time and whether any attempt was',
    'correct. The show-answer count is not given (it is in `person_course`’s `nshow_answer`).',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const names = await blockNames(context);
    for await (const p of personProblems(context)) {
      yield {
        ...context.learners.columns(p.userId, p.username),
        problem_id: p.problemId,
        problem_name: p.problemId === null ? null : (names.get(p.problemId) ?? null),
        n_checks: p.checks,
        attempts: p.attempts,
        first_time: p.firstTime,
        last_time: p.lastTime,
        grade: p.grade,
        max_grade: p.maxGrade,
        correct: p.finalCorrect,
        ever_correct: p.everCorrect,
      };
    }
  },
};
