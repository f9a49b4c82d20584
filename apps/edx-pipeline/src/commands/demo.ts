import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Document, Store } from '@edx-data/store';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  EdxDataError,
  tableCollection,
  UsageError,
} from '@edx-data/core';
import type { AnonymisationAudit } from '@edx-data/anonymizer';
import type { ExportManifest } from '@edx-data/csv-exporter';
import type { GroundTruth } from '@edx-data/synthetic-data';
import type { CliCommand, CommandResult, JsonValue } from '../command.js';
import { RunRecorder } from '../run-recorder.js';
import { formatCount, formatTable, indent, plural } from '../text-table.js';
import { runAnonymize } from './anonymize.js';
import { runExport } from './export.js';
import { runExtractCourse } from './extract-course.js';
import { integer, parseQuirks, runGenerate } from './generate.js';
import { runImport } from './import.js';
import { runLoadTracking } from './load-tracking.js';

interface DemoOptions {
  readonly out: string;
  readonly learners: string;
  readonly days: string;
  readonly courses: string;
  readonly seed: string;
  readonly org: string;
  readonly k: string;
  readonly quirks?: string;
}

/**
 * The collection of the master database that marks a store's demo databases as the demo's
 * own: one document naming them, so that a re-run may drop them (and nothing else).
 */
const STORE_MARKER = 'edx_pipeline_demo';

/**
 * Make room in `store` for the demo's databases (`databases`): those an earlier demo made are
 * dropped; any other database of the same name is refused (the demo never writes into data
 * it did not make). Then mark them as the demo's. The master is shared with other ledgers
 * (`package_imported`, `pipeline_courses`): the demo owns only its tracking collections there,
 * refuses a master that holds events or loaded files it did not load, and drops only those
 * collections (and its marker) on a re-run.
 */
async function claimDatabases(store: Store, databases: readonly string[]): Promise<void> {
  const masterName = MASTER_TRACKING.database;
  const master = store.db(masterName);
  const present = new Set((await store.listDatabases()).map((d) => d.name));
  const marker = present.has(masterName)
    ? await master.collection<DemoMarker>(STORE_MARKER).findOne({ _id: 'demo' })
    : null;
  const ours = new Set(marker?.databases ?? []);
  const holdsTracking = async (): Promise<boolean> =>
    (await master.collection(MASTER_TRACKING.events).findOne({})) !== null ||
    (await master.collection(MASTER_TRACKING.ledger).findOne({})) !== null;
  const foreign: string[] = [];
  for (const name of databases) {
    if (!present.has(name) || ours.has(name)) continue;
    if (name !== masterName || (await holdsTracking())) foreign.push(name);
  }
  if (foreign.length > 0) {
    throw new UsageError(
      'E_USAGE',
      `the store already holds ${foreign.join(', ')}, not made by edx-pipeline demo: run the demo on a store without them (or give --org for other course databases)`,
    );
  }
  for (const name of new Set([...ours, ...databases])) {
    if (!present.has(name)) continue;
    if (name !== masterName) {
      await store.dropDatabase(name);
      continue;
    }
    const names = new Set((await master.listCollections()).map((c) => c.name));
    const own = [
      MASTER_TRACKING.events,
      MASTER_TRACKING.ledger,
      MASTER_TRACKING.rejects,
      STORE_MARKER,
    ];
    for (const collection of own) {
      if (names.has(collection)) await master.collection(collection).drop();
    }
  }
  await master
    .collection<DemoMarker>(STORE_MARKER)
    .insertOne({ _id: 'demo', databases: [...databases], created: new Date() });
}

interface DemoMarker extends Document {
  readonly _id: string;
  readonly databases: readonly string[];
  readonly created: Date;
}

/** The file that marks a folder as the demo's own (so a re-run may empty it). */
const MARKER = '.edx-pipeline-demo';

