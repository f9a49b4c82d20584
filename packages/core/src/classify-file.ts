/**
 * Tells what an input file is from its name: a table of a weekly database package, a forum
 * dump, a course structure, a daily tracking log, … (edx-formats.md §1). Pure functions, no
 * I/O: only the base name is read, plus the parent folder for `ora/` tables and for the
 * pre-2014 per-server tracking-log layout (`prod-edxapp-NNN/YYYY-MM-DD_Org.log`). The
 * tracking logs of a self-hosted Open edX (`tracking.log`, rotated by logrotate) are known too.
 */
import { formatCourseKey, tryParseCourseId } from './course-id.js';

/** The course a package file belongs to, as read from its `{org}-{course}-{run}` prefix. */
export interface FileCourse {
  readonly org: string;
  readonly course: string;
  readonly run: string;
  /** The CCX number, for `{org}-{course}-{run}-ccx-{N}` prefixes. */
  readonly ccx?: string;
  /** Canonical course key (`course-v1:Org+Course+Run` or `ccx-v1:…+ccx@N`). */
  readonly key: string;
  /**
   * True when the prefix had more than three dash-separated parts and no known course id
   * matched it, so the split between course number and run is a guess (the course number
   * takes the extra dashes). Pass `courseIds` to decide.
   */
  readonly ambiguous: boolean;
}

/** A TSV table `{c}-{table}-{site}[-analytics].sql[.gpg]`, ORA tables under `ora/`. */
export interface TableFile extends FileCourse {
  readonly kind: 'table';
  readonly table: string;
  /** `prod`, `edge`, `prod-edge`, `acceptance`, … (without `-analytics`). */
  readonly site: string;
  readonly encrypted: boolean;
  /** True for the ORA2 tables (`assessment_*`, `submissions_*`, `workflow_*`). */
  readonly ora: boolean;
}

/** A forum dump `{c}-{site}.mongo[.gpg]`. */
export interface ForumFile extends FileCourse {
  readonly kind: 'forum';
  readonly site: string;
  readonly encrypted: boolean;
}

/** A course structure `{c}-course_structure-{site}[-analytics].json[.gpg]`. */
export interface CourseStructureFile extends FileCourse {
  readonly kind: 'course_structure';
  readonly site: string;
  readonly encrypted: boolean;
}

/** A course OLX export `{c}-course-{site}[-analytics].xml.tar.gz[.gpg]`. */
export interface OlxFile extends FileCourse {
  readonly kind: 'olx';
  readonly site: string;
  readonly encrypted: boolean;
}

/** The org-wide email opt-in list `{org}-email_opt_in-{site}[-analytics].csv[.gpg]`. */
export interface EmailOptInFile {
  readonly kind: 'email_opt_in';
  readonly org: string;
  readonly site: string;
  readonly encrypted: boolean;
}

/**
 * Where a tracking log comes from: `edx` and `prod` are edx.org, `edge` is edge.edx.org,
 * `self-hosted` an Open edX of one's own (its `tracking.log`).
 */
export type EventsSite = 'edx' | 'edge' | 'prod' | 'self-hosted';

/**
 * A tracking log as edX exports it: daily, `{org}-{site}-events-YYYY-MM-DD.log[.gz][.gpg]`
 * (`layout: 'daily'`), or before Aug 2014 `prod-edxapp-NNN/YYYY-MM-DD_{Org}.log[.gz]` and
 * `prod-edge-edxapp-NNN/…` (`layout: 'per-server'`, where one day is spread over several
 * files and events can repeat).
 */
export interface EdxEventsFile {
  readonly kind: 'events';
  /** The org as written (lower-case in daily files). */
  readonly org: string;
  readonly site: Exclude<EventsSite, 'self-hosted'>;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly compressed: boolean;
  readonly encrypted: boolean;
  readonly layout: 'daily' | 'per-server';
  /** The server folder (`prod-edxapp-001`), for the per-server layout only. */
  readonly server?: string;
}

