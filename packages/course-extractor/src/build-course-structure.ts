/**
 * The course-structure transformation (McGill's `parse_course_structure.py`, fixed) and the
 * course axis (edx2bigquery's `edx2course_axis.py`), as one pure function: no I/O.
 *
 * Input: the parsed `…-course_structure-…-analytics.json`, a flat map from usage key to
 * `{category, children, metadata}` (edx-formats.md §4).
 */
import { InputError, UsageError, tryParseCourseId } from '@edx-data/core';
import { parseUsageKey } from './usage-key.js';

/** The categories whose blocks are removed, their children spliced into their place. */
export const SPLICED_CATEGORIES: readonly string[] = ['conditional', 'wrapper'];

/** The categories that give `parent_data` fields, outermost first. */
export const PARENT_DATA_CATEGORIES: readonly string[] = [
  'course',
  'chapter',
  'sequential',
  'vertical',
];

/**
 * The ancestors of a block, as McGill's loader named them: for each category `X` of
 * `course`, `chapter`, `sequential`, `vertical` that the block has as an ancestor,
 * `X_id` (short block id) and `X_display_name` of the nearest such ancestor, and `X_order`,
 * the 0-based position (after splicing) of the child of that ancestor on the path to the
 * block. A field is absent when the block has no ancestor of that category.
 */
export type ParentData = Partial<Record<`${ParentDataCategory}_order`, number>> &
  Partial<Record<`${ParentDataCategory}_${'id' | 'display_name'}`, string | null>>;

export type ParentDataCategory = 'course' | 'chapter' | 'sequential' | 'vertical';

