/** `problem_attempts`: every attempt (or each learner's final attempt) at the course's problems. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import {
  blockNames,
  learnerKey,
  numberField,
  payloadOfAttempt,
  problemMatch,
  problemName,
  subAnswers,
} from './problem-shared.js';

function attemptRow(
  context: ReportContext,
  doc: Document,
  names: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const payload = payloadOfAttempt(doc);
  return {
    ...context.learners.columns(doc['user_id'], doc['username']),
    problem_id: doc['problem_id'] ?? null,
    problem_name: problemName(doc, names),
    attempt: numberField(payload, 'attempts'),
    time: doc['time'] instanceof Date ? doc['time'] : null,
    success: typeof payload['success'] === 'string' ? payload['success'] : null,
    grade: numberField(payload, 'grade'),
    max_grade: numberField(payload, 'max_grade'),
  };
}

function* rowsOf(
  context: ReportContext,
  doc: Document,
  names: ReadonlyMap<string, string>,
  long: boolean,
): Generator<Row> {
  const base = attemptRow(context, doc, names);
  const subs = subAnswers(doc['event']);
  if (!long) {
    const answers: Record<string, string | null> = {};
    for (const sub of subs) {
      answers[sub.question === null ? sub.key : `${sub.key} : ${sub.question}`] = sub.answer;
    }
    yield {
      ...base,
      answers,
      answer_key: null,
      question: null,
      answer: null,
      correctness: null,
    };
    return;
  }
  for (const sub of subs) {
    yield {
      ...base,
      answers: null,
      answer_key: sub.key,
      question: sub.question,
      answer: sub.answer,
      correctness: sub.correctness,
    };
  }
}

export const problemAttempts: QueryReport = {
  kind: 'query',
  name: 'problem_attempts',
  question: 'How did learners answer the course’s problems, attempt by attempt or finally?',
  version: '1',
  parameters: [
    {
      name: 'final',
      type: 'boolean',
      description: 'Only each learner’s final attempt at each problem',
      default: false,
    },
    {
      name: 'problem_ids',
      type: 'list',
      description: 'Problem ids (usage keys) to report; every problem when not given',
    },
    {
      name: 'layout',
      type: 'string',
      description:
        'wide: one row per attempt, its answers in the JSON column `answers`; long: one row per (attempt, sub-question)',
      default: 'wide',
      choices: ['wide', 'long'],
    },
  ],
  reads: [COURSE_COLLECTIONS.problem_ids],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'problem_id', type: 'string', description: 'The problem’s usage key' },
    {
      name: 'problem_name',
      type: 'string',
      description: 'Its display name (course structure, else the event’s context.module)',
    },
    {
      name: 'attempt',
      type: 'integer',
      description: 'event.attempts: the attempt number this check was (1 = first)',
    },
    { name: 'time', type: 'datetime', description: 'When the answer was checked (UTC)' },
    {
      name: 'success',
      type: 'string',
      description: 'event.success: correct when every sub-question was correct, else incorrect',
    },
    { name: 'grade', type: 'number', description: 'event.grade: points earned' },
    { name: 'max_grade', type: 'number', description: 'event.max_grade: points possible' },
    {
      name: 'answers',
      type: 'json',
      description:
        'Wide layout only: object "<answer key> : <question text>" (or "<answer key>" when the event has no text) → answer; empty in the long layout',
      identifier: 'free_text',
    },
    {
      name: 'answer_key',
      type: 'string',
      description: 'Long layout only: the sub-question’s answer key (`<block>_<part>_<input>`)',
    },
    {
      name: 'question',
      type: 'string',
      description: 'Long layout only: the sub-question’s text (event.submission[key].question)',
    },
    {
      name: 'answer',
      type: 'string',
      description:
        'Long layout only: the answer (event.submission[key].answer, else event.answers[key]); a list (checkboxes) as a JSON array',
      identifier: 'free_text',
    },
    {
      name: 'correctness',
      type: 'string',
      description: 'Long layout only: event.correct_map[key].correctness (correct, incorrect, …)',
    },
  ],
  definition: [
    'Reads `problem_ids` (one document per server `problem_check` event of the course, built',
    'by `extract-course`): every attempt whose `time` falls in the export window (`--from`,',
    '`--to`: both days included, UTC; no window = every attempt), for the problems of',
    '`problem_ids` (every problem when not given).',
    '',
    '- `final=true` keeps, for each (learner, problem), the attempt with the greatest',
    '  `event.attempts`; ties (a re-submitted attempt number) go to the latest `time`, then the',
    '  greatest event `_id`. A learner is their `user_id`, else their username.',
    '- The sub-questions of an attempt are the keys of its `event.correct_map`, `submission`',
    '  and `answers`, ordered by part then input number. The question text is',
    '  `event.submission[key].question` (the course structure export holds no problem text).',
    '- `layout=wide` (default): one row per attempt; its answers as one JSON object in',
    '  `answers`, keyed `"<answer key> : <question text>"` as the McGill columns were named.',
    '  Per-question columns would depend on the data, and a report’s columns are fixed (the data',
    '  dictionary describes every column), so they are one JSON cell instead.',
    '  `layout=long`: one row per (attempt, sub-question) in `answer_key`, `question`,',
    '  `answer`, `correctness`; an attempt without sub-questions gives no row.',
    '',
    'Rows in order of `problem_id`, `user_id`, username, then `time` and `_id` (all attempts),',
    'through one `$match` + `$sort` pipeline on `problem_ids` per problem (so a sort holds one',
    'problem\u2019s attempts); the final attempt is the first document of each (problem, learner)',
    'in the sorted stream. (The final attempt matches',
    'edx-analytics-pipeline’s `problem_response`, the latest response per learner and problem,',
    'whenever attempt numbers grow with time; anchors.md A3.)',
  ].join('\n'),
  changes: [
    'The McGill `problem-ids` report picked the "final" attempt as the row with the greatest',
    'second column, which without `-a` was the User ID (before, the username): an arbitrary',
    'attempt. Here it is the greatest attempt number, ties by latest time. Its end date was',
    'compared as a string with `$lte`, which dropped the last day: here both days are whole and',
    'included, and no window means every attempt (it crashed without dates). Its sub-question',
    'columns came from the first document only (answers to other keys were lost) and checkbox',
    'lists were written as Python reprs; here every key of every attempt is kept and lists are',
    'JSON. Several problems go to one file with a `problem_id` column instead of one file per',
    'problem; the identifiers are split into `user_id`, `username`, `hash_id`; the e-mail',
    'option is gone (join `user_info` if needed).',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const final = context.params['final'] === true;
    const long = context.params['layout'] === 'long';
    const ids = context.params['problem_ids'];
    const problemIds = Array.isArray(ids) ? (ids as readonly string[]) : undefined;
    const names = await blockNames(context);
    const sort = final
      ? { user_id: 1, username: 1, 'event.attempts': -1, time: -1, _id: -1 }
      : { user_id: 1, username: 1, time: 1, _id: 1 };
    const attempts = context.db.collection(COURSE_COLLECTIONS.problem_ids);
    const match = problemMatch(context.window, problemIds);
    // One problem at a time (its index picks the attempts), so that a sort holds one problem's
    // attempts, not the course's: in `problem_id` order, as a sort on it would give (null first).
    const found = (await attempts.distinct('problem_id', match)).map((id) =>
      typeof id === 'string' ? id : null,
    );
    const problems = [...new Set(found)].sort((a, b) =>
      a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1,
    );
    for (const problem of problems) {
      const cursor = attempts.aggregate([
        { $match: { ...match, problem_id: problem } },
        { $sort: sort },
      ]);
      let previous: string | null = null;
      for await (const doc of cursor) {
        if (final) {
          const key = learnerKey(doc);
          if (key === previous) continue;
          previous = key;
        }
        yield* rowsOf(context, doc, names, long);
      }
    }
  },
};