/**
 * The tracking log of a self-hosted Open edX, `tracking.log`, as logrotate leaves it
 * (`layout: 'rotated'`): `tracking.log-YYYYMMDD[.gz]` with `dateext` (also
 * `-YYYYMMDD-{epoch}`, Open edX's own `dateformat`, and `-YYYY-MM-DD`), or
 * `tracking.log.N[.gz]` without it; `.SCRUBBED` before `.gz` (a scrubbed copy) is accepted.
 * A rotated file holds whatever was logged since the rotation before: its events are not
 * cut at midnight, and the date in the name is the day of the rotation (usually the day
 * after most of its events).
 */
export interface SelfHostedEventsFile {
  readonly kind: 'events';
  /** No org in these names. */
  readonly org: null;
  readonly site: 'self-hosted';
  /** `YYYY-MM-DD` from a `dateext` name; null for `tracking.log` and `tracking.log.N`. */
  readonly date: string | null;
  readonly compressed: boolean;
  readonly encrypted: boolean;
  readonly layout: 'rotated';
  /** N of `tracking.log.N` (1 is the newest rotated file); absent otherwise. */
  readonly rotation?: number;
}

/** A tracking log; switch on `site` (or `layout`) to tell edX's exports from self-hosted ones. */
export type EventsFile = EdxEventsFile | SelfHostedEventsFile;

/** `<file>.failed`: the traceback an exporter task left in place of `<file>`. */
export interface FailedFile {
  readonly kind: 'failed';
  /** What the file would have been. */
  readonly of: FileClassification;
}

/** A weekly package `{org}-YYYY-MM-DD.zip` (or `email-opt-in/{org}-YYYY-MM-DD.zip`). */
export interface PackageZipFile {
  readonly kind: 'package_zip';
  readonly org: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** True when the zip sits in an `email-opt-in/` folder. */
  readonly emailOptIn: boolean;
}

/** Anything else, with the reason it was not recognised. */
export interface UnknownFile {
  readonly kind: 'unknown';
  readonly reason: string;
}

/** What {@link classifyFile} says a file is; switch on `kind`. */
export type FileClassification =
  | TableFile
  | ForumFile
  | CourseStructureFile
  | OlxFile
  | EmailOptInFile
  | EventsFile
  | FailedFile
  | PackageZipFile
  | UnknownFile;

export type FileKind = FileClassification['kind'];

export interface ClassifyFileOptions {
  /**
   * Course ids known to be in the data (any form {@link tryParseCourseId} reads). A file
   * prefix that matches one is split like it, which settles names such as
   * `MITx-6.00.1-x-1T2014-…` whose dashes are ambiguous.
   */
  readonly courseIds?: readonly string[];
}

/** The tables of the weekly database package (edx-formats.md §1.2). */
export const PACKAGE_TABLES: readonly string[] = [
  'auth_user',
  'auth_userprofile',
  'student_courseenrollment',
  'certificates_generatedcertificate',
  'courseware_studentmodule',
  'user_id_map',
  'user_api_usercoursetag',
  'wiki_article',
  'wiki_articlerevision',
  'student_languageproficiency',
  'teams',
  'teams_membership',
  'verify_student_verificationstatus',
  'student_courseaccessrole',
  'django_comment_client_role_users',
  'student_anonymoususerid',
  'grades_persistentcoursegrade',
  'grades_persistentsubsectiongrade',
  'credit_crediteligibility',
  'course_groups_cohortmembership',
];

