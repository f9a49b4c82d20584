/** `sequential_aggregation`: what each subsection (sequential) of the course is made of. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';

/** Categories with a column of their own (column name → category). */
const COUNTED: readonly (readonly [string, string])[] = [
  ['videos', 'video'],
  ['html', 'html'],
  ['problems', 'problem'],
  ['discussions', 'discussion'],
  ['poll_questions', 'poll_question'],
  ['word_clouds', 'word_cloud'],
];

function childrenOf(block: Document): string[] {
  const children = block['children'];
  return Array.isArray(children) ? children.filter((c): c is string => typeof c === 'string') : [];
}

function nameOf(block: Document): string | null {
  const metadata = block['metadata'];
  const name =
    block['display_name'] ??
    (typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>)['display_name']
      : undefined);
  return typeof name === 'string' ? name : null;
}

/** A block's url_name: `block_id`, else the end of its key (`…block@<id>`, `i4x://…/<id>`). */
function urlNameOf(block: Document): string | null {
  if (typeof block['block_id'] === 'string') return block['block_id'];
  const id = block['_id'];
  if (typeof id !== 'string') return null;
  const at = id.lastIndexOf('@');
  return at >= 0 ? id.slice(at + 1) : (id.split('/').at(-1) ?? null);
}

export const sequentialAggregation: QueryReport = {
  kind: 'query',
  name: 'sequential_aggregation',
  question: 'What is each subsection (sequential) of the course made of?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.course_structure],
  columns: [
    { name: 'chapter_id', type: 'string', description: 'The chapter (section), its url_name' },
    { name: 'chapter_name', type: 'string', description: 'Display name of that chapter' },
    {
      name: 'sequential_id',
      type: 'string',
      description: 'The sequential (subsection), its url_name',
    },
    { name: 'sequential_name', type: 'string', description: 'Display name of that sequential' },
    { name: 'verticals', type: 'integer', description: 'Its units (children of the sequential)' },
    { name: 'videos', type: 'integer', description: 'video blocks in its units' },
    { name: 'html', type: 'integer', description: 'html blocks in its units' },
    { name: 'problems', type: 'integer', description: 'problem blocks in its units' },
    { name: 'discussions', type: 'integer', description: 'discussion blocks in its units' },
    { name: 'poll_questions', type: 'integer', description: 'poll_question blocks in its units' },
    { name: 'word_clouds', type: 'integer', description: 'word_cloud blocks in its units' },
    {
      name: 'other_blocks',
      type: 'json',
      description:
        'Blocks of any other category in its units, as an object category → count ({} when none)',
    },
  ],
  definition: [
    'Reads the course structure (`course_structure`, one document per block). The sequentials',
    'are those reached from the course block through `children` (course → chapter →',
    'sequential), in course order (the order of the `children` lists). For each: its',
    '`children` count as `verticals`, and every block below those units (children, and their',
    'children, at any depth) is counted by `category`: `video`, `html`, `problem`,',
    '`discussion`, `poll_question`, `word_cloud` in columns of their own, any other category',
    '(e.g. `openassessment`, `drag-and-drop-v2`, `split_test`) in `other_blocks`. Import',
    'splices `conditional` and `wrapper` blocks out of the structure, so their children are',
    'counted in the unit that held them.',
    'A child key missing from the structure is not counted. Sequentials not reachable from the',
    'course block (orphans) are left out. Course order as in edx2bigquery’s `course_axis`',
    '(anchors.md A1).',
  ].join('\n'),
  changes: [
    'The McGill `sequential-aggregation` (CLI) and `sequential_aggregation.py` (standalone)',
    'wrote the same counts under different headers (`Number of HTMLs` / `Number of HTML`,',
    '`Number of Word Clouds` / `Number of Word Cloud`); here there is one set of column names.',
    'It listed sequentials in database order and counted only grandchildren of the sequential',
    '(blocks nested in a wrapper were missed, other categories dropped); here rows follow the',
    'course and every block below a unit is counted, other categories in `other_blocks`. One',
    'read of the structure instead of a query per child.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const blocks = new Map<string, Document>();
    let course: Document | undefined;
    const structure = context.db.collection(COURSE_COLLECTIONS.course_structure);
    for await (const block of structure.find({})) {
      if (typeof block['_id'] === 'string') blocks.set(block['_id'], block);
      if (block['category'] === 'course' && course === undefined) course = block;
    }
    if (course === undefined) return;
    const counted = new Map(COUNTED.map(([column, category]) => [category, column]));
    for (const chapterKey of childrenOf(course)) {
      const chapter = blocks.get(chapterKey);
      if (chapter === undefined) continue;
      for (const sequentialKey of childrenOf(chapter)) {
        const sequential = blocks.get(sequentialKey);
        if (sequential === undefined) continue;
        const columns: Record<string, number> = Object.fromEntries(
          COUNTED.map(([column]) => [column, 0]),
        );
        const other: Record<string, number> = {};
        const verticals = childrenOf(sequential);
        const stack = verticals.flatMap((v) => childrenOf(blocks.get(v) ?? {})).reverse();
        const seen = new Set<string>();
        while (stack.length > 0) {
          const key = stack.pop() ?? '';
          const block = blocks.get(key);
          if (block === undefined || seen.has(key)) continue;
          seen.add(key);
          const category = typeof block['category'] === 'string' ? block['category'] : '';
          const column = counted.get(category);
          if (column !== undefined) columns[column] = (columns[column] ?? 0) + 1;
          else other[category] = (other[category] ?? 0) + 1;
          stack.push(...childrenOf(block).reverse());
        }
        yield {
          chapter_id: urlNameOf(chapter),
          chapter_name: nameOf(chapter),
          sequential_id: urlNameOf(sequential),
          sequential_name: nameOf(sequential),
          verticals: verticals.length,
          ...columns,
          other_blocks: other,
        };
      }
    }
  },
};
