/** `problem_check`: every graded check of a problem, as edx2bigquery's `problem_check` table. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import {
  blockNames,
  numberField,
  payloadOfAttempt,
  problemMatch,
  problemName,
} from '../reports/problem-shared.js';
import { ATTEMPT_PROJECTION } from './content-shared.js';

export const problemCheck: QueryReport = {
  kind: 'query',
  name: 'problem_check',
  question: 'What did each learner submit to each problem, when, and how was it graded?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.problem_ids, COURSE_COLLECTIONS.course_structure],
  columns: [
    { name: 'time', type: 'datetime', description: 'When the answer was checked (UTC)' },
    ...LEARNER_COLUMNS,
    { name: 'course_id', type: 'string', description: 'The course key of the event' },
    {
      name: 'module_id',
      type: 'string',
      description: 'The problem’s usage key (event.problem_id)',
    },
    {
      name: 'problem_name',
      type: 'string',
      description: 'Its display name (course structure, else the event’s context.module)',
    },
    {
      name: 'answers',
      type: 'json',
      description: 'event.answers: answer key → the learner’s answer (a list for checkboxes)',
      identifier: 'free_text',
    },
    {
      name: 'attempts',
      type: 'integer',
      description: 'event.attempts: the attempt number of this check (1 = first)',
    },
    { name: 'success', type: 'string', description: 'event.success: correct or incorrect' },
    { name: 'grade', type: 'number', description: 'event.grade: points earned' },
    { name: 'max_grade', type: 'number', description: 'event.max_grade: points possible' },
  ],
  definition: [
    'One row per server-side `problem_check` event of the course in the export window (the',
    '`problem_ids` collection `extract-course` builds from the course’s tracking; its `time` is',
    'the event time; both window days included, UTC), edx2bigquery / simeon `problem_check`',
    '(anchors.md §4a item 6). Browser `problem_check` events (the page’s form post, without a',
    'grade) are not in it, nor `save_problem_*` events (a save is not graded). `answers` is',
    '`event.answers` as a JSON object. Rows in `time`, then event `_id` order (a sorted `find`).',
  ].join('\n'),
  changes: [
    'Follows edx2bigquery’s `problem_check` table (time, learner, course, module_id, answers,',
    'attempts, success, grade, max_grade), which simeon keeps (anchors.md §4a item 6).',
    'edx2bigquery flattened',
    '`correct_map` and `state` into string columns; they are left out here (the per-answer',
    'correctness is in `problem_attempts` with `layout=long`). The learner is given as user_id,',
    'username and hash_id.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const names = await blockNames(context);
    // a sorted find (the store orders by its indexes: no document held in memory)
    const cursor = context.db
      .collection(COURSE_COLLECTIONS.problem_ids)
      .find(problemMatch(context.window, undefined), {
        sort: { time: 1, _id: 1 },
        projection: ATTEMPT_PROJECTION,
      });
    for await (const doc of cursor) {
      const payload = payloadOfAttempt(doc);
      const answers = payload['answers'];
      yield {
        time: doc['time'] instanceof Date ? doc['time'] : null,
        ...context.learners.columns(doc['user_id'], doc['username']),
        course_id: typeof doc['course_id'] === 'string' ? doc['course_id'] : null,
        module_id: typeof doc['problem_id'] === 'string' ? doc['problem_id'] : null,
        problem_name: problemName(doc, names),
        answers: typeof answers === 'object' && answers !== null ? answers : null,
        attempts: numberField(payload, 'attempts'),
        success: typeof payload['success'] === 'string' ? payload['success'] : null,
        grade: numberField(payload, 'grade'),
        max_grade: numberField(payload, 'max_grade'),
      };
    }
  },
};