/** The 21 ORA2 tables exported under `ora/` (edX Research Guide, `using/package.rst`). */
export const ORA_TABLES: readonly string[] = [
  'assessment_assessment',
  'assessment_assessmentfeedback',
  'assessment_assessmentfeedback_assessments',
  'assessment_assessmentfeedback_options',
  'assessment_assessmentfeedbackoption',
  'assessment_assessmentpart',
  'assessment_criterion',
  'assessment_criterionoption',
  'assessment_peerworkflow',
  'assessment_peerworkflowitem',
  'assessment_rubric',
  'assessment_studenttrainingworkflow',
  'assessment_studenttrainingworkflowitem',
  'assessment_trainingexample',
  'assessment_trainingexample_options_selected',
  'submissions_score',
  'submissions_scoresummary',
  'submissions_studentitem',
  'submissions_submission',
  'workflow_assessmentworkflow',
  'workflow_assessmentworkflowstep',
];

const PACKAGE_TABLE_SET = new Set(PACKAGE_TABLES);
const ORA_TABLE_SET = new Set(ORA_TABLES);
/** Any ORA-like table name, accepted under an `ora/` folder (the list may grow). */
const ORA_TABLE_LIKE = /^(?:assessment|submissions|workflow)_[a-z0-9_]+$/;

const DATE = '(\\d{4}-\\d{2}-\\d{2})';
const DAILY_EVENTS = new RegExp(`^(.+)-(edx|edge|prod)-(?:events-)?${DATE}\\.log(\\.gz)?$`);
const PER_SERVER_EVENTS = new RegExp(`^${DATE}_(.+)\\.log(\\.gz)?$`);
const PACKAGE_ZIP = new RegExp(`^(.+)-${DATE}\\.zip$`);
/** `tracking.log`, `tracking.log-YYYYMMDD[-epoch]`, `tracking.log-YYYY-MM-DD`, `tracking.log.N`. */
const SELF_HOSTED_EVENTS =
  /^tracking\.log(?:-(?:(\d{4})(\d{2})(\d{2})(?:-\d+)?|(\d{4}-\d{2}-\d{2}))|\.(\d+))?(?:\.SCRUBBED|\.scrubbed)?(\.gz)?$/;

function isDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function unknown(reason: string): UnknownFile {
  return { kind: 'unknown', reason };
}

/** EXP `_substitute_non_ascii_chars`: characters above code point 128 become `_`. */
function asciiName(text: string): string {
  return Array.from(text, (c) => ((c.codePointAt(0) ?? 0) > 128 ? '_' : c)).join('');
}

function knownPrefixes(courseIds: readonly string[]): Map<string, FileCourse> {
  const map = new Map<string, FileCourse>();
  for (const text of courseIds) {
    const id = tryParseCourseId(text);
    if (id?.hasRun !== true) continue;
    const prefix = asciiName(
      [id.org, id.course, id.run, ...(id.ccx === undefined ? [] : ['ccx', id.ccx])].join('-'),
    );
    const course = { org: id.org, course: id.course, run: id.run, key: id.key, ambiguous: false };
    map.set(prefix, id.ccx === undefined ? course : { ...course, ccx: id.ccx });
  }
  return map;
}

/** Splits `{org}-{course}-{run}[-ccx-{N}]`; the course number takes any extra dashes. */
function splitCourse(parts: readonly string[], known: Map<string, FileCourse>): FileCourse | null {
  const match = known.get(parts.join('-'));
  if (match !== undefined) return match;
  let rest = parts;
  let ccx: string | undefined;
  const last = parts.at(-1);
  if (parts.length >= 5 && parts.at(-2) === 'ccx' && last !== undefined && /^\d+$/.test(last)) {
    ccx = last;
    rest = parts.slice(0, -2);
  }
  const org = rest[0];
  const run = rest.at(-1);
  if (rest.length < 3 || org === undefined || run === undefined) return null;
  const course = rest.slice(1, -1).join('-');
  if ([org, course, run].some((p) => p === '')) return null;
  const found = {
    org,
    course,
    run,
    key: formatCourseKey(org, course, run, ccx),
    ambiguous: rest.length > 3,
  };
  return ccx === undefined ? found : { ...found, ccx };
}

const NOT_A_COURSE = 'the name does not start with {org}-{course}-{run}';

