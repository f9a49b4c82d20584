/**
 * `exportReports`: reports of the catalogue for one course, each to `<name>.csv` (or split,
 * or gzipped) beside its data dictionary `<name>.schema.json`, and one `manifest.json` for the
 * run. Query reports run one after the other; the tracking reports share one pass over the
 * course's events.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  InputError,
  tryParseCourseId,
  UsageError,
} from '@edx-data/core';
import type { Database, Store } from '@edx-data/store';
import { CATALOGUE, findReport } from './catalogue.js';
import { CsvWriter } from './csv-writer.js';
import type { CsvWriterOptions, WrittenFile } from './csv-writer.js';
import { LearnerDirectory } from './learners.js';
import { parseParameters } from './parameters.js';
import type {
  ColumnSpec,
  EventWindow,
  ParameterValue,
  ReportContext,
  ReportDefinition,
  Row,
  TrackingReport,
} from './report.js';
import { runTrackingPass } from './tracking-pass.js';
import type { PassMember } from './tracking-pass.js';
import { dataDictionary } from './data-dictionary.js';
import { PACKAGE_VERSION } from './version.js';

export interface ExportReportsOptions {
  /**
   * The course, in any form (`course-v1:Org+Course+Run`, `Org/Course/Run`), or `'all'`: every
   * course of the store, each report's rows of all courses in one file with a `course_id`.
   */
  readonly course: string;
  /** Report names, or `'all'` for the whole catalogue. */
  readonly reports: readonly string[] | 'all';
  /** The folder to write into (created when missing). */
  readonly out: string;
  /**
   * Parameters as given (`name` → text): `name` applies to every selected report that has a
   * parameter of that name, `report.name` to that report only.
   */
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** First and last day (`YYYY-MM-DD`, UTC, both included) of the events read. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly splitRows?: number | undefined;
  readonly gzip?: boolean | undefined;
  readonly bom?: boolean | undefined;
  /** Where the store is, as the manifest should say it (passwords already redacted). */
  readonly storeLocation?: string | undefined;
  /** Called as the export goes (`report` is the one running, or `tracking` for the pass). */
  readonly onProgress?: ((progress: ExportProgress) => void) | undefined;
}

export interface ExportProgress {
  readonly report: string;
  /** Events read so far by the tracking pass. */
  readonly events?: number;
}

/** What one report gave. */
export interface ExportedReport {
  readonly name: string;
  readonly version: string;
  readonly rows: number;
  readonly files: readonly WrittenFile[];
  /** Its data dictionary, `<name>.schema.json`. */
  readonly schema: string;
  /** The parameters it ran with. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly seconds: number;
}

/** The run, as `manifest.json` holds it. */
export interface ExportManifest {
  readonly tool: { readonly name: string; readonly version: string };
  /** The course exported (`{ key: 'all', database: 'all' }` for every course). */
  readonly course: { readonly key: string; readonly database: string };
  /** The courses read, in order. */
  readonly courses: readonly ExportCourse[];
  readonly store: string | null;
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly generatedAt: string;
  readonly seconds: number;
  readonly inputs: {
    /**
     * Documents of each collection of the course database when the export started (keyed
     * `<database>.<collection>` for `--course all`).
     */
    readonly collections: Readonly<Record<string, number>>;
    /** Events read by the tracking pass (within the window). */
    readonly trackingEvents: number;
  };
  readonly reports: readonly ExportedReport[];
  /**
   * Reports of `all` that could not run here, and why: a required parameter not given, or a
   * table they read that this course's package did not have. A named report is never skipped
   * (it is refused instead).
   */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/u;

function dayStart(text: string, option: string): Date {
  const time = DAY.test(text) ? Date.parse(`${text}T00:00:00.000Z`) : Number.NaN;
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new UsageError(
      'E_OPTION',
      `${option}: expected a day YYYY-MM-DD, got ${JSON.stringify(text)}`,
    );
  }
  return new Date(time);
}

/** The window of `from` and `to`, both days whole and included (UTC). */
export function eventWindow(from: string | undefined, to: string | undefined): EventWindow {
  const start = from === undefined ? null : dayStart(from, 'from');
  const last = to === undefined ? null : dayStart(to, 'to');
  if (start !== null && last !== null && last < start) {
    throw new UsageError('E_OPTION', `to (${to ?? ''}) is before from (${from ?? ''})`);
  }
  return {
    from: start,
    toExclusive: last === null ? null : new Date(last.getTime() + 86_400_000),
  };
}

function selectReports(names: readonly string[] | 'all'): ReportDefinition[] {
  if (names === 'all') return [...CATALOGUE];
  if (names.length === 0) throw new UsageError('E_USAGE', 'no report named (give names, or all)');
  const selected: ReportDefinition[] = [];
  for (const name of names) {
    const report = findReport(name);
    if (report === undefined) {
      throw new UsageError(
        'E_USAGE',
        `unknown report ${JSON.stringify(name)} (known: ${CATALOGUE.map((r) => r.name).join(', ')})`,
      );
    }
    if (!selected.includes(report)) selected.push(report);
  }
  return selected;
}

async function collectionCounts(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await db.listCollections()) {
    counts[name] = await db.collection(name).estimatedDocumentCount();
  }
  return counts;
}