/** One document of `course_structure`. */
export type StructureBlock = {
  /** The full usage key (`block-v1:…` or `i4x://…`). */
  readonly _id: string;
  /** The short block id: after `block@`, or the last segment of an `i4x://` key. */
  readonly block_id: string;
  readonly category: string;
  readonly display_name: string | null;
  /** Usage keys of the children, in order, after splicing and without missing ones. */
  readonly children: readonly string[];
  /** Usage key of the parent (the first one in course order), or null for a root. */
  readonly parent: string | null;
  /** The block's own metadata, as in the file. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly parent_data: ParentData;
};

/** Extra data of an axis row, as edx2bigquery's `data` record (only the fields that apply). */
export type CourseAxisData = {
  /** Videos: `youtube_id_1_0`. */
  readonly ytid?: string;
  /** Problems: `weight`. */
  readonly weight?: number;
  /** split_test: `group_id_to_child` as JSON text. */
  readonly group_id_to_child?: string;
  /** split_test: `user_partition_id` as text. */
  readonly user_partition_id?: string;
};

/** One row of `course_axis` (edx2bigquery `schema_course_axis.json`). */
export type CourseAxisRow = {
  /** 1-based position in depth-first course order. */
  readonly index: number;
  readonly category: string;
  /** The short block id. */
  readonly url_name: string;
  /** `display_name`, or `url_name` when there is none. */
  readonly name: string;
  /**
   * edx2bigquery's path: `/chapter` for a chapter, `/chapter/sequential` for a sequential,
   * else the parent's path plus the 1-based position among its siblings (`/ch/seq/2/1`).
   */
  readonly path: string;
  /** `url_name` of the parent, or null. */
  readonly parent: string | null;
  /** `module_id` of the enclosing chapter, or null (also for chapters themselves). */
  readonly chapter_mid: string | null;
  /** `graded`, inherited from the nearest ancestor that sets it. @default false */
  readonly graded: boolean;
  /** Assignment type: `format`, inherited. */
  readonly gformat: string | null;
  /** `start`, inherited, never before the parent's start. */
  readonly start: Date | null;
  /** `due`, inherited. */
  readonly due: Date | null;
  /** `org/course/category/url_name`. */
  readonly module_id: string;
  /** `Org/Course/Run`, when known. */
  readonly course_id: string | null;
  /** The full usage key. */
  readonly usage_key: string;
  /** Inside a `split_test`. */
  readonly is_split: boolean;
  /** `url_name` of the enclosing `split_test`, or null. */
  readonly split_url_name: string | null;
  readonly data: CourseAxisData;
};

/** What was odd in the file. Nothing here stops the rest from loading. */
export interface StructureIssues {
  /** A child id listed in `children` that is not a block of the file. */
  readonly missingChildren: readonly { readonly parent: string; readonly child: string }[];
  /** Blocks listed as a child by several blocks (after splicing); the first in course order wins. */
  readonly multipleParents: readonly {
    readonly block: string;
    readonly parents: readonly string[];
  }[];
  /** Blocks (other than `course`) with no parent: loaded as roots of their own, after the course. */
  readonly orphans: readonly string[];
  /** Blocks removed by splicing (`conditional`, `wrapper`). */
  readonly spliced: number;
}

export interface CourseStructure {
  /** One per block, in depth-first course order (then the orphans' trees). */
  readonly blocks: readonly StructureBlock[];
  readonly axis: readonly CourseAxisRow[];
  readonly issues: StructureIssues;
}

export interface BuildCourseStructureOptions {
  /** The course id (any form), for `course_id` and `module_id` of the axis. @default from the keys */
  readonly courseId?: string | undefined;
}

interface RawBlock {
  readonly key: string;
  readonly category: string;
  readonly children: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBlocks(json: unknown): Map<string, RawBlock> {
  if (!isRecord(json)) {
    throw new InputError('E_INPUT', 'a course structure must be a JSON object of blocks');
  }
  const blocks = new Map<string, RawBlock>();
  for (const [key, value] of Object.entries(json)) {
    if (!isRecord(value) || typeof value['category'] !== 'string') {
      throw new InputError('E_INPUT', `block ${key} has no string "category"`);
    }
    const children = value['children'] ?? [];
    if (!Array.isArray(children) || !children.every((c) => typeof c === 'string')) {
      throw new InputError('E_INPUT', `block ${key}: "children" must be a list of ids`);
    }
    const metadata = value['metadata'] ?? {};
    if (!isRecord(metadata)) {
      throw new InputError('E_INPUT', `block ${key}: "metadata" must be an object`);
    }
    blocks.set(key, { key, category: value['category'], children: children.map(String), metadata });
  }
  return blocks;
}

/** Throws `E_INPUT` naming the blocks of the first cycle found in `children`. */
function checkAcyclic(blocks: ReadonlyMap<string, RawBlock>): void {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of blocks.keys()) {
    if (state.has(start)) continue;
    const stack: { key: string; next: number }[] = [{ key: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { key: string; next: number };
      const children = blocks.get(top.key)?.children ?? [];
      const child = children[top.next];
      if (child === undefined) {
        state.set(top.key, 'done');
        stack.pop();
        continue;
      }
      top.next++;
      if (!blocks.has(child)) continue;
      const seen = state.get(child);
      if (seen === 'open') {
        const from = stack.findIndex((frame) => frame.key === child);
        const cycle = [...stack.slice(from).map((frame) => frame.key), child];
        throw new InputError('E_INPUT', `a cycle in "children": ${cycle.join(' -> ')}`);
      }
      if (seen === undefined) {
        state.set(child, 'open');
        stack.push({ key: child, next: 0 });
      }
    }
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function date(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function axisData(block: RawBlock): CourseAxisData {
  const m = block.metadata;
  const data: { -readonly [K in keyof CourseAxisData]: CourseAxisData[K] } = {};
  if (
    block.category === 'video' &&
    typeof m['youtube_id_1_0'] === 'string' &&
    m['youtube_id_1_0'] !== ''
  ) {
    data.ytid = m['youtube_id_1_0'];
  }
  if (block.category === 'problem') {
    const weight = typeof m['weight'] === 'string' ? Number(m['weight']) : m['weight'];
    if (typeof weight === 'number' && Number.isFinite(weight)) data.weight = weight;
  }
  if (block.category === 'split_test') {
    if (m['group_id_to_child'] !== undefined && m['group_id_to_child'] !== null) {
      data.group_id_to_child = JSON.stringify(m['group_id_to_child']);
    }
    const partition = m['user_partition_id'];
    if (typeof partition === 'number' || typeof partition === 'string') {
      data.user_partition_id = String(partition);
    }
  }
  return data;
}

/** What a block hands down to its children while walking. */
interface Context {
  readonly parent: RawBlock | undefined;
  readonly parentData: ParentData;
  readonly path: readonly string[];
  readonly seqNum: number;
  readonly chapterMid: string | null;
  readonly start: Date | null;
  readonly due: Date | null;
  readonly format: string | null;
  readonly graded: boolean;
  readonly split: string | null;
}

/**
 * Turn a parsed `course_structure` JSON into `course_structure` documents and `course_axis`
 * rows. `conditional` and `wrapper` blocks are removed and their children spliced into their
 * place; every other block gets its `parent_data` chain, at any depth.
 *
 * @example
 * const { blocks, axis, issues } = buildCourseStructure(JSON.parse(text));
 *
 * @throws InputError `E_INPUT` when the JSON is not a map of blocks, or `children` has a cycle
 *   (the message names the blocks of the cycle).
 * @throws UsageError `E_OPTION` for a `courseId` that is not a course id.
 */
export function buildCourseStructure(
  json: unknown,
  options: BuildCourseStructureOptions = {},
): CourseStructure {
  let courseIdOption: { org: string; course: string; legacy: string | undefined } | undefined;
  if (options.courseId !== undefined) {
    const parsed = tryParseCourseId(options.courseId);
    if (parsed === null) {
      throw new UsageError('E_OPTION', `courseId: not a course id: ${options.courseId}`);
    }
    courseIdOption = { org: parsed.org, course: parsed.course, legacy: parsed.legacy };
  }
  const raw = readBlocks(json);
  checkAcyclic(raw);
  const spliced = new Set(SPLICED_CATEGORIES);

  // Children after splicing (memoised; every block once, so each missing child is reported once).
  const missingChildren: { parent: string; child: string }[] = [];
  const effective = new Map<string, string[]>();
  const childrenOf = (block: RawBlock): string[] => {
    const known = effective.get(block.key);
    if (known !== undefined) return known;
    const out: string[] = [];
    for (const child of block.children) {
      const target = raw.get(child);
      if (target === undefined) missingChildren.push({ parent: block.key, child });
      else if (spliced.has(target.category)) out.push(...childrenOf(target));
      else out.push(child);
    }
    effective.set(block.key, out);
    return out;
  };
  const kept: RawBlock[] = [];
  let splicedCount = 0;
  for (const block of raw.values()) {
    childrenOf(block);
    if (spliced.has(block.category)) splicedCount++;
    else kept.push(block);
  }

  const parents = new Map<string, string[]>();
  for (const block of kept) {
    for (const child of childrenOf(block)) {
      const list = parents.get(child) ?? [];
      if (!list.includes(block.key)) list.push(block.key);
      parents.set(child, list);
    }
  }
  const multipleParents = [...parents.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([block, list]) => ({ block, parents: list }));
  const parentless = kept.filter((b) => !parents.has(b.key));
  const courses = parentless.filter((b) => b.category === 'course');
  const orphans = parentless.filter((b) => b.category !== 'course');

  // Course id (slash form) and org/course for module ids.
  const rootKey = courses[0] === undefined ? undefined : parseUsageKey(courses[0].key);
  const anyKey = kept[0] === undefined ? undefined : parseUsageKey(kept[0].key);
  const org = courseIdOption?.org ?? rootKey?.org ?? anyKey?.org;
  const courseNumber = courseIdOption?.course ?? rootKey?.course ?? anyKey?.course;
  const run = rootKey?.run ?? anyKey?.run;
  const courseId =
    courseIdOption?.legacy ??
    (org !== undefined && courseNumber !== undefined && run !== undefined
      ? `${org}/${courseNumber}/${run}`
      : null);

  const blocks: StructureBlock[] = [];
  const axis: CourseAxisRow[] = [];
  const visited = new Set<string>();

  // Depth-first, pre-order, with an explicit stack (a deep file cannot overflow the call
  // stack); a block reached again (several parents) is skipped when it is popped, which
  // gives the same order as the recursive walk.
  const stack: { block: RawBlock; ctx: Context }[] = [];
  const visit = (block: RawBlock, ctx: Context): void => {
    visited.add(block.key);
    const key = parseUsageKey(block.key);
    const id = key.blockId;
    const displayName = text(block.metadata['display_name']);
    const children = childrenOf(block);
    blocks.push({
      _id: block.key,
      block_id: id,
      category: block.category,
      display_name: displayName,
      children,
      parent: ctx.parent?.key ?? null,
      metadata: block.metadata,
      parent_data: ctx.parentData,
    });

    const m = block.metadata;
    const path =
      block.category === 'chapter'
        ? [id]
        : ['problemset', 'sequential', 'videosequence'].includes(block.category)
          ? [...ctx.path.slice(0, 1), id]
          : [...ctx.path, String(ctx.seqNum)];
    const moduleId = [org, courseNumber, block.category, id]
      .filter((p) => p !== undefined)
      .join('/');
    const ownStart = date(m['start']);
    let start = ownStart ?? ctx.start;
    if (start !== null && ctx.start !== null && start < ctx.start) start = ctx.start;
    const due = date(m['due']) ?? ctx.due;
    const format = text(m['format']) ?? ctx.format;
    const graded = typeof m['graded'] === 'boolean' ? m['graded'] : ctx.graded;
    axis.push({
      index: axis.length + 1,
      category: block.category,
      url_name: id,
      name: displayName ?? id,
      path: `/${path.join('/')}`,
      parent: ctx.parent === undefined ? null : parseUsageKey(ctx.parent.key).blockId,
      chapter_mid: ctx.chapterMid,
      graded,
      gformat: format,
      start,
      due,
      module_id: moduleId,
      course_id: courseId,
      usage_key: block.key,
      is_split: ctx.split !== null,
      split_url_name: ctx.split,
      data: axisData(block),
    });

    const category = block.category as ParentDataCategory;
    const gives = PARENT_DATA_CATEGORIES.includes(category);
    const pending: { block: RawBlock; ctx: Context }[] = [];
    children.forEach((childKey, position) => {
      const child = raw.get(childKey);
      if (child === undefined) return;
      const parentData: ParentData = gives
        ? {
            ...ctx.parentData,
            [`${category}_order`]: position,
            [`${category}_id`]: id,
            [`${category}_display_name`]: displayName,
          }
        : { ...ctx.parentData };
      pending.push({
        block: child,
        ctx: {
          parent: block,
          parentData,
          path,
          seqNum: position + 1,
          chapterMid: block.category === 'chapter' ? moduleId : ctx.chapterMid,
          start,
          due,
          format,
          graded,
          split: block.category === 'split_test' ? id : ctx.split,
        },
      });
    });
    for (let i = pending.length - 1; i >= 0; i--)
      stack.push(pending[i] as (typeof pending)[number]);
  };

  [...courses, ...orphans].forEach((root, position) => {
    stack.push({
      block: root,
      ctx: {
        parent: undefined,
        parentData: {},
        path: [],
        seqNum: position + 1,
        chapterMid: null,
        start: null,
        due: null,
        format: null,
        graded: false,
        split: null,
      },
    });
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (!visited.has(next.block.key)) visit(next.block, next.ctx);
    }
  });

  return {
    blocks,
    axis,
    issues: {
      missingChildren,
      multipleParents,
      orphans: orphans.map((b) => b.key),
      spliced: splicedCount,
    },
  };
}

/** Blocks by category, keys sorted. */
export function countByCategory(
  blocks: readonly { readonly category: string }[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const block of blocks) counts[block.category] = (counts[block.category] ?? 0) + 1;
  return Object.fromEntries(
    Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
