/** `course_problem`: per problem, how many learners tried it and solved it, and how. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { courseBlocks, personProblems } from './content-shared.js';
import { PERSON_PROBLEM_RULES } from './person-problem.js';

interface Totals {
  learners: number;
  correct: number;
  everCorrect: number;
  checks: number;
  attempts: number;
  withAttempts: number;
  gradeShare: number;
  withGrade: number;
  maxGrade: number | null;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export const courseProblem: QueryReport = {
  kind: 'query',
  name: 'course_problem',
  question: 'For each problem: how many learners tried it, solved it, in how many attempts?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.problem_ids, COURSE_COLLECTIONS.course_structure],
  columns: [
    {
      name: 'problem_index',
      type: 'integer',
      description: '1-based index of the problem in course order; empty when not in the structure',
    },
    { name: 'problem_id', type: 'string', description: 'The problem’s usage key' },
    {
      name: 'problem_name',
      type: 'string',
      description: 'Its display name from the course structure',
    },
    { name: 'chapter_name', type: 'string', description: 'Display name of its chapter' },
    {
      name: 'max_grade',
      type: 'number',
      description: 'Greatest event.max_grade of its checks; empty when none',
    },
    { name: 'n_learners', type: 'integer', description: 'Learners with at least one check' },
    { name: 'n_correct', type: 'integer', description: 'Learners whose final check is correct' },
    {
      name: 'n_ever_correct',
      type: 'integer',
      description: 'Learners with at least one correct check',
    },
    { name: 'n_checks', type: 'integer', description: 'Checks of the problem' },
    {
      name: 'avg_attempts',
      type: 'number',
      description:
        'Mean over its learners of their greatest event.attempts (6 decimals); empty when none',
    },
    {
      name: 'avg_grade_share',
      type: 'number',
      description:
        'Mean over its learners of final grade / max_grade (learners whose final max_grade > 0; 6 decimals); empty when none',
    },
  ],
  definition: [
    PERSON_PROBLEM_RULES,
    '',
    'The per-learner figures are those of `person_problem`; per problem: `n_learners` = learners',
    'with a check, `n_correct` = learners whose final check is correct, `n_ever_correct` =',
    'learners with a correct check, `n_checks` = checks, `avg_attempts` = mean of the learners’',
    '`attempts`, `avg_grade_share` = mean of the learners’ final `grade / max_grade` (learners',
    'whose final `max_grade` > 0), rounded to 6 decimals. One row per `problem` block of the',
    'course structure in course order (as `video_axis` walks it; zero counts and empty means',
    'when no one checked it), then one per other problem id met in the checks, by id.',
  ].join('\n'),
  changes: [
    'edx2bigquery’s `course_problem` aggregates its `person_problem` per problem (learners,',
    'mean grade, attempts; anchors.md §4a item 6). Here the learners who solved it are',
    'counted twice — by their final check and by any check — and problems nobody tried are',
    'listed with zero counts (anchors.md §4a item 6).',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const blocks = (await courseBlocks(context.db)).filter((b) => b.category === 'problem');
    const totals = new Map<string, Totals>();
    for await (const p of personProblems(context)) {
      if (p.problemId === null) continue;
      let t = totals.get(p.problemId);
      if (t === undefined) {
        t = {
          learners: 0,
          correct: 0,
          everCorrect: 0,
          checks: 0,
          attempts: 0,
          withAttempts: 0,
          gradeShare: 0,
          withGrade: 0,
          maxGrade: null,
        };
        totals.set(p.problemId, t);
      }
      t.learners++;
      t.checks += p.checks;
      if (p.finalCorrect) t.correct++;
      if (p.everCorrect) t.everCorrect++;
      if (p.attempts !== null) {
        t.attempts += p.attempts;
        t.withAttempts++;
      }
      if (p.grade !== null && p.maxGrade !== null && p.maxGrade > 0) {
        t.gradeShare += p.grade / p.maxGrade;
        t.withGrade++;
      }
      if (p.maxGrade !== null && (t.maxGrade === null || p.maxGrade > t.maxGrade)) {
        t.maxGrade = p.maxGrade;
      }
    }
    const placed = new Set<string>();
    const row = (
      id: string,
      index: number | null,
      name: string | null,
      chapter: string | null,
    ): Row => {
      const t = totals.get(id);
      return {
        problem_index: index,
        problem_id: id,
        problem_name: name,
        chapter_name: chapter,
        max_grade: t?.maxGrade ?? null,
        n_learners: t?.learners ?? 0,
        n_correct: t?.correct ?? 0,
        n_ever_correct: t?.everCorrect ?? 0,
        n_checks: t?.checks ?? 0,
        avg_attempts:
          t !== undefined && t.withAttempts > 0 ? round(t.attempts / t.withAttempts) : null,
        avg_grade_share:
          t !== undefined && t.withGrade > 0 ? round(t.gradeShare / t.withGrade) : null,
      };
    };
    for (const [i, block] of blocks.entries()) {
      placed.add(block.moduleId);
      yield row(block.moduleId, i + 1, block.name, block.chapter?.name ?? null);
    }
    for (const id of [...totals.keys()].filter((k) => !placed.has(k)).sort()) {
      yield row(id, null, null, null);
    }
  },
};
