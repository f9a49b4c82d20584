import { resolve } from 'node:path';
import type { Command } from 'commander';
import { COURSE_COLLECTIONS, EdxDataError, MASTER_TRACKING, UsageError } from '@edx-data/core';
import type { CourseConfig } from '@edx-data/course-extractor';
import type { CliCommand, CommandResult } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatCount, formatTable, plural } from '../text-table.js';

interface ExtractCourseOptions {
  readonly config?: string;
  readonly courseId?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly timeZone?: string;
  readonly drop?: boolean;
}

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The course config: from `--config`, or built from `--course-id`, `--from`, `--to`. */
async function courseConfig(options: ExtractCourseOptions): Promise<CourseConfig> {
  const { parseCourseConfig, readCourseConfig } = await import('@edx-data/course-extractor');
  const courseIds = options.courseId ?? [];
  const inline = courseIds.length > 0 || options.from !== undefined || options.to !== undefined;
  if (options.config !== undefined) {
    if (inline || options.timeZone !== undefined) {
      throw new UsageError(
        'E_USAGE',
        '--config cannot be combined with --course-id, --from, --to or --time-zone (put them in the file)',
      );
    }
    return readCourseConfig(resolve(options.config));
  }
  const missing = [
    courseIds.length === 0 ? '--course-id' : '',
    options.from === undefined ? '--from' : '',
    options.to === undefined ? '--to' : '',
  ].filter((name) => name !== '');
  if (missing.length > 0) {
    throw new UsageError(
      'E_USAGE',
      `give --config FILE, or --course-id ID --from YYYY-MM-DD --to YYYY-MM-DD (missing: ${missing.join(', ')})`,
    );
  }
  try {
    return parseCourseConfig({
      course_ids: courseIds,
      date_of_course_enrollment: options.from,
      date_of_course_completion: options.to,
      ...(options.timeZone === undefined ? {} : { time_zone: options.timeZone }),
    });
  } catch (error) {
    // The values came from the command line: a usage error, named by option.
    if (error instanceof EdxDataError) {
      const message = error.message
        .replace(/^course config: /u, '')
        .replace(/\bcourse_ids(\[\d+\])?/u, '--course-id')
        .replace(/\bdate_of_course_enrollment\b/u, '--from')
        .replace(/\bdate_of_course_completion\b/u, '--to')
        .replace(/\btime_zone\b/u, '--time-zone');
      throw new UsageError('E_OPTION', message, { cause: error });
    }
    throw error;
  }
}

/** `2024-01-08 to 2024-01-14 (UTC)`: the window as the user wrote it. */
export function describeWindow(config: CourseConfig): string {
  return `${config.enrollmentDate} to ${config.completionDate} inclusive (${config.timeZone})`;
}

const percent = (part: number, whole: number): string =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;

/**
 * `edx-pipeline extract-course --config course.json [--drop]`, or the same with `--course-id
 * ID --from YYYY-MM-DD --to YYYY-MM-DD [--time-zone TZ]`: a course's events from the master
 * tracking database into its course database, joined with its structure, and `problem_ids`.
 */
export const extractCourseCommand: CliCommand = {
  name: 'extract-course',

  configure(command: Command): void {
    command
      .summary("copy one course's tracking events into its course database")
      .description(
        'Copy the events of a course (its course ids in any form) between its enrollment and ' +
          'completion days (both whole days, in UTC or the given IANA time zone) from ' +
          `${MASTER_TRACKING.database}.${MASTER_TRACKING.events} into the course database, collection ${COURSE_COLLECTIONS.tracking}, each with the ` +
          `block it happened in and that block\u2019s parent_data (from ${COURSE_COLLECTIONS.course_structure}; run import ` +
          `first). Then build ${COURSE_COLLECTIONS.problem_ids}: the server problem_check events with the learner\u2019s ` +
          `hash_id from ${COURSE_COLLECTIONS.user_id_map}. A re-run adds only what is new; --drop rebuilds both. The ` +
          'config file follows the McGill template: docs/course-config.md.',
      )
      .option('--config <file>', 'course config (JSON: course_ids, date_of_course_enrollment, …)')
      .option('--course-id <id>', 'a course id (repeat for several runs of a course)', collect)
      .option('--from <YYYY-MM-DD>', 'first day (included)')
      .option('--to <YYYY-MM-DD>', 'last day (included, the whole day)')
      .option('--time-zone <tz>', 'IANA time zone of the two days (default: UTC)')
      .option(
        '--drop',
        `drop the course's ${COURSE_COLLECTIONS.tracking} and ${COURSE_COLLECTIONS.problem_ids} collections first`,
      );
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<ExtractCourseOptions>();
    return runExtractCourse(context, {
      config: await courseConfig(options),
      drop: options.drop === true,
    });
  },
};

