/**
 * `generatePackage`: a complete synthetic edX data package (database tables, forum dumps,
 * course structures, daily tracking logs) plus `ground-truth.json`, the numbers a correct load
 * of it must reproduce.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blockCounts, courseStructureJson, sortKeys } from './course-structure.js';
import { forumLines } from './forum.js';
import type { GeneratePackageOptions, Quirk } from './options.js';
import { normalizeOptions, QUIRKS } from './options.js';
import { openSink } from './sink.js';
import { courseTables, GENERATED_TABLES } from './tables.js';
import { readPublicKeys } from './test-key.js';
import { dayString } from './time.js';
import type { EventFileTruth } from './tracking-events.js';
import { dayContext, newTally, writeDay } from './tracking-events.js';
import { studentModuleRow, tsvRow } from './tsv.js';
import { buildWorld } from './world.js';

/** What a package file is, as `ground-truth.json` lists it. */
export type GeneratedFileKind = 'table' | 'forum' | 'course_structure' | 'events';

export interface GeneratedFile {
  /** Path relative to the package folder, `/`-separated. */
  readonly path: string;
  readonly kind: GeneratedFileKind;
  /** Canonical course key (all but `events`). */
  readonly course?: string;
  /** The table name (`table` only). */
  readonly table?: string;
  /** Data rows (tables, without the header) or lines (forum dumps). */
  readonly rows?: number;
  /** The day (`events` only). */
  readonly date?: string;
}

/** The exact numbers for one course. */
export interface CourseTruth {
  /** `course-v1:Org+Course+Run`. */
  readonly key: string;
  /** `Org/Course/Run`. */
  readonly legacyId: string;
  /** `Org-Course-Run`, the file name prefix. */
  readonly filePrefix: string;
  /** Learners enrolled (rows of `auth_user`). */
  readonly learners: number;
  /** Rows of `student_courseenrollment`. */
  readonly enrollments: number;
  readonly activeEnrollments: number;
  readonly enrollmentsByMode: Readonly<Record<string, number>>;
  readonly certificatesByStatus: Readonly<Record<string, number>>;
  /** Data rows per table (header excluded). */
  readonly tables: Readonly<Record<string, number>>;
  /** The second column of `user_id_map`: `id` (before 2022-10) or `user_id`. */
  readonly userIdMapHeader: 'id' | 'user_id';
  /** Forum documents by type: `thread` (CommentThread), `response` and `comment` (Comment). */
  readonly forum: { readonly thread: number; readonly response: number; readonly comment: number };
  /** `new` (compact, ISO / $numberLong dates) or `old` (spaced, bare millis). */
  readonly forumDialect: 'new' | 'old';
  /**
   * Blocks of the course structure by category: `before` counts every entry of the file;
   * `after` is the tree once `conditional` and `wrapper` blocks are spliced out (their
   * children moved up to their parent).
   */
  readonly blocks: {
    readonly before: Readonly<Record<string, number>>;
    readonly after: Readonly<Record<string, number>>;
    readonly totalBefore: number;
    readonly totalAfter: number;
  };
  /** Unique events (duplicate lines counted once, rejected lines not at all). */
  readonly events: number;
  /** Unique events by the UTC day of their `time` (naive times read as UTC). */
  readonly eventsByDay: Readonly<Record<string, number>>;
  /** Unique events by `event_type`. */
  readonly eventsByType: Readonly<Record<string, number>>;
  /**
   * Unique events that reference a block: a `block-v1:` usage key in `event.id` (browser
   * `event` strings JSON-decoded), `event.problem_id` or `context.module.usage_key`.
   */
  readonly blockEvents: number;
  /** The same, by the block category of that key. */
  readonly blockEventsByCategory: Readonly<Record<string, number>>;
}

/** Totals over every daily log. */
export interface EventTotals {
  readonly files: number;
  readonly lines: number;
  readonly events: number;
  readonly uniqueEvents: number;
  readonly duplicateLines: number;
  readonly rejectedLines: number;
  readonly prefixedLines: number;
  readonly eventsWithoutCourse: number;
}

