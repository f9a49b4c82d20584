/** `activities_with_lower_completion`: the problems fewest learners eventually got right. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { blockNames, problemMatch, problemName } from './problem-shared.js';

/**
 * Per problem, the learners who attempted it and those with a correct attempt, in one read of
 * `problem_ids`: one group per (problem, learner, `event.success`), counted here (FerretDB v1
 * has no `$cond`/`$max` to fold the success into the group).
 */
async function learnersPerProblem(
  context: ReportContext,
  match: Document,
): Promise<Map<string, { attempted: number; correct: number }>> {
  const counts = new Map<string, { attempted: number; correct: number }>();
  const cursor = context.db.collection(COURSE_COLLECTIONS.problem_ids).aggregate([
    { $match: match },
    {
      $group: {
        _id: {
          problem_id: '$problem_id',
          user_id: '$user_id',
          username: '$username',
          success: '$event.success',
        },
      },
    },
    { $sort: { '_id.problem_id': 1, '_id.user_id': 1, '_id.username': 1 } },
  ]);
  let previous: string | null = null;
  let learnerCorrect = false;
  let problem: { attempted: number; correct: number } | undefined;
  const close = (): void => {
    if (problem !== undefined && learnerCorrect) problem.correct += 1;
  };
  for await (const row of cursor) {
    const id = row['_id'] as Record<string, unknown>;
    const problemId = id['problem_id'];
    if (typeof problemId !== 'string') continue;
    const learner = JSON.stringify([problemId, id['user_id'] ?? null, id['username'] ?? null]);
    if (learner !== previous) {
      close();
      previous = learner;
      learnerCorrect = false;
      problem = counts.get(problemId) ?? { attempted: 0, correct: 0 };
      counts.set(problemId, problem);
      problem.attempted += 1;
    }
    if (id['success'] === 'correct') learnerCorrect = true;
  }
  close();
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
    '`problem_id`. Counted in one read: a `$group` per (problem, learner, `event.success`).',
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
    const counts = await learnersPerProblem(context, match);
    const names = await blockNames(context);
    const rows = [...counts].map(([problemId, { attempted: learners, correct: right }]) => {
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