/** A course of the store: its canonical key and its database. */
export interface ExportCourse {
  readonly key: string;
  readonly database: string;
}

/** The `course_id` column that `--course all` puts first in a report that lacks one. */
const COURSE_COLUMN: ColumnSpec = {
  name: 'course_id',
  type: 'string',
  description:
    'The course of the row (`course-v1:` key): an export of every course (`--course all`)',
};

function hintFor(collection: string): string {
  return collection === COURSE_COLLECTIONS.tracking
    ? 'extract the course tracking first (edx-pipeline extract-course)'
    : collection === COURSE_COLLECTIONS.problem_ids
      ? 'extract the course first (edx-pipeline extract-course builds it)'
      : 'import the package files that hold it first (edx-pipeline import)';
}

/** Every course of the store: the databases whose enrollment table names a course. */
async function storeCourses(store: Store): Promise<ExportCourse[]> {
  const courses: ExportCourse[] = [];
  for (const { name } of await store.listDatabases()) {
    const enrollment = store.db(name).collection(COURSE_COLLECTIONS.enrollment);
    const row = await enrollment.findOne({}, { projection: { course_id: 1 } }).catch(() => null);
    const id = row?.['course_id'];
    const parsed = typeof id === 'string' ? tryParseCourseId(id) : undefined;
    if (parsed?.hasRun === true && courseDatabaseName(parsed.key) === name) {
      courses.push({ key: parsed.key, database: name });
    }
  }
  return courses.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Export reports of one course, or of every course of the store (`course: 'all'`: each
 * report's rows of all courses in one file, with a `course_id` column). Checks first that the
 * course database exists and holds what the reports read (usage errors, exit 2 in the CLI),
 * then writes every report and the manifest.
 *
 * @throws UsageError `E_USAGE` for an unknown report, a course not in the store, or a report
 *   that needs a collection the course database lacks (tracking not extracted, …);
 *   `E_OPTION` for a bad parameter, day or split size
 */
export async function exportReports(
  store: Store,
  options: ExportReportsOptions,
): Promise<ExportManifest> {
  const started = performance.now();
  const everyCourse = options.course === 'all';
  const course = everyCourse ? undefined : tryParseCourseId(options.course);
  if (!everyCourse && course?.hasRun !== true) {
    throw new UsageError('E_OPTION', `--course: not a complete course id: ${options.course}`);
  }
  const splitRows = options.splitRows;
  if (splitRows !== undefined && (!Number.isSafeInteger(splitRows) || splitRows < 1)) {
    throw new UsageError(
      'E_OPTION',
      `split rows: expected a whole number ≥ 1, got ${String(splitRows)}`,
    );
  }
  const all = options.reports === 'all';
  const selected = selectReports(options.reports);
  const parsed = parseParameters(selected, options.params ?? {}, all);
  const params = parsed.values;
  const skipped = new Map(parsed.skipped);
  const window = eventWindow(options.from, options.to);

  let courses: ExportCourse[];
  if (course?.hasRun === true) {
    const database = courseDatabaseName(course.key);
    if (!(await store.listDatabases()).some((info) => info.name === database)) {
      throw new UsageError(
        'E_USAGE',
        `the course ${course.key} is not in this store (no database ${database}): import its package first`,
      );
    }
    courses = [{ key: course.key, database }];
  } else {
    courses = await storeCourses(store);
    if (courses.length === 0) {
      throw new UsageError(
        'E_USAGE',
        'this store holds no course (no database with an enrollment table): import a package first',
      );
    }
  }

  // What each course can run: a report that lacks an input is refused for a course named
  // alone, and skipped (with its reason) under `all` or for one course of `--course all`.
  const inputs: Record<string, number> = {};
  const plans: { course: ExportCourse; runs: ReportDefinition[] }[] = [];
  const courseSkips: { name: string; reason: string }[] = [];
  for (const c of courses) {
    const counts = await collectionCounts(store.db(c.database));
    for (const [name, n] of Object.entries(counts)) {
      inputs[everyCourse ? `${c.database}.${name}` : name] = n;
    }
    const runs: ReportDefinition[] = [];
    for (const report of selected) {
      if (skipped.has(report)) continue;
      const missing = report.reads.find((collection) => (counts[collection] ?? 0) === 0);
      if (missing === undefined) {
        runs.push(report);
      } else if (everyCourse) {
        courseSkips.push({
          name: report.name,
          reason: `${c.key}: reads ${missing}, which is empty or missing in ${c.database}`,
        });
      } else if (all && missing !== COURSE_COLLECTIONS.tracking) {
        skipped.set(report, `reads ${missing}, which is empty or missing in ${c.database}`);
      } else {
        throw new UsageError(
          'E_USAGE',
          `report ${report.name} reads ${c.database}.${missing}, which is empty or missing: ${hintFor(missing)}`,
        );
      }
    }
    plans.push({ course: c, runs });
  }

  const reports = selected.filter((report) => !skipped.has(report));
  const columnsOf = (report: ReportDefinition): readonly ColumnSpec[] =>
    everyCourse && !report.columns.some((c) => c.name === 'course_id')
      ? [COURSE_COLUMN, ...report.columns]
      : report.columns;

  await mkdir(options.out, { recursive: true, mode: 0o700 });
  const writerOptions: CsvWriterOptions = {
    splitRows,
    gzip: options.gzip,
    bom: options.bom,
  };
  const writers = new Map<ReportDefinition, CsvWriter>(
    reports.map((report) => [
      report,
      new CsvWriter(options.out, report.name, columnsOf(report), writerOptions),
    ]),
  );
  const writerOf = (report: ReportDefinition): CsvWriter => {
    const writer = writers.get(report);
    if (writer === undefined) throw new InputError('E_INPUT', `no writer for ${report.name}`);
    return writer;
  };
  const seconds = new Map<ReportDefinition, number>();
  const addSeconds = (report: ReportDefinition, began: number): void => {
    seconds.set(report, (seconds.get(report) ?? 0) + (performance.now() - began));
  };

  let trackingEvents = 0;
  for (const { course: c, runs } of plans) {
    const db = store.db(c.database);
    const learners = await LearnerDirectory.load(db);
    const contextOf = (report: ReportDefinition): ReportContext => ({
      store,
      db,
      database: c.database,
      courseKey: c.key,
      params: params.get(report) ?? {},
      window,
      learners,
    });
    // `--course all`: each row says its course (first column, unless the report has one)
    const write = (report: ReportDefinition, row: Row): Promise<void> => {
      const writer = writerOf(report);
      return everyCourse && row['course_id'] === undefined
        ? writer.write({ course_id: c.key, ...row })
        : writer.write(row);
    };

    for (const report of runs) {
      if (report.kind !== 'query') continue;
      options.onProgress?.({ report: report.name });
      const began = performance.now();
      for await (const row of report.rows(contextOf(report))) await write(report, row);
      addSeconds(report, began);
    }

    const tracking = runs.filter((r): r is TrackingReport => r.kind === 'tracking');
    if (tracking.length > 0) {
      const began = performance.now();
      const members: PassMember[] = [];
      for (const report of tracking) {
        members.push({
          reducer: await report.start(contextOf(report)),
          write: (row) => write(report, row),
        });
      }
      options.onProgress?.({ report: 'tracking', events: 0 });
      const pass = await runTrackingPass(db, window, members, (events) => {
        options.onProgress?.({ report: 'tracking', events: trackingEvents + events });
      });
      trackingEvents += pass.events;
      for (const report of tracking) addSeconds(report, began);
    }
  }

  const results: ExportedReport[] = [];
  for (const report of reports) {
    const writer = writerOf(report);
    const files = await writer.close();
    const schema = `${report.name}.schema.json`;
    const parameters = params.get(report) ?? {};
    await writeFile(
      join(options.out, schema),
      `${JSON.stringify(dataDictionary({ ...report, columns: columnsOf(report) }, parameters), null, 2)}\n`,
      { mode: 0o600 },
    );
    results.push({
      name: report.name,
      version: report.version,
      rows: writer.rows,
      files,
      schema,
      parameters,
      seconds: Math.round(seconds.get(report) ?? 0) / 1000,
    });
  }

  const manifest: ExportManifest = {
    tool: { name: '@edx-data/csv-exporter', version: PACKAGE_VERSION },
    course: everyCourse
      ? { key: 'all', database: 'all' }
      : { key: courses[0]?.key ?? '', database: courses[0]?.database ?? '' },
    courses,
    store: options.storeLocation ?? store.location,
    window: { from: options.from ?? null, to: options.to ?? null },
    generatedAt: new Date().toISOString(),
    seconds: Math.round(performance.now() - started) / 1000,
    inputs: { collections: inputs, trackingEvents },
    reports: results,
    skipped: [
      ...selected
        .filter((report) => skipped.has(report))
        .map((report) => ({ name: report.name, reason: skipped.get(report) ?? '' })),
      ...courseSkips,
    ],
  };
  await writeFile(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
  return manifest;
}
