/**
 * The course config file of a tracking extraction, compatible with McGillX/edx_data_research's
 * template (`edx_id`, `edx_course_name`, `course_ids`, `date_of_course_enrollment`,
 * `date_of_course_completion`), plus an optional IANA `time_zone`. Schema:
 * `docs/course-config.schema.json`. {@link parseCourseConfig} is pure; {@link readCourseConfig}
 * reads the file.
 */
import { readFile } from 'node:fs/promises';
import { courseDatabaseName, InputError, tryParseCourseId } from '@edx-data/core';
import { canonicalTimeZone, dayRange, parseDay } from './zoned-day.js';

/** The config as written in the file (McGill's field names). */
export interface CourseConfigFile {
  readonly $schema?: string;
  /** Informational (McGill); when it is a course id, it names the course database. */
  readonly edx_id?: string;
  /** Informational. */
  readonly edx_course_name?: string;
  /** The course ids whose events are extracted, in any form (`course-v1:…`, `Org/Course/Run`). */
  readonly course_ids: readonly string[];
  /** First day of the window, `YYYY-MM-DD`, included. */
  readonly date_of_course_enrollment: string;
  /** Last day of the window, `YYYY-MM-DD`, included (the whole day). */
  readonly date_of_course_completion: string;
  /** IANA time zone of the two dates. @default 'UTC' */
  readonly time_zone?: string;
}

/** A validated course config, with the window as UTC instants. */
export interface CourseConfig {
  /** The file it was read from, when it was. */
  readonly file: string | undefined;
  readonly edxId: string | undefined;
  readonly edxCourseName: string | undefined;
  /** `course_ids` as written. */
  readonly courseIds: readonly string[];
  /** Their canonical keys (`course-v1:Org+Course+Run`), without repeats, in file order. */
  readonly courseKeys: readonly string[];
  /** The two dates as written (`YYYY-MM-DD`). */
  readonly enrollmentDate: string;
  readonly completionDate: string;
  /** The IANA time zone of the dates, as written (`UTC` by default). */
  readonly timeZone: string;
  /** Start of the enrollment day in `timeZone` (included). */
  readonly from: Date;
  /** Start of the day after the completion day in `timeZone` (excluded). */
  readonly toExclusive: Date;
  /**
   * The course database (`courseDatabaseName`): of `edx_id` when it is a course id, else of
   * the first course id, as the table and structure importers name it.
   */
  readonly database: string;
}

export interface ParseCourseConfigOptions {
  /** Named in error messages. */
  readonly file?: string | undefined;
}

