/**
 * Benchmark: every report of the catalogue for one course of 2,000 learners and about 1M
 * events, on the embedded store (issue 13).
 *
 *   npm run bench:export -- [--learners 2000] [--events 1000000] [--dir DIR]
 *     [--reports all | reports | datasets | name,name…]
 *
 * Builds the course as a user would: a generated package (one course, `--learners`, as many
 * days as give `--events` course events), imported, its tracking logs loaded and the course
 * extracted. With `--dir` the built store is kept and reused by later runs (`DIR/ready.json`).
 * Then times, each in its own child process (own peak RSS), in the same run:
 *
 * - the floor: one plain cursor read of the course's `tracking` (`find({})`, every document
 *   iterated);
 * - `exportReports(store, { reports: 'all' })` of that course into a temporary folder.
 *
 * Prints both times, their ratio (goal: at most 3), the export's seconds (goal: under 120) and
 * its peak RSS (goal: under 500 MB).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COURSE_COLLECTIONS, courseDatabaseName } from '@edx-data/core';
import {
  buildProblemIds,
  extractCourseTracking,
  importPackage,
  parseCourseConfig,
} from '@edx-data/course-extractor';
import { DATASETS, exportReports, REPORTS } from '@edx-data/csv-exporter';
import { openStore } from '@edx-data/store';
import { generatePackage } from '@edx-data/synthetic-data';
import { loadTrackingLogs } from '@edx-data/tracking-loader';
import { flags, peakRssMiB, round, runChildJson, timed } from './measure.js';

const options = flags(process.argv.slice(2));

/** What a built folder holds (`DIR/ready.json`). */
interface Built {
  readonly course: string;
  readonly learners: number;
  readonly days: number;
  readonly events: number;
  readonly buildSeconds: number;
}

/** Course events per learner and day that the generator writes (measured: 954,056 over 2,000 × 77). */
const EVENTS_PER_LEARNER_DAY = 6.19;

async function build(dir: string): Promise<Built> {
  const ready = join(dir, 'ready.json');
  if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as Built;
  const learners = Number(options['learners'] ?? 2000);
  const events = Number(options['events'] ?? 1_000_000);
  const days = Math.max(1, Math.ceil(events / (learners * EVENTS_PER_LEARNER_DAY)));
  const started = performance.now();
  console.error(`export bench: generating ${learners} learners × ${days} days…`);
  const pkg = await generatePackage({
    dir: join(dir, 'package'),
    courses: 1,
    learners,
    days,
    seed: 13,
  });
  const truth = pkg.groundTruth;
  const course = truth.courseIds[0] ?? '';
  const store = await openStore(join(dir, 'store'));
  try {
    console.error('export bench: importing the tables…');
    await importPackage(store, [pkg.dir]);
    console.error('export bench: loading the tracking logs…');
    await loadTrackingLogs(
      truth.events.files.map((f) => join(pkg.dir, f.file)),
      store,
    );
    const eventDays = Object.keys(truth.courses[course]?.eventsByDay ?? {}).sort();
    console.error('export bench: extracting the course…');
    await extractCourseTracking(
      store,
      parseCourseConfig({
        course_ids: [course],
        date_of_course_enrollment: eventDays[0],
        date_of_course_completion: eventDays.at(-1),
      }),
    );
    await buildProblemIds(store, courseDatabaseName(course));
  } finally {
    await store.close();
  }
  const built: Built = {
    course,
    learners,
    days,
    events: truth.courses[course]?.events ?? 0,
    buildSeconds: round((performance.now() - started) / 1000, 1),
  };
  writeFileSync(ready, `${JSON.stringify(built, null, 2)}\n`);
  return built;
}

/** Child: one plain cursor read of the course's tracking. */
async function readChild(dir: string, course: string): Promise<void> {
  const store = await openStore(join(dir, 'store'), { create: false });
  const tracking = store.db(courseDatabaseName(course)).collection(COURSE_COLLECTIONS.tracking);
  const read = await timed(async () => {
    let n = 0;
    for await (const doc of tracking.find({})) if (doc['_id'] !== undefined) n++;
    return n;
  });
  await store.close();
  console.log(
    JSON.stringify({ events: read.value, seconds: read.seconds, peakRssMiB: peakRssMiB() }),
  );
}

