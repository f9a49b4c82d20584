/** `chapters_accessed_per_user`: how many (and which) chapters each learner was active in. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { usernameOf } from '../tracking-pass.js';
import { LEARNER_COLUMNS } from './columns.js';
import { learnerIdOf } from './learner-shared.js';

interface Chapter {
  readonly id: string;
  readonly name: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The chapters of the course structure in course order: the `children` of the course block,
 * then any other chapter by `block_id`.
 */
async function courseChapters(context: ReportContext): Promise<Chapter[]> {
  const blocks = context.db.collection(COURSE_COLLECTIONS.course_structure);
  const byKey = new Map<string, Chapter>();
  let order: unknown[] = [];
  const query = { category: { $in: ['course', 'chapter'] } };
  for await (const block of blocks.find(query, { sort: { _id: 1 } })) {
    if (block['category'] === 'course') {
      if (Array.isArray(block['children'])) order = block['children'] as unknown[];
      continue;
    }
    const id = text(block['block_id']);
    if (id === null) continue;
    const metadata = block['metadata'];
    const name =
      text(block['display_name']) ??
      (typeof metadata === 'object' && metadata !== null
        ? text((metadata as Record<string, unknown>)['display_name'])
        : null);
    byKey.set(String(block['_id']), { id, name });
  }
  const chapters: Chapter[] = [];
  for (const key of order) {
    const chapter = byKey.get(String(key));
    if (chapter === undefined) continue;
    chapters.push(chapter);
    byKey.delete(String(key));
  }
  chapters.push(...[...byKey.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return chapters;
}

export const chaptersAccessedPerUser: TrackingReport = {
  kind: 'tracking',
  name: 'chapters_accessed_per_user',
  question: 'How many, and which, chapters of the course did each learner access (in the window)?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.course_structure, COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'chapters_accessed',
      type: 'integer',
      description: 'Distinct chapters of the course the learner had an event in',
    },
    {
      name: 'chapters_total',
      type: 'integer',
      description: 'Chapters in the course structure',
    },
    {
      name: 'chapter_ids',
      type: 'json',
      description: 'The chapters accessed, their url_names in course order (JSON array)',
    },
    {
      name: 'chapter_names',
      type: 'json',
      description: 'Their display names, in the same order (JSON array)',
    },
  ],
  definition: [
    'One row per learner (non-empty `username`) with at least one course event in the window',
    '(both days of `from`/`to` whole, UTC), including learners whose events are in no chapter',
    '(`chapters_accessed` 0). A chapter is **accessed** when at least one of the learner’s events',
    'has it as `parent_data.chapter_id` (the chapter of the block the extraction joined to the',
    'event: courseware page views, problem, video and sequence events); chapter ids that are',
    'not chapters of the course structure do not count. `chapters_total` counts the `chapter`',
    'blocks of `course_structure`. The chapters are listed in course order (the order of the',
    'course block’s `children`). Rows in `username` order. Compare edX2BigQuery’s `nchapters`',
    '(anchors.md, person_course), which counts chapters with `courseware_studentmodule` state',
    'instead of events.',
  ].join('\n'),
  changes: [
    'The McGill `basic/chapters_accessed_per_user.py` was a stub that never produced a row',
    '(its loop body was `pass` and its header `None`). This is the report it meant to be:',
    'one row per learner with a count, the course total, and the chapters themselves in JSON',
    'columns (instead of one column per chapter, whose names change from course to course).',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const chapters = await courseChapters(context);
    const known = new Set(chapters.map((chapter) => chapter.id));
    let accessed = new Set<string>();
    let userId: number | null = null;
    let seen = false;
    return {
      event(event: Document): void {
        if (usernameOf(event) === '') return;
        seen = true;
        userId ??= learnerIdOf(context, event);
        const parent = event['parent_data'];
        if (typeof parent !== 'object' || parent === null) return;
        const chapter = (parent as Record<string, unknown>)['chapter_id'];
        if (typeof chapter === 'string' && known.has(chapter)) accessed.add(chapter);
      },
      endLearner(username: string, emit: Emit): void {
        if (seen) {
          const list = chapters.filter((chapter) => accessed.has(chapter.id));
          emit({
            ...context.learners.columns(userId, username),
            chapters_accessed: list.length,
            chapters_total: chapters.length,
            chapter_ids: list.map((chapter) => chapter.id),
            chapter_names: list.map((chapter) => chapter.name),
          });
        }
        accessed = new Set();
        userId = null;
        seen = false;
      },
    };
  },
};
