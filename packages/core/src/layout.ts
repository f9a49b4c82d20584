/**
 * The layout of the databases the pipeline writes (DESIGN.md "Databases and collections"):
 * every database and collection name, in one place. Loaders, extractors, exporters and the
 * CLI take their names from here and spell none of their own.
 *
 * - the master tracking database (`tracking_logs`): every event of every course, the ledger
 *   of loaded files, the rejected lines, and the ledgers of package files and pipeline runs;
 * - one database per course, named after the course id ({@link courseDatabaseName}), holding
 *   the package's tables, the forum, the structure and the course's extracted events.
 *
 * Names only: no I/O, no store. Temporary collections are the store's business (its
 * safe-replace helper names them), not the layout's.
 */
import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import { tryParseCourseId } from './course-id.js';

/** The master tracking database and its collections. */
export const MASTER_TRACKING = {
  /** The database. */
  database: 'tracking_logs',
  /** Every event of every course (one document per distinct event). */
  events: 'tracking',
  /** The ledger: one entry per input file, keyed by the SHA-256 of its bytes. */
  ledger: 'tracking_imported',
  /** Every line that could not be loaded, with its reason (the shared rejected-record shape). */
  rejects: 'tracking_rejected',
  /** Prefix of a loader's per-file scratch collection (exists only while a file loads). */
  scratchPrefix: 'tracking_scratch_',
} as const;

/**
 * The ledger of `importPackage` (`@edx-data/course-extractor`), in the master database beside
 * the tracking ledger: one entry per target (a course and the collection(s) one package file
 * fills), holding the SHA-256 of the file last loaded into it, so that an unchanged file is
 * skipped.
 */
export const PACKAGE_LEDGER = {
  database: MASTER_TRACKING.database,
  collection: 'package_imported',
} as const;

/**
 * The ledger of `edx-pipeline run`, in the master database: one entry per configured course
 * (keyed by its course database), with when it was last extracted, exported and anonymised and
 * a hash of the settings each stage ran with, so that a stage whose inputs did not change is
 * skipped.
 */
export const PIPELINE_LEDGER = {
  database: MASTER_TRACKING.database,
  collection: 'pipeline_courses',
} as const;

/** The collections of a course database. */
export const COURSE_COLLECTIONS = {
  /** `auth_user`. */
  user: 'user',
  /** `auth_userprofile`. */
  userprofile: 'userprofile',
  /** `certificates_generatedcertificate`. */
  certificates: 'certificates',
  /** `student_courseenrollment`. */
  enrollment: 'enrollment',
  courseware_studentmodule: 'courseware_studentmodule',
  user_id_map: 'user_id_map',
  /** The forum `.mongo` file, documents as exported. */
  forum: 'forum',
  /** The flat view of the forum: one row per post. */
  forum_posts: 'forum_posts',
  /** One document per block of the course structure, with its `parent_data`. */
  course_structure: 'course_structure',
  /** The course axis: blocks in course order. */
  course_axis: 'course_axis',
  /** The course's events, extracted from the master and joined with their block. */
  tracking: 'tracking',
  /** Server `problem_check` events joined with `user_id_map`. */
  problem_ids: 'problem_ids',
  /** Rows, lines and cells the package loaders could not load (the shared rejected-record shape). */
  rejects: 'import_rejected',
} as const;

/** Package tables stored under another name than their own (every other table keeps its name). */
const COLLECTION_OF_TABLE: Readonly<Record<string, string>> = {
  auth_user: COURSE_COLLECTIONS.user,
  auth_userprofile: COURSE_COLLECTIONS.userprofile,
  certificates_generatedcertificate: COURSE_COLLECTIONS.certificates,
  student_courseenrollment: COURSE_COLLECTIONS.enrollment,
};

/**
 * The collection a package table is loaded into: `auth_user` → `user`, `auth_userprofile` →
 * `userprofile`, `certificates_generatedcertificate` → `certificates`,
 * `student_courseenrollment` → `enrollment`, any other table under its own name.
 */
export function tableCollection(table: string): string {
  return COLLECTION_OF_TABLE[table] ?? table;
}

/** MongoDB's limit on database names, in bytes (the embedded engine applies it too). */
export const MAX_DATABASE_NAME_BYTES = 63;

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

/**
 * The database name of a course: org, course and run (and `ccx_N` for a CCX) joined by `_`,
 * every character outside `[A-Za-z0-9_-]` replaced by `_`; cut to 63 bytes with a short,
 * stable hash of the canonical key appended when it is longer. Every form of the same course
 * id gives the same name.
 *
 * `course-v1:McGillX+ATOC185x+2T2014` and `McGillX/ATOC185x/2T2014` both give
 * `McGillX_ATOC185x_2T2014`; `ccx-v1:Org+Course+Run+ccx@5` gives `Org_Course_Run_ccx_5`.
 * @throws UsageError `E_DATABASE_NAME` for text that is not a complete course id (org,
 *   course and run)
 */
export function courseDatabaseName(courseId: string): string {
  const parsed = tryParseCourseId(courseId);
  if (parsed?.hasRun !== true) {
    throw new UsageError(
      'E_DATABASE_NAME',
      `cannot name a database after "${courseId}": not a complete course id (expected course-v1:Org+Course+Run or Org/Course/Run)`,
    );
  }
  const parts = [parsed.org, parsed.course, parsed.run];
  if (parsed.ccx !== undefined) parts.push('ccx', parsed.ccx);
  const name = parts.join('_').replace(/[^A-Za-z0-9_-]/gu, '_');
  if (name.length <= MAX_DATABASE_NAME_BYTES) return name;
  const suffix = `_${shortHash(parsed.key.replace(/^[a-z0-9-]+:/u, ''))}`;
  return name.slice(0, MAX_DATABASE_NAME_BYTES - suffix.length) + suffix;
}