/** The content of `ground-truth.json`. */
export interface GroundTruth {
  readonly version: 1;
  readonly generator: '@edx-data/synthetic-data';
  readonly options: {
    readonly org: string;
    readonly courses: number;
    readonly learners: number;
    readonly days: number;
    readonly start: string;
    readonly seed: number;
    readonly quirks: readonly Quirk[];
    readonly encrypted: boolean;
  };
  /** Canonical course keys, in file order. */
  readonly courseIds: readonly string[];
  /** Learners of the org (each enrolled in at least one course). */
  readonly learners: number;
  /** The folder of the database files (relative), `{org}-{YYYY-MM-DD}`. */
  readonly databaseDir: string;
  /** Every data file written (not this file). */
  readonly files: readonly GeneratedFile[];
  readonly courses: Readonly<Record<string, CourseTruth>>;
  readonly events: {
    readonly totals: EventTotals;
    readonly files: readonly EventFileTruth[];
  };
}

export interface GeneratedPackage {
  /** The package folder. */
  readonly dir: string;
  /** Absolute path of `ground-truth.json`. */
  readonly groundTruthFile: string;
  readonly groundTruth: GroundTruth;
}

/** The name of the ground-truth file in the package folder. */
export const GROUND_TRUTH_FILE = 'ground-truth.json';

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return sortKeys(out);
}

function fromMap(map: Map<string, number> | undefined): Record<string, number> {
  return sortKeys(Object.fromEntries(map ?? []));
}

/**
 * Write a synthetic package into `options.dir` and return its ground truth (also written as
 * `ground-truth.json`). The same seed and options give byte-identical files (unless
 * encrypted: OpenPGP session keys are random).
 *
 * @example
 * const { groundTruth } = await generatePackage({ dir: '/tmp/pkg', courses: 2, learners: 100, days: 3, seed: 7 });
 * console.log(groundTruth.events.totals.uniqueEvents);
 *
 * @throws UsageError `E_OPTION` for invalid options.
 */