/** What `extract-course` is asked to do, once its options are read. */
export interface ExtractCourseArgs {
  readonly config: CourseConfig;
  /** Drop the course's tracking and problem_ids first. */
  readonly drop?: boolean | undefined;
}

/**
 * Extract a course's events from the master tracking database into its course database, then
 * build its problem_ids (`@edx-data/course-extractor`), and report.
 */
export async function runExtractCourse(
  context: CommandContext,
  args: ExtractCourseArgs,
): Promise<CommandResult> {
  const { config } = args;
  const { buildProblemIds, extractCourseTracking } = await import('@edx-data/course-extractor');
  const store = await context.openStore({ create: false });
  const drop = args.drop === true;
  const extracted = await extractCourseTracking(store, config, {
    drop,
    onProgress: ({ read }) => {
      context.progress.update(`extract-course: ${formatCount(read)} events`);
    },
  });
  context.progress.update('extract-course: problem_ids');
  const problems = await buildProblemIds(store, extracted.database, { drop });
  context.progress.clear();

  const table = formatTable(
    [{ header: 'course' }, { header: 'events', align: 'right' }],
    config.courseKeys.map((key) => [key, formatCount(extracted.byCourse[key] ?? 0)]),
  );
  const lines = [
    `${extracted.database}.${COURSE_COLLECTIONS.tracking}: events of ${describeWindow(config)}`,
    table,
    '',
    `${plural(extracted.read, 'event')} read from ${MASTER_TRACKING.database}.${MASTER_TRACKING.events}: ${formatCount(extracted.inserted)} new, ${formatCount(extracted.alreadyPresent)} already there.`,
    `With a block and its parent_data: ${formatCount(extracted.withBlock)} (${percent(extracted.withBlock, extracted.read)}); without: ${formatCount(extracted.withoutBlock)}.`,
    `${extracted.database}.${COURSE_COLLECTIONS.problem_ids}: ${plural(problems.read, 'server problem_check event')} (${formatCount(problems.inserted)} new), ${formatCount(problems.withoutUser)} of learners not in user_id_map.`,
  ];
  if (extracted.read === 0) {
    context.warn(
      `no events of ${config.courseKeys.join(', ')} in that window in ${MASTER_TRACKING.database}.${MASTER_TRACKING.events} (load the logs with load-tracking first)`,
    );
  } else if (extracted.structureBlocks === 0) {
    context.warn(
      `no ${COURSE_COLLECTIONS.course_structure} in ${extracted.database}: the events carry no block (import the course structure first, then extract again)`,
    );
  }
  return {
    text: lines.join('\n'),
    summary: {
      database: extracted.database,
      courseKeys: [...config.courseKeys],
      from: extracted.from.toISOString(),
      toExclusive: extracted.toExclusive.toISOString(),
      timeZone: extracted.timeZone,
      dropped: extracted.dropped,
      read: extracted.read,
      inserted: extracted.inserted,
      alreadyPresent: extracted.alreadyPresent,
      withBlock: extracted.withBlock,
      withoutBlock: extracted.withoutBlock,
      byCourse: { ...extracted.byCourse },
      structureBlocks: extracted.structureBlocks,
      problemIds: {
        read: problems.read,
        inserted: problems.inserted,
        alreadyPresent: problems.alreadyPresent,
        withoutUser: problems.withoutUser,
      },
    },
  };
}