const KNOWN_FIELDS = new Set([
  '$schema',
  '$comment',
  'edx_id',
  'edx_course_name',
  'course_ids',
  'date_of_course_enrollment',
  'date_of_course_completion',
  'time_zone',
]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

/**
 * Validate a course config (its JSON text, or the parsed value) and compute its window.
 *
 * @example
 * const config = parseCourseConfig({
 *   course_ids: ['McGillX/ATOC185x/2T2014'],
 *   date_of_course_enrollment: '2014-02-28',
 *   date_of_course_completion: '2014-08-30',
 * });
 * config.courseKeys; // ['course-v1:McGillX+ATOC185x+2T2014']
 * config.toExclusive; // 2014-08-31T00:00:00.000Z
 *
 * @throws InputError `E_INPUT` naming the file and the field, and what was expected;
 *   `E_COURSE_ID` for a course id that is not one.
 */
export function parseCourseConfig(
  json: unknown,
  options: ParseCourseConfigOptions = {},
): CourseConfig {
  const file = options.file;
  const fail = (message: string, code: 'E_INPUT' | 'E_COURSE_ID' = 'E_INPUT'): never => {
    throw new InputError(code, `course config: ${message}`, { file });
  };
  let value = json;
  if (typeof json === 'string') {
    const text = json.startsWith('\uFEFF') ? json.slice(1) : json;
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw new InputError(
        'E_INPUT',
        `course config: not valid JSON: ${(error as Error).message}`,
        {
          file,
          cause: error,
        },
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`expected a JSON object, got ${describe(value)}`);
  }
  const config = value as Record<string, unknown>;
  for (const field of Object.keys(config)) {
    if (!KNOWN_FIELDS.has(field)) {
      fail(
        `unknown field "${field}"; expected edx_id, edx_course_name, course_ids, date_of_course_enrollment, date_of_course_completion, time_zone`,
      );
    }
  }
  const optionalText = (field: string): string | undefined => {
    const text = config[field];
    if (text === undefined || text === null) return undefined;
    if (typeof text !== 'string') return fail(`${field}: expected a string, got ${describe(text)}`);
    return text.trim() === '' ? undefined : text;
  };
  const edxId = optionalText('edx_id');
  const edxCourseName = optionalText('edx_course_name');

  const ids = config['course_ids'];
  if (ids === undefined) fail('course_ids: missing; expected an array of course ids');
  if (!Array.isArray(ids)) {
    return fail(
      `course_ids: expected an array of course ids (["course-v1:Org+Course+Run"]), got ${describe(ids)}`,
    );
  }
  if (ids.length === 0) fail('course_ids: expected at least one course id, got []');
  const courseIds: string[] = [];
  const courseKeys: string[] = [];
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string') {
      fail(`course_ids[${i}]: expected a string, got ${describe(id)}`);
      return;
    }
    const parsed = tryParseCourseId(id);
    if (parsed?.hasRun !== true) {
      fail(
        `course_ids[${i}]: ${JSON.stringify(id)} is not a complete course id; expected course-v1:Org+Course+Run or Org/Course/Run`,
        'E_COURSE_ID',
      );
      return;
    }
    courseIds.push(id);
    if (!courseKeys.includes(parsed.key)) courseKeys.push(parsed.key);
  });

  const day = (field: string): string => {
    const text = config[field];
    if (text === undefined) return fail(`${field}: missing; expected a date YYYY-MM-DD`);
    if (typeof text !== 'string' || parseDay(text) === null) {
      return fail(`${field}: expected a date YYYY-MM-DD, got ${describe(text)}`);
    }
    return text;
  };
  const enrollmentDate = day('date_of_course_enrollment');
  const completionDate = day('date_of_course_completion');
  if (completionDate < enrollmentDate) {
    fail(
      `date_of_course_completion: ${completionDate} is before date_of_course_enrollment ${enrollmentDate}`,
    );
  }

  const zone = config['time_zone'];
  let timeZone = 'UTC';
  if (zone !== undefined && zone !== null) {
    const canonical = typeof zone === 'string' ? canonicalTimeZone(zone) : null;
    if (canonical === null) {
      fail(
        `time_zone: expected an IANA time zone name such as "UTC" or "America/Montreal", got ${describe(zone)}`,
      );
    }
    timeZone = canonical === null ? 'UTC' : (zone as string);
  }
  const { from, toExclusive } = dayRange(enrollmentDate, completionDate, timeZone);
  const edxCourse = edxId === undefined ? null : tryParseCourseId(edxId);
  const databaseKey = edxCourse?.hasRun === true ? edxCourse.key : (courseKeys[0] ?? '');
  return {
    file,
    edxId,
    edxCourseName,
    courseIds,
    courseKeys,
    enrollmentDate,
    completionDate,
    timeZone,
    from,
    toExclusive,
    database: courseDatabaseName(databaseKey),
  };
}

/**
 * Read and validate a course config file (UTF-8 JSON).
 * @throws InputError `E_FILE_NOT_FOUND`, or as {@link parseCourseConfig}.
 */
export async function readCourseConfig(path: string): Promise<CourseConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_INPUT',
      code === 'ENOENT' ? 'no such course config file' : 'cannot read the course config',
      { file: path, cause: error },
    );
  }
  return parseCourseConfig(text, { file: path });
}
