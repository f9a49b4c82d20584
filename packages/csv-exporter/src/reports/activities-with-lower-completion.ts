/** `activities_with_lower_completion`: the problems fewest learners eventually got right. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { blockNames, problemMatch, problemName } from './problem-shared.js';

/** Distinct (problem, learner) pairs per problem, of the `problem_ids` documents matched. */
async function learnersPerProblem(
  context: ReportContext,
  match: Document,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const cursor = context.db.collection(COURSE_COLLECTIONS.problem_ids).aggregate([
    { $match: match },
    {
      $group: { _id: { problem_id: '$problem_id', user_id: '$user_id', username: '$username' } },
    },
    { $group: { _id: '$_id.problem_id', learners: { $sum: 1 } } },
  ]);
  for await (const row of cursor) {
    const id = row['_id'];
    const learners = row['learners'];
    if (typeof id === 'string' && typeof learners === 'number') counts.set(id, learners);
  }
  return counts;
}

export const activitiesWithLowerCompletion: QueryReport = {
  kind: 'query',
  name: 'activities_with_lower_completion',
  question: 'Which problems did the fewest learners who tried them eventually get right?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.problem_ids],
  columns: [
    { name: 'problem_id', type: 'string', description: 'The problem’s usage key' },
    {
      name: 'problem_name',
      type: 'string',
      description: 'Its display name in the course structure, empty when the structure lacks it',
    },
    {
      name: 'learners_attempted',
      type: 'integer',
      description: 'Learners with at least one checked attempt at the problem',
    },
    {
      name: 'learners_correct',
      type: 'integer',
      description: 'Of those, learners with at least one attempt whose event.success is correct',
    },
    {
      name: 'learners_never_correct',
      type: 'integer',
      description: 'Of those, learners none of whose attempts was correct',
    },
    {
      name: 'completion_share',
      type: 'number',
      description: 'learners_correct / learners_attempted (0 to 1)',
    },
  ],
  definition: [
    'Reads `problem_ids` (server `problem_check` events), attempts whose `time` is in the',
    'export window (both days included, UTC; no window = all). For each problem: the learners',
    'who checked an answer at least once (`learners_attempted`; a learner is their `user_id`',
    'with their username), and among them those who *eventually* answered correctly: at least',
    'one attempt with `event.success == "correct"`, which edX sets when every sub-question of',
    'the attempt is correct (a partly correct attempt does not count). `learners_never_correct`',
    'is the difference, `completion_share` the share correct. Problems nobody attempted are not',
    'listed. Rows from the lowest `completion_share` up, ties by most learners attempted, then',
    '`problem_id`. Counted by two `$group` pipelines (all attempts; correct attempts only).',
    'Per-problem learner counts like edx2bigquery’s `course_problem` (anchors.md A1).',
  ].join('\n'),
  changes: [
    'The McGill `activities_with_lower_completion.py` read a collection built by hand from a',
    'mongo-shell recipe and wrote raw counts (`Correct Count`, `Incorrect Count`) in no order;',
    'here the report reads `problem_ids` itself, adds the problem name and the share, and sorts',
    'by lowest completion, as its name says. Same rule for "correct" (any attempt with',
    '`success == "correct"`, once per learner), now stated; the export window applies.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const match = problemMatch(context.window, undefined);
    const attempted = await learnersPerProblem(context, match);
    const correct = await learnersPerProblem(context, { ...match, 'event.success': 'correct' });
    const names = await blockNames(context);
    const rows = [...attempted].map(([problemId, learners]) => {
      const right = correct.get(problemId) ?? 0;
      return {
        problem_id: problemId,
        problem_name: problemName({ problem_id: problemId }, names),
        learners_attempted: learners,
        learners_correct: right,
        learners_never_correct: learners - right,
        completion_share: right / learners,
      };
    });
    rows.sort(
      (a, b) =>
        a.completion_share - b.completion_share ||
        b.learners_attempted - a.learners_attempted ||
        (a.problem_id < b.problem_id ? -1 : a.problem_id > b.problem_id ? 1 : 0),
    );
    yield* rows;
  },
};