function classifyTable(
  stem: string,
  encrypted: boolean,
  inOra: boolean,
  known: Map<string, FileCourse>,
): FileClassification {
  const parts = stem.replace(/-analytics$/, '').split('-');
  for (let i = parts.length - 2; i >= 3; i--) {
    const table = parts[i] ?? '';
    const ora = ORA_TABLE_SET.has(table) || (inOra && ORA_TABLE_LIKE.test(table));
    if (!ora && !PACKAGE_TABLE_SET.has(table)) continue;
    const course = splitCourse(parts.slice(0, i), known);
    if (course === null) return unknown(NOT_A_COURSE);
    return { kind: 'table', ...course, table, site: parts.slice(i + 1).join('-'), encrypted, ora };
  }
  return unknown(
    'a .sql file whose name has no known table in {org}-{course}-{run}-{table}-{site}[-analytics].sql',
  );
}

/** `{c}-{task}-{site}[-analytics]` for the one-word tasks `course_structure` and `course`. */
function classifyTask(
  stem: string,
  task: 'course_structure' | 'course',
  known: Map<string, FileCourse>,
): { course: FileCourse; site: string } | string {
  const parts = stem.replace(/-analytics$/, '').split('-');
  const i = parts.lastIndexOf(task);
  if (i < 3 || i === parts.length - 1) {
    return `no -${task}-{site} in the name`;
  }
  const course = splitCourse(parts.slice(0, i), known);
  if (course === null) return NOT_A_COURSE;
  return { course, site: parts.slice(i + 1).join('-') };
}

function classifyForum(stem: string, known: Map<string, FileCourse>): FileClassification {
  const parts = stem.split('-');
  const siteParts = stem.endsWith('-prod-edge') ? 2 : 1;
  const course = splitCourse(parts.slice(0, -siteParts), known);
  if (course === null) return unknown(NOT_A_COURSE);
  return { kind: 'forum', ...course, site: parts.slice(-siteParts).join('-'), encrypted: false };
}