/** A fresh folder for the demo: created, or emptied when an earlier demo made it. */
async function prepare(out: string): Promise<void> {
  if (existsSync(out)) {
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new UsageError(
        'E_USAGE',
        `${out} is not empty and was not made by edx-pipeline demo: give another --out`,
      );
    }
    for (const entry of entries) await rm(join(out, entry), { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
  await writeFile(join(out, MARKER), 'made by edx-pipeline demo; a re-run empties this folder\n');
}

interface Check {
  readonly what: string;
  readonly expected: number;
  readonly found: number;
}

function lastDay(start: string, days: number): string {
  const time = Date.parse(`${start}T00:00:00Z`) + (days - 1) * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * `edx-pipeline demo [--out DIR]`: the whole pipeline on a synthetic encrypted package, on
 * the embedded store in DIR (or `--store`), checked against the package's ground truth.
 */
export const demoCommand: CliCommand = {
  name: 'demo',

  configure(command: Command): void {
    command
      .summary('run the whole pipeline on a generated package, and check it')
      .description(
        'Generate a synthetic edX data package encrypted to a throwaway key (DIR/package), then ' +
          'run import, load-tracking and extract-course (every course, over every day of the ' +
          'logs) into the store in DIR/store (or --store), export every report of every course ' +
          '(DIR/reports/<course>), anonymise them (DIR/anonymised/<course>, keyed by a fresh ' +
          'DIR/pseudonym.key), write the run report DIR/report.html, print what is where, and ' +
          'check every count against the package\u2019s ground-truth.json. A re-run starts ' +
          'again from an empty DIR.',
      )
      .option('--out <dir>', 'the demo folder (package, store, reports, report.html)', 'edx-demo')
      .option('--learners <n>', 'learners in the org', '50')
      .option('--days <n>', 'days of tracking logs', '7')
      .option('--courses <n>', 'courses', '2')
      .option('--seed <n>', 'the seed', '1')
      .option('--k <n>', 'k of k-anonymity for the anonymised copies', '5')
      .option(
        '--org <name>',
        'the org (its course databases are <org>_<course>_<run>)',
        'SyntheticX',
      )
      .option('--quirks <list>', 'log oddities to put in: "all" or a comma-separated list');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<DemoOptions>();
    const out = resolve(options.out);
    await prepare(out);
    const packageDir = join(out, 'package');
    const storeDir = join(out, 'store');
    const store = await context.openStore({ fallback: storeDir });
    const key = join(packageDir, 'keys', 'private.asc');
    const started = performance.now();

    const { GROUND_TRUTH_FILE, QUIRKS } = await import('@edx-data/synthetic-data');
    const recorder = new RunRecorder();
    const generated = await recorder.stage('generate', relative(out, packageDir), () =>
      runGenerate(context, {
        out: packageDir,
        encrypt: true,
        learners: integer('learners', options.learners, 1),
        days: integer('days', options.days, 1),
        courses: integer('courses', options.courses, 1),
        seed: integer('seed', options.seed, 0),
        org: options.org,
        quirks: parseQuirks(options.quirks, QUIRKS),
      }),
    );
    const truth = JSON.parse(
      await readFile(join(packageDir, GROUND_TRUTH_FILE), 'utf8'),
    ) as GroundTruth;
    await claimDatabases(store, [
      MASTER_TRACKING.database,
      ...truth.courseIds.map((course) => courseDatabaseName(course)),
    ]);
    const imported = await recorder.stage('import', relative(out, packageDir), () =>
      runImport(context, { inputs: [packageDir], key }),
    );
    recorder.addImported(imported.summary);
    const loaded = await recorder.stage('load-tracking', relative(out, packageDir), () =>
      runLoadTracking(context, { inputs: [packageDir], key }),
    );
    recorder.addLoaded(loaded.summary);
    // Each course over every day its events fall on (UTC): the days of the logs, and the
    // day before when an event's time zone puts it there.
    const { parseCourseConfig } = await import('@edx-data/course-extractor');
    const extracted: { args: string[]; result: CommandResult }[] = [];
    for (const course of truth.courseIds) {
      const days = Object.keys(truth.courses[course]?.eventsByDay ?? {}).sort();
      const first = days[0] ?? truth.options.start;
      const last = days.at(-1) ?? lastDay(truth.options.start, truth.options.days);
      const config = parseCourseConfig({
        course_ids: [course],
        date_of_course_enrollment: first,
        date_of_course_completion: last,
      });
      const args = ['--course-id', course, '--from', first, '--to', last];
      const result = await recorder.stage('extract-course', course, () =>
        runExtractCourse(context, { config }),
      );
      extracted.push({ args, result });
    }

    // Every report of every course, then its anonymised copy, keyed by a fresh pseudonym key.
    const reportsDir = join(out, 'reports');
    const anonymisedDir = join(out, 'anonymised');
    const keyFile = join(out, 'pseudonym.key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const exported: { course: string; dir: string; result: CommandResult }[] = [];
    const anonymised: { course: string; dir: string; result: CommandResult }[] = [];
    for (const course of truth.courseIds) {
      const folder = courseDatabaseName(course);
      const dir = join(reportsDir, folder);
      const result = await recorder.stage('export', course, () =>
        runExport(context, { reports: 'all', course, out: dir }),
      );
      recorder.addExported(result.summary, dir, out, course);
      exported.push({ course, dir, result });
    }
    const refused: string[] = [];
    for (const { course, dir: input } of exported) {
      const dir = join(anonymisedDir, courseDatabaseName(course));
      try {
        const result = await recorder.stage('anonymise', course, () =>
          runAnonymize(context, {
            inputs: [input],
            out: dir,
            course,
            options: { keyFile, k: options.k },
          }),
        );
        recorder.addAnonymised(result.summary, dir, out, course);
        anonymised.push({ course, dir, result });
      } catch (error) {
        // (a course too small for k: refused, said, and the demo goes on)
        if (!(error instanceof EdxDataError) || error.code !== 'E_REFUSED') throw error;
        refused.push(`${course}: ${error.message}`);
        context.warn(`anonymise ${course}: ${error.message}`);
      }
    }

    // Every count of the ground truth, against the store.
    const checks: Check[] = [];
    const check = (what: string, expected: number, found: number): void => {
      checks.push({ what, expected, found });
    };
    const count = (db: string, collection: string): Promise<number> =>
      store.db(db).collection(collection).countDocuments();
    const totals = truth.events.totals;
    const master = MASTER_TRACKING.database;
    check(
      `${master}.${MASTER_TRACKING.events}`,
      totals.uniqueEvents,
      await count(master, MASTER_TRACKING.events),
    );
    check(
      `${master}.${MASTER_TRACKING.rejects}`,
      totals.rejectedLines,
      await count(master, MASTER_TRACKING.rejects),
    );
    for (const key of truth.courseIds) {
      const course = truth.courses[key];
      if (course === undefined) continue;
      const db = courseDatabaseName(key);
      for (const [table, rows] of Object.entries(course.tables)) {
        const collection = tableCollection(table);
        check(`${db}.${collection}`, rows, await count(db, collection));
      }
      const { forum, course_structure: structure, tracking } = COURSE_COLLECTIONS;
      check(
        `${db}.${forum}`,
        course.forum.thread + course.forum.response + course.forum.comment,
        await count(db, forum),
      );
      check(`${db}.${structure}`, course.blocks.totalAfter, await count(db, structure));
      check(`${db}.${tracking}`, course.events, await count(db, tracking));
      // Events naming a block by its usage key (the ground truth counts them): every one
      // carries the block's parent_data.
      const blockKey = { $regex: '^block-v1:' };
      check(
        `${db}.${tracking} naming a block, with its parent_data`,
        course.blockEvents,
        await store
          .db(db)
          .collection(tracking)
          .countDocuments({
            $or: [
              { 'event.id': blockKey },
              { 'event.problem_id': blockKey },
              { 'context.module.usage_key': blockKey },
            ],
            parent_data: { $exists: true },
          }),
      );
    }
    // The reports against the ground truth, and the anonymised copies against the reports.
    const reportRows = (result: CommandResult, name: string): number => {
      const manifest = result.summary as unknown as ExportManifest;
      return manifest.reports.find((r) => r.name === name)?.rows ?? -1;
    };
    for (const { course: key, result } of exported) {
      const course = truth.courses[key];
      if (course === undefined) continue;
      const where = `reports/${courseDatabaseName(key)}`;
      check(
        `${where}/user_info.csv rows (learners enrolled)`,
        course.learners,
        reportRows(result, 'user_info'),
      );
      check(
        `${where}/forum_posts.csv rows (forum posts)`,
        course.forum.thread + course.forum.response + course.forum.comment,
        reportRows(result, 'forum_posts'),
      );
    }
    for (const { course: key, result } of anonymised) {
      const audit = result.summary as unknown as AnonymisationAudit;
      const manifest = exported.find((e) => e.course === key)?.result.summary as unknown as
        ExportManifest | undefined;
      const files = manifest?.reports.flatMap((r) => r.files) ?? [];
      const where = `anonymised/${courseDatabaseName(key)}`;
      check(`${where}: files (one per report file)`, files.length, audit.files.length);
      check(
        `${where}: rows written + suppressed (the reports' rows)`,
        files.reduce((sum, f) => sum + f.rows, 0),
        audit.files.reduce((sum, f) => sum + f.rowsWritten + f.rowsSuppressed, 0),
      );
    }
    const wrong = checks.filter((c) => c.expected !== c.found);

    // The run report: what each stage did, and the store's figures (of the demo's databases
    // only: a MongoDB server may hold others).
    for (const line of refused) recorder.warnings.push(`anonymise ${line}`);
    for (const c of wrong) {
      recorder.warnings.push(
        `${c.what}: expected ${formatCount(c.expected)} (${GROUND_TRUTH_FILE}), found ${formatCount(c.found)}`,
      );
    }
    const reportFile = join(out, 'report.html');
    await recorder.writeReport(reportFile, 'edx-pipeline demo', store, [
      MASTER_TRACKING.database,
      ...truth.courseIds.map((c) => courseDatabaseName(c)),
    ]);
    const seconds = (performance.now() - started) / 1000;

    // What is where.
    const rows: string[][] = [];
    for (const database of await store.listDatabases()) {
      const names = (await store.db(database.name).listCollections()).map((c) => c.name).sort();
      for (const name of names) {
        rows.push([database.name, name, formatCount(await count(database.name, name))]);
      }
    }
    const where = formatTable(
      [{ header: 'database' }, { header: 'collection' }, { header: 'documents', align: 'right' }],
      rows,
    );
    const storeArg =
      store.engine === 'embedded' ? relative(process.cwd(), storeDir) || '.' : '<uri>';
    const lines = [
      `1. generate`,
      indent(generated.text),
      '',
      `2. import ${relative(process.cwd(), packageDir)} --key ${relative(process.cwd(), key)}`,
      indent(imported.text),
      '',
      `3. load-tracking ${relative(process.cwd(), packageDir)} --key ${relative(process.cwd(), key)}`,
      indent(loaded.text),
      '',
      ...extracted.flatMap(({ args, result }, i) => [
        `${String(4 + i)}. extract-course ${args.join(' ')}`,
        indent(result.text),
        '',
      ]),
      `${String(4 + extracted.length)}. export all --course <each course> --out ${relative(process.cwd(), reportsDir)}/<course>`,
      ...exported.map(({ course, dir, result }) => {
        const manifest = result.summary as unknown as ExportManifest;
        const rowsWritten = manifest.reports.reduce((sum, r) => sum + r.rows, 0);
        return indent(
          `${course}: ${plural(manifest.reports.length, 'report')}, ${plural(rowsWritten, 'row')} in ${relative(process.cwd(), dir)}` +
            (manifest.skipped.length > 0
              ? `; skipped: ${manifest.skipped.map((r) => r.name).join(', ')} (why: manifest.json)`
              : ''),
        );
      }),
      '',
      `${String(5 + extracted.length)}. anonymize <each course's reports> --course <course> --key-file ${relative(process.cwd(), keyFile)} --out ${relative(process.cwd(), anonymisedDir)}/<course>`,
      ...anonymised.map(({ course, dir, result }) => {
        const audit = result.summary as unknown as AnonymisationAudit;
        const suppressed = audit.files.reduce((sum, f) => sum + f.rowsSuppressed, 0);
        return indent(
          `${course}: ${plural(audit.files.length, 'file')} in ${relative(process.cwd(), dir)}, k reached ${audit.kReached === null ? '(no quasi-identifiers)' : String(audit.kReached)}, ${plural(suppressed, 'row')} suppressed (${relative(process.cwd(), dir)}/anonymisation-audit.json)`,
        );
      }),
      ...refused.map((line) => indent(`REFUSED ${line}`)),
      '',
      `What is where (${store.engine === 'embedded' ? storeDir : 'the MongoDB store'}):`,
      indent(where),
      '',
      wrong.length === 0
        ? `Checked against ${GROUND_TRUTH_FILE}: all ${String(checks.length)} counts equal (${seconds.toFixed(1)} s).`
        : `Checked against ${GROUND_TRUTH_FILE}: ${plural(wrong.length, 'count')} of ${String(checks.length)} differ:\n${wrong
            .map(
              (c) =>
                `  ${c.what}: expected ${formatCount(c.expected)}, found ${formatCount(c.found)}`,
            )
            .join('\n')}`,
      '',
      `Everything is in ${relative(process.cwd(), out) || '.'}/:`,
      indent(
        formatTable(
          [{ header: 'what' }, { header: 'is' }],
          [
            ['package/', `the generated package, encrypted, and its ${GROUND_TRUTH_FILE}`],
            [
              'store/',
              store.engine === 'embedded' ? 'the embedded store' : '(unused: the store is MongoDB)',
            ],
            [
              'reports/<course>/',
              'every report as CSV, each with its data dictionary, and manifest.json',
            ],
            ['anonymised/<course>/', 'their anonymised copies and anonymisation-audit.json'],
            ['pseudonym.key', 'the pseudonym key of the anonymised copies (keep it private)'],
            [
              'report.html',
              'the run report: events per day per course, rejects, files, rows, timings',
            ],
          ],
        ),
      ),
      '',
      'Look at it:',
      `  npx edx-pipeline --store ${storeArg} status`,
      `  npx edx-pipeline --store ${storeArg} status --db ${courseDatabaseName(truth.courseIds[0] ?? '')}`,
    ];
    if (wrong.length > 0)
      context.warn(`${plural(wrong.length, 'count')} differ from the ground truth`);
    const summaryOf = (result: CommandResult): JsonValue => ({ ...result.summary });
    return {
      text: lines.join('\n'),
      summary: {
        out,
        store: store.engine === 'embedded' ? storeDir : 'mongodb',
        report: reportFile,
        seconds: Math.round(seconds * 1000) / 1000,
        generate: summaryOf(generated),
        import: summaryOf(imported),
        loadTracking: summaryOf(loaded),
        extractCourse: extracted.map(({ result }) => summaryOf(result)),
        export: exported.map(({ result }) => summaryOf(result)),
        anonymise: anonymised.map(({ result }) => summaryOf(result)),
        checks: checks.map((c) => ({ what: c.what, expected: c.expected, found: c.found })),
        mismatches: wrong.length,
      },
      rejected: (imported.rejected ?? 0) + (loaded.rejected ?? 0),
      failed: wrong.length + refused.length + (imported.failed ?? 0) + (loaded.failed ?? 0),
    };
  },
};