export async function generatePackage(options: GeneratePackageOptions): Promise<GeneratedPackage> {
  const opts = normalizeOptions(options);
  const keys = await readPublicKeys(opts.encryptTo);
  const world = buildWorld(opts);
  const exportDate = dayString(opts.startDay + opts.days);
  const databaseDir = `${opts.org}-${exportDate}`;
  await mkdir(join(opts.dir, databaseDir), { recursive: true });
  await mkdir(join(opts.dir, 'events'), { recursive: true });
  const files: GeneratedFile[] = [];
  const suffix = keys.length > 0 ? '.gpg' : '';

  async function write(
    path: string,
    gzip: boolean,
    produce: (write: (text: string) => Promise<void> | undefined) => Promise<void>,
  ): Promise<void> {
    const sink = openSink(join(opts.dir, path), { gzip, encryptTo: keys });
    await produce((text) => sink.write(text));
    await sink.close();
    opts.onFile?.(path);
  }

  const courseTruths: Record<
    string,
    Omit<
      CourseTruth,
      'events' | 'eventsByDay' | 'eventsByType' | 'blockEvents' | 'blockEventsByCategory'
    >
  > = {};
  for (const course of world.courses) {
    const tables = courseTables(world, course, opts.seed);
    const rowCounts: Record<string, number> = {};
    for (const table of GENERATED_TABLES) {
      const data = tables.get(table);
      if (data === undefined) continue;
      const path = `${databaseDir}/${course.prefix}-${table}-prod-analytics.sql${suffix}`;
      const row = table === 'courseware_studentmodule' ? studentModuleRow : tsvRow;
      await write(path, false, async (put) => {
        await put(row(data.header));
        for (const cells of data.rows) await put(row(cells));
      });
      rowCounts[table] = data.rows.length;
      files.push({ path, kind: 'table', course: course.key, table, rows: data.rows.length });
    }

    const forum = forumLines(course, world.forum, opts.seed);
    const forumPath = `${databaseDir}/${course.prefix}-prod.mongo${suffix}`;
    await write(forumPath, false, async (put) => {
      for (const line of forum) await put(line);
    });
    files.push({ path: forumPath, kind: 'forum', course: course.key, rows: forum.length });

    const structurePath = `${databaseDir}/${course.prefix}-course_structure-prod-analytics.json${suffix}`;
    await write(structurePath, false, async (put) => {
      await put(courseStructureJson(course.outline));
    });
    files.push({ path: structurePath, kind: 'course_structure', course: course.key });

    const enrollments = world.enrollments.filter((e) => e.course === course);
    const posts = world.forum.filter((p) => p.course === course);
    const blocks = blockCounts(course.outline);
    const total = (r: Record<string, number>): number =>
      Object.values(r).reduce((a, b) => a + b, 0);
    courseTruths[course.key] = {
      key: course.key,
      legacyId: course.legacy,
      filePrefix: course.prefix,
      learners: rowCounts['auth_user'] ?? 0,
      enrollments: enrollments.length,
      activeEnrollments: enrollments.filter((e) => e.isActive).length,
      enrollmentsByMode: countBy(enrollments, (e) => e.mode),
      certificatesByStatus: countBy(
        world.certificates.filter((c) => c.enrollment.course === course),
        (c) => c.status,
      ),
      tables: rowCounts,
      userIdMapHeader: course.newUserIdMap ? 'user_id' : 'id',
      forum: {
        thread: posts.filter((p) => p.type === 'thread').length,
        response: posts.filter((p) => p.type === 'response').length,
        comment: posts.filter((p) => p.type === 'comment').length,
      },
      forumDialect: course.forumDialect,
      blocks: { ...blocks, totalBefore: total(blocks.before), totalAfter: total(blocks.after) },
    };
  }

  const ctx = dayContext(world, opts.quirks, opts.seed);
  const tally = newTally();
  const eventFiles: EventFileTruth[] = [];
  const orgLower = opts.org.toLowerCase();
  for (let d = 0; d < opts.days; d++) {
    const day = opts.startDay + d;
    const path = `events/${orgLower}-edx-events-${dayString(day)}.log.gz${suffix}`;
    let truth: EventFileTruth | undefined;
    await write(path, true, async (put) => {
      truth = await writeDay(ctx, day, path, { write: put, close: () => Promise.resolve() }, tally);
    });
    if (truth === undefined) throw new Error('unreachable: no event file truth');
    eventFiles.push(truth);
    files.push({ path, kind: 'events', date: dayString(day) });
  }

  const courses: Record<string, CourseTruth> = {};
  for (const [key, truth] of Object.entries(courseTruths)) {
    const byDay = fromMap(tally.byCourseDay.get(key));
    courses[key] = {
      ...truth,
      events: Object.values(byDay).reduce((a, b) => a + b, 0),
      eventsByDay: byDay,
      eventsByType: fromMap(tally.byType.get(key)),
      blockEvents: tally.blockEvents.get(key) ?? 0,
      blockEventsByCategory: fromMap(tally.blockEventsByCategory.get(key)),
    };
  }
  const sum = (f: (t: EventFileTruth) => number): number =>
    eventFiles.reduce((n, t) => n + f(t), 0);
  const groundTruth: GroundTruth = {
    version: 1,
    generator: '@edx-data/synthetic-data',
    options: {
      org: opts.org,
      courses: opts.courses,
      learners: opts.learners,
      days: opts.days,
      start: opts.start,
      seed: opts.seed,
      quirks: QUIRKS.filter((q) => opts.quirks.has(q)),
      encrypted: keys.length > 0,
    },
    courseIds: world.courses.map((c) => c.key),
    learners: world.learners.length,
    databaseDir,
    files,
    courses,
    events: {
      totals: {
        files: eventFiles.length,
        lines: sum((t) => t.lines),
        events: sum((t) => t.events),
        uniqueEvents: sum((t) => t.uniqueEvents),
        duplicateLines: sum((t) => t.duplicateLines.length),
        rejectedLines: sum((t) => t.rejectedLines.length),
        prefixedLines: sum((t) => t.prefixedLines),
        eventsWithoutCourse: sum((t) => t.eventsWithoutCourse),
      },
      files: eventFiles,
    },
  };
  const groundTruthFile = join(opts.dir, GROUND_TRUTH_FILE);
  await writeFile(groundTruthFile, `${JSON.stringify(groundTruth, null, 2)}\n`);
  return { dir: opts.dir, groundTruthFile, groundTruth };
}