function classifyPlain(
  base: string,
  parent: string | undefined,
  encrypted: boolean,
  known: Map<string, FileCourse>,
): FileClassification {
  let match = DAILY_EVENTS.exec(base);
  if (match !== null) {
    const [, org = '', site = '', date = '', gz] = match;
    if (!isDate(date)) return unknown(`not a calendar date: ${date}`);
    const compressed = gz !== undefined;
    const events: EdxEventsFile = {
      kind: 'events',
      org,
      site: site as EdxEventsFile['site'],
      date,
      compressed,
      encrypted,
      layout: 'daily',
    };
    return events;
  }
  match = PER_SERVER_EVENTS.exec(base);
  if (match !== null) {
    const [, date = '', org = '', gz] = match;
    if (parent === undefined || !/^prod-/i.test(parent)) {
      return unknown('a YYYY-MM-DD_{Org}.log file outside a prod-edxapp-NNN folder');
    }
    if (!isDate(date)) return unknown(`not a calendar date: ${date}`);
    return {
      kind: 'events',
      org,
      site: /^prod-edge/i.test(parent) ? 'edge' : 'edx',
      date,
      compressed: gz !== undefined,
      encrypted,
      layout: 'per-server',
      server: parent,
    };
  }
  match = SELF_HOSTED_EVENTS.exec(base);
  if (match !== null) {
    const [, y, m, d, dashed, rotation, gz] = match;
    const date = dashed ?? (y === undefined ? null : `${y}-${m ?? ''}-${d ?? ''}`);
    if (date !== null && !isDate(date)) return unknown(`not a calendar date: ${date}`);
    const events: SelfHostedEventsFile = {
      kind: 'events',
      org: null,
      site: 'self-hosted',
      date,
      compressed: gz !== undefined,
      encrypted,
      layout: 'rotated',
    };
    return rotation === undefined ? events : { ...events, rotation: Number(rotation) };
  }
  match = PACKAGE_ZIP.exec(base);
  if (match !== null) {
    const [, org = '', date = ''] = match;
    if (!isDate(date)) return unknown(`not a calendar date: ${date}`);
    return { kind: 'package_zip', org, date, emailOptIn: parent === 'email-opt-in' };
  }
  if (base.endsWith('.sql')) {
    return classifyTable(base.slice(0, -'.sql'.length), encrypted, parent === 'ora', known);
  }
  if (base.endsWith('.mongo')) {
    const forum = classifyForum(base.slice(0, -'.mongo'.length), known);
    return forum.kind === 'forum' ? { ...forum, encrypted } : forum;
  }
  if (base.endsWith('.json')) {
    const found = classifyTask(base.slice(0, -'.json'.length), 'course_structure', known);
    if (typeof found === 'string') return unknown(`a .json file with ${found}`);
    return { kind: 'course_structure', ...found.course, site: found.site, encrypted };
  }
  if (base.endsWith('.xml.tar.gz')) {
    const found = classifyTask(base.slice(0, -'.xml.tar.gz'.length), 'course', known);
    if (typeof found === 'string') return unknown(`a .xml.tar.gz file with ${found}`);
    return { kind: 'olx', ...found.course, site: found.site, encrypted };
  }
  const optIn = /^(.+)-email_opt_in-(.+?)(?:-analytics)?\.csv$/.exec(base);
  if (optIn !== null) {
    const [, org = '', site = ''] = optIn;
    return { kind: 'email_opt_in', org, site, encrypted };
  }
  if (/\.log(?:[-.][^/]*)?$/.test(base)) {
    return unknown(
      'a log not named like a tracking log: {org}-{edx|edge|prod}-events-YYYY-MM-DD.log, ' +
        'prod-*/YYYY-MM-DD_{Org}.log, or tracking.log[-YYYYMMDD|.N] (each optionally .gz)',
    );
  }
  if (base === 'courses.txt') return unknown('the list of courses of a package (not data)');
  const dot = base.lastIndexOf('.');
  return unknown(
    dot < 0 ? 'a name without an extension' : `an unknown file type (${base.slice(dot)})`,
  );
}

/**
 * Tells what a file is from its path (a file path or a zip entry name, `/` or `\`
 * separated). Only the base name is read, plus the parent folder for `ora/` tables,
 * `email-opt-in/` zips and the per-server log layout. Never throws: names it cannot read
 * give `{ kind: 'unknown', reason }`.
 *
 * Table names are matched from the right against {@link PACKAGE_TABLES} and
 * {@link ORA_TABLES}, so dashes and dots inside course numbers and runs survive
 * (`MITx-6.00.1-x-1T2014-auth_user-prod-analytics.sql`); the course number takes any
 * extra dashes unless `options.courseIds` says otherwise.
 *
 * @example classifyFile('McGillX-2014-10-12/McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql.gpg')
 * // { kind: 'table', org: 'McGillX', course: 'CHEM181x', run: '1T2014', table: 'auth_user',
 * //   site: 'prod', encrypted: true, ora: false, key: 'course-v1:McGillX+CHEM181x+1T2014', … }
 */
export function classifyFile(path: string, options: ClassifyFileOptions = {}): FileClassification {
  const segments = path.split(/[\\/]/).filter((s) => s !== '');
  const base = segments.at(-1);
  if (base === undefined) return unknown('an empty path');
  if (base.startsWith('.')) return unknown('a hidden file');
  const known = knownPrefixes(options.courseIds ?? []);
  let name = base;
  let failed = false;
  let encrypted = false;
  for (;;) {
    if (name.endsWith('.gpg')) {
      encrypted = true;
      name = name.slice(0, -'.gpg'.length);
    } else if (name.endsWith('.failed')) {
      failed = true;
      name = name.slice(0, -'.failed'.length);
    } else break;
  }
  const of = classifyPlain(name, segments.at(-2), encrypted, known);
  return failed ? { kind: 'failed', of } : of;
}
