/**
 * A generated package loaded through every stage (import, load-tracking, extract-course), for
 * the reports' tests, and independent readers of its raw files: the expected figures of a
 * report test come from these readers (a few lines over the TSV tables and the .log.gz lines)
 * or from the ground truth, never from the code under test.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseString } from 'fast-csv';
import { courseDatabaseName } from '@edx-data/core';
import {
  buildProblemIds,
  importPackage,
  parseCourseConfig,
  extractCourseTracking,
} from '@edx-data/course-extractor';
import { openStore } from '@edx-data/store';
import { exportReports } from '../export-reports.js';
import type { Store } from '@edx-data/store';
import { generatePackage } from '@edx-data/synthetic-data';
import type {
  GeneratedPackage,
  GeneratePackageOptions,
  GroundTruth,
} from '@edx-data/synthetic-data';
import { loadTrackingLogs } from '@edx-data/tracking-loader';

export interface LoadedCourse {
  readonly pkg: GeneratedPackage;
  readonly truth: GroundTruth;
  readonly store: Store;
  /** The first course of the package (`course-v1:…`) and its database. */
  readonly courseKey: string;
  readonly database: string;
}

/**
 * Generate a package into `dir/package`, load it into the embedded store `dir/store`, and
 * extract every course over every day of its events (its `problem_ids` built too).
 */
export async function loadCourse(
  dir: string,
  options: Partial<GeneratePackageOptions> = {},
  storeUri?: string,
): Promise<LoadedCourse> {
  const pkg = await generatePackage({
    dir: join(dir, 'package'),
    courses: 2,
    learners: 40,
    days: 5,
    seed: 7,
    // on a shared MongoDB server, an org of this run only (its databases meet nothing else)
    ...(storeUri === undefined ? {} : { org: `Rep${Date.now().toString(36)}` }),
    ...options,
  });
  const truth = pkg.groundTruth;
  const store = await openStore(storeUri ?? join(dir, 'store'));
  await importPackage(store, [pkg.dir]);
  await loadTrackingLogs(
    truth.events.files.map((f) => join(pkg.dir, f.file)),
    store,
    // on a shared server, a master database of this run only
    storeUri === undefined ? {} : { database: `${truth.options.org}_master` },
  );
  for (const key of truth.courseIds) {
    const days = Object.keys(truth.courses[key]?.eventsByDay ?? {}).sort();
    if (days.length === 0) continue;
    await extractCourseTracking(
      store,
      parseCourseConfig({
        course_ids: [key],
        date_of_course_enrollment: days[0],
        date_of_course_completion: days.at(-1),
      }),
      storeUri === undefined ? {} : { masterDatabase: `${truth.options.org}_master` },
    );
    // as `edx-pipeline extract-course` does after the extraction
    await buildProblemIds(store, courseDatabaseName(key));
  }
  const courseKey = truth.courseIds[0] ?? '';
  return { pkg, truth, store, courseKey, database: courseDatabaseName(courseKey) };
}

/** A TSV table of the package, read with the format's rules only (edx-formats.md §2). */
export async function readTable(
  loaded: LoadedCourse,
  table: string,
  courseKey = loaded.courseKey,
): Promise<Record<string, string | null>[]> {
  const file = loaded.truth.files.find(
    (f) => f.kind === 'table' && f.table === table && f.course === courseKey,
  );
  if (file === undefined) throw new Error(`no ${table} file for ${courseKey}`);
  const text = await readFile(join(loaded.pkg.dir, file.path), 'utf8');
  const [head = '', ...lines] = text.split('\n');
  const header = head.replace(/\r$/u, '').split('\t');
  const unescape = (cell: string): string | null =>
    cell === 'NULL'
      ? null
      : cell.replace(/\\(.)/gu, (_m, c: string) =>
          c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '0' ? '\0' : c,
        );
  return lines
    .filter((line) => line !== '')
    .map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(header.map((name, i) => [name, unescape(cells[i] ?? '')]));
    });
}

/** The canonical `course-v1:` key of a course id written either way, or null. */
export function canonicalCourse(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const v1 = /^course-v1:([^+]+)\+([^+]+)\+([^+]+)$/u.exec(id);
  if (v1) return id;
  const slash = /^([^/]+)\/([^/]+)\/([^/]+)$/u.exec(id);
  return slash ? `course-v1:${slash[1] ?? ''}+${slash[2] ?? ''}+${slash[3] ?? ''}` : null;
}

/**
 * Every JSON line of the package's tracking logs, parsed with `JSON.parse` (lines that do not
 * parse are left out), in file order. Repeated lines (the generator's duplicates) are kept
 * once, as the loader stores them.
 */
export async function readEvents(loaded: LoadedCourse): Promise<Record<string, unknown>[]> {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const file of loaded.truth.events.files) {
    const text = gunzipSync(await readFile(join(loaded.pkg.dir, file.file))).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '' || seen.has(line)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
      seen.add(line);
      out.push(parsed as Record<string, unknown>);
    }
  }
  return out;
}

/** The events of one course (by `context.course_id`, either form). */
export async function courseEvents(
  loaded: LoadedCourse,
  courseKey = loaded.courseKey,
): Promise<Record<string, unknown>[]> {
  return (await readEvents(loaded)).filter((e) => {
    const context = e['context'] as Record<string, unknown> | undefined;
    return canonicalCourse(context?.['course_id']) === courseKey;
  });
}

/** A CSV file written by an export, read back with fast-csv (header row → keys). */
export async function readCsv(path: string): Promise<Record<string, string>[]> {
  const text = await readFile(path, 'utf8');
  return new Promise((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    parseString<Record<string, string>, Record<string, string>>(text, { headers: true })
      .on('error', reject)
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('end', () => {
        resolve(rows);
      });
  });
}

/** What {@link exportRows} passes on to `exportReports`. */
export interface ExportRowsOptions {
  readonly params?: Readonly<Record<string, string>> | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/**
 * Export one report of `course` into a new folder under `dir` and read its CSV back with
 * fast-csv (the way every report test looks at what a researcher receives).
 */
export async function exportRows(
  store: Store,
  course: string,
  report: string,
  dir: string,
  options: ExportRowsOptions = {},
): Promise<Record<string, string>[]> {
  const out = await mkdtemp(join(dir, `${report}-`));
  await exportReports(store, { course, reports: [report], out, ...options });
  return readCsv(join(out, `${report}.csv`));
}

/** Drop what {@link loadCourse} wrote on a shared server (its course and master databases). */
export async function dropCourse(loaded: LoadedCourse): Promise<void> {
  for (const key of loaded.truth.courseIds) {
    await loaded.store.dropDatabase(courseDatabaseName(key)).catch(() => false);
  }
  await loaded.store.dropDatabase(`${loaded.truth.options.org}_master`).catch(() => false);
}
