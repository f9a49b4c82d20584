/** `entrance_exit_surveys`: each learner's latest answers to the entrance and exit survey problems. */
import { COURSE_COLLECTIONS, UsageError } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { compareAnswerKeys, learnerKey, problemMatch, subAnswers } from './problem-shared.js';
import type { SubAnswer } from './problem-shared.js';

interface Latest {
  readonly sub: SubAnswer;
  readonly time: Date | null;
}

function listParam(context: ReportContext, name: string): readonly string[] {
  const value = context.params[name];
  return Array.isArray(value) ? (value as readonly string[]) : [];
}

export const entranceExitSurveys: QueryReport = {
  kind: 'query',
  name: 'entrance_exit_surveys',
  question: 'What did each learner last answer to the entrance and exit survey questions?',
  version: '1',
  parameters: [
    {
      name: 'entrance',
      type: 'list',
      description: 'Problem ids (usage keys) of the entrance survey’s pages',
      required: true,
    },
    {
      name: 'exit',
      type: 'list',
      description: 'Problem ids (usage keys) of the exit survey’s pages',
      required: true,
    },
  ],
  reads: [COURSE_COLLECTIONS.problem_ids],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'survey', type: 'string', description: 'entrance or exit' },
    { name: 'problem_id', type: 'string', description: 'The survey page’s problem id' },
    {
      name: 'answer_key',
      type: 'string',
      description: 'The question’s answer key (`<block>_<part>_<input>`)',
    },
    {
      name: 'question',
      type: 'string',
      description: 'The question text (event.submission[key].question), empty when none',
    },
    {
      name: 'answer',
      type: 'string',
      description:
        'The learner’s latest answer (submission[key].answer, else answers[key]); a list as a JSON array',
      identifier: 'free_text',
    },
    { name: 'time', type: 'datetime', description: 'When that answer was submitted (UTC)' },
  ],
  definition: [
    'Reads `problem_ids` (server `problem_check` events) of the problems given in `entrance`',
    'and `exit` (both required; a problem may not be in both), whose `time` is in the export',
    'window (both days included, UTC; no window = all). For each learner (`user_id`, else',
    'username) and each answer key of those problems, the answer of the latest submission',
    'that holds that key (greatest `time`, then greatest event `_id`): a learner who submitted',
    'a page twice keeps the second answers.',
    '',
    'Long layout: one row per (learner, survey, problem, answer key). A wide row per learner',
    'would need one column per question, which depends on the survey pages given; a report’s',
    'columns are fixed (they are described in the data dictionary), so the questions are rows',
    '(pivot on `answer_key` for a wide table). Learners who answered neither survey have no',
    'row. Rows by `user_id` then username, `entrance` before `exit`, problems in the order',
    'given, answer keys by part then input number.',
  ].join('\n'),
  changes: [
    'The McGill `entrance_exit_surveys.py` crashed at HEAD (`sort()` on a set) and read the',
    'survey page ids from a JSON file; here they are parameters. It wrote one column per answer',
    'key without the question text and without saying which survey a key belonged to; here',
    'each answer has its survey, problem, question text and time. Same rule: the latest answer',
    'wins. The export window applies; identifiers are split into `user_id`, `username`,',
    '`hash_id`.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const entrance = listParam(context, 'entrance');
    const exit = listParam(context, 'exit');
    const both = entrance.filter((id) => exit.includes(id));
    if (both.length > 0) {
      throw new UsageError(
        'E_OPTION',
        `entrance_exit_surveys: ${both.join(', ')} is in both the entrance and the exit survey`,
      );
    }
    const order = [...entrance, ...exit];
    const cursor = context.db
      .collection(COURSE_COLLECTIONS.problem_ids)
      .aggregate([
        { $match: problemMatch(context.window, order) },
        { $sort: { user_id: 1, username: 1, time: 1, _id: 1 } },
      ]);
    let current: string | null = null;
    let learner: Document = {};
    let latest = new Map<string, Map<string, Latest>>();
    const flush = function* (): Generator<Row> {
      for (const problemId of order) {
        const answers = latest.get(problemId);
        if (answers === undefined) continue;
        const keys = [...answers.keys()].sort(compareAnswerKeys);
        for (const key of keys) {
          const found = answers.get(key);
          if (found === undefined) continue;
          yield {
            ...context.learners.columns(learner['user_id'], learner['username']),
            survey: entrance.includes(problemId) ? 'entrance' : 'exit',
            problem_id: problemId,
            answer_key: key,
            question: found.sub.question,
            answer: found.sub.answer,
            time: found.time,
          };
        }
      }
    };
    for await (const doc of cursor) {
      const key = learnerKey(doc);
      if (key !== current) {
        yield* flush();
        current = key;
        learner = doc;
        latest = new Map();
      }
      const problemId = doc['problem_id'];
      if (typeof problemId !== 'string') continue;
      const answers = latest.get(problemId) ?? new Map<string, Latest>();
      latest.set(problemId, answers);
      const time = doc['time'] instanceof Date ? doc['time'] : null;
      for (const sub of subAnswers(doc['event'])) answers.set(sub.key, { sub, time });
    }
    yield* flush();
  },
};