/** Child: every report of the catalogue. */
async function exportChild(dir: string, course: string, reports: string): Promise<void> {
  const store = await openStore(join(dir, 'store'), { create: false });
  const out = mkdtempSync(join(tmpdir(), 'edx-bench-export-'));
  try {
    // the survey report needs its problem ids: two problems of the course stand in for them
    const problems = await store
      .db(courseDatabaseName(course))
      .collection(COURSE_COLLECTIONS.problem_ids)
      .distinct('problem_id');
    const params =
      problems.length < 2 ? {} : { entrance: String(problems[0]), exit: String(problems[1]) };
    // `reports` and `datasets` name the two halves of the catalogue
    const names =
      reports === 'all'
        ? 'all'
        : reports === 'reports'
          ? REPORTS.map((r) => r.name)
          : reports === 'datasets'
            ? DATASETS.map((r) => r.name)
            : reports.split(',');
    const surveys = names === 'all' || names.includes('entrance_exit_surveys');
    const run = await timed(() =>
      exportReports(store, { course, reports: names, out, params: surveys ? params : {} }),
    );
    console.log(
      JSON.stringify({
        seconds: run.seconds,
        peakRssMiB: peakRssMiB(),
        trackingEvents: run.value.inputs.trackingEvents,
        reports: run.value.reports.map((r) => ({ name: r.name, rows: r.rows, seconds: r.seconds })),
        skipped: run.value.skipped,
      }),
    );
  } finally {
    await store.close();
    rmSync(out, { recursive: true, force: true });
  }
}

interface ChildRead {
  readonly events: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
}
interface ChildExport {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly trackingEvents: number;
  readonly reports: readonly { name: string; rows: number; seconds: number }[];
  readonly skipped: readonly { name: string; reason: string }[];
}

async function main(): Promise<void> {
  const child = options['child'];
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-export-'));
  if (child === 'read') return readChild(dir, options['course'] ?? '');
  if (child === 'export') {
    return exportChild(dir, options['course'] ?? '', options['reports'] ?? 'all');
  }
  try {
    const built = await build(dir);
    const args = ['--dir', dir, '--course', built.course];
    const read = runChildJson(import.meta.url, ['--child', 'read', ...args]) as ChildRead;
    const exported = runChildJson(import.meta.url, [
      '--child',
      'export',
      ...args,
      '--reports',
      options['reports'] ?? 'all',
    ]) as ChildExport;
    const ratio = exported.seconds / read.seconds;
    const result = {
      bench: 'export',
      course: built.course,
      learners: built.learners,
      days: built.days,
      courseEvents: built.events,
      buildSeconds: built.buildSeconds,
      plainRead: {
        events: read.events,
        seconds: round(read.seconds, 2),
        peakRssMiB: round(read.peakRssMiB),
      },
      export: {
        reports: exported.reports.length,
        skipped: exported.skipped,
        trackingEvents: exported.trackingEvents,
        seconds: round(exported.seconds, 2),
        peakRssMiB: round(exported.peakRssMiB),
        slowest: [...exported.reports]
          .sort((a, b) => b.seconds - a.seconds)
          .slice(0, 5)
          .map((r) => `${r.name} ${r.seconds} s`),
      },
      ratio: round(ratio, 2),
      goal: { ratio: 3, seconds: 120, peakRssMiB: 500 },
      met: ratio <= 3 && exported.seconds < 120 && exported.peakRssMiB < 500,
    };
    console.log(JSON.stringify(result));
    if (read.events !== built.events || exported.trackingEvents !== built.events) {
      console.error(
        `export bench: ${built.events} course events built, ${read.events} read, ${exported.trackingEvents} exported`,
      );
      process.exitCode = 1;
    }
  } finally {
    if (options['dir'] === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
