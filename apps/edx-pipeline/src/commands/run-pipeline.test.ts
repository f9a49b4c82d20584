/**
 * `edx-pipeline run --config`: on a generated encrypted package, a first run loads and checks
 * out against the ground truth; a second run on the same inputs loads nothing and skips every
 * stage; with one new daily log naming one course, only that log is loaded and only that
 * course is re-extracted, re-exported and re-anonymised (the other course's files untouched).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  PIPELINE_LEDGER,
  tableCollection,
} from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage, generateTestKey } = await import('@edx-data/synthetic-data');
const { openStore } = await import('@edx-data/store');

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-run-'));
const configFile = join(dir, 'pipeline.json');
const REPORTS = ['user_info', 'forum_posts', 'person_course_day', 'sessions'];
let truth: GroundTruth;
let eventsDir: string;

interface RunSummary {
  stages: { name: string; subject: string; status: string; detail: string }[];
  files: { stage: string; file: string; status: string; records: number }[];
  courses: { course: string; extract?: string; export?: string; anonymise?: string }[];
}

beforeAll(async () => {
  const key = await generateTestKey();
  await writeFile(join(dir, 'private.asc'), key.privateKey, { mode: 0o600 });
  await writeFile(join(dir, 'pseudonym.key'), 'a pseudonym key of this test, 32 bytes+\n', {
    mode: 0o600,
  });
  const pkg = await generatePackage({
    dir: join(dir, 'package'),
    org: 'RunX',
    courses: 2,
    learners: 20,
    days: 2,
    seed: 17,
    encryptTo: key.publicKey,
  });
  truth = pkg.groundTruth;
  const firstLog = truth.files.find((f) => f.kind === 'events');
  if (firstLog === undefined) throw new Error('the package has no tracking log');
  eventsDir = dirname(join(pkg.dir, firstLog.path));
  await writeFile(
    configFile,
    JSON.stringify({
      store: 'store',
      key: { file: 'private.asc' },
      packages: ['package'],
      logs: [relative(dir, eventsDir)],
      courses: truth.courseIds.map((id) => ({
        course_ids: [id],
        date_of_course_enrollment: '2024-01-01',
        date_of_course_completion: '2024-12-31',
      })),
      reports: { out: 'out/reports', names: REPORTS },
      anonymise: { out: 'out/anonymised', keyFile: 'pseudonym.key', k: 2 },
      report: 'out/report.html',
    }),
  );
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Documents of every collection of the store, read independently. */
async function counts(): Promise<Record<string, number>> {
  const store = await openStore(join(dir, 'store'));
  const out: Record<string, number> = {};
  try {
    for (const { name } of await store.listDatabases()) {
      for (const c of await store.db(name).listCollections()) {
        out[`${name}.${c.name}`] = await store.db(name).collection(c.name).countDocuments();
      }
    }
  } finally {
    await store.close();
  }
  return out;
}

/** The modification time of every file under `folder`, by path. */
async function mtimes(folder: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await readdir(folder, { recursive: true })) {
    const info = await stat(join(folder, name));
    if (info.isFile()) out[name] = info.mtimeMs;
  }
  return out;
}

async function runPipeline(json: boolean): Promise<{ code: number; out: string; seconds: number }> {
  const io = captureIo();
  const started = performance.now();
  const code = await run(
    ['run', '--config', configFile, '--no-progress', ...(json ? ['--json'] : [])],
    io,
  );
  const seconds = (performance.now() - started) / 1000;
  return { code, out: io.out(), seconds };
}

const stageStatuses = (summary: RunSummary): string[][] =>
  summary.stages.map((s) => [s.name, s.subject, s.status]);

describe('edx-pipeline run --config', () => {
  it('runs every stage, then skips them all on the same inputs, then does only what one new log needs', async () => {
    const [a = '', b = ''] = truth.courseIds;
    const courseA = truth.courses[a];
    const courseB = truth.courses[b];
    if (courseA === undefined || courseB === undefined) throw new Error('two courses expected');
    const dbA = courseDatabaseName(a);
    const dbB = courseDatabaseName(b);
    const master = MASTER_TRACKING.database;
    const expectedExit = truth.events.totals.rejectedLines > 0 ? ExitCode.Rejected : ExitCode.Ok;

    // 1. The first run: everything, with the ground truth's counts.
    const first = await runPipeline(false);
    expect(first.code).toBe(expectedExit);
    expect(first.out).toMatch(/^import package\n/u);
    expect(first.out).toContain(`extract-course ${a}: never extracted`);
    expect(first.out).toContain(`export ${b}: extracted this run; never exported`);
    const afterFirst = await counts();
    expect(afterFirst[`${master}.${MASTER_TRACKING.events}`]).toBe(
      truth.events.totals.uniqueEvents,
    );
    for (const [key, course] of [
      [a, courseA],
      [b, courseB],
    ] as const) {
      const db = courseDatabaseName(key);
      expect(afterFirst[`${db}.${COURSE_COLLECTIONS.tracking}`]).toBe(course.events);
      for (const [table, rows] of Object.entries(course.tables)) {
        expect(afterFirst[`${db}.${tableCollection(table)}`]).toBe(rows);
      }
      const userInfo = await readFile(join(dir, 'out/reports', db, 'user_info.csv'), 'utf8');
      expect(userInfo.trimEnd().split('\n').length - 1).toBe(course.learners);
      const copies = (await readdir(join(dir, 'out/anonymised', db)))
        .filter((f) => f.endsWith('.csv') || f === 'anonymisation-audit.json')
        .sort();
      expect(copies).toEqual(
        [...REPORTS.map((r) => `${r}.csv`), 'anonymisation-audit.json'].sort(),
      );
    }
    expect(afterFirst[`${PIPELINE_LEDGER.database}.${PIPELINE_LEDGER.collection}`]).toBe(2);
    const reportsA = await mtimes(join(dir, 'out/reports', dbA));
    const reportsB = await mtimes(join(dir, 'out/reports', dbB));
    const anonymisedB = await mtimes(join(dir, 'out/anonymised', dbB));

    // 2. The same inputs: nothing is read, every stage is skipped, and it says so.
    const second = await runPipeline(true);
    expect(second.code).toBe(ExitCode.Ok);
    const again = JSON.parse(second.out) as RunSummary;
    expect(stageStatuses(again)).toEqual([
      ['import', 'package', 'skipped'],
      ['load-tracking', relative(dir, eventsDir), 'skipped'],
      ['extract-course', a, 'skipped'],
      ['export', a, 'skipped'],
      ['anonymise', a, 'skipped'],
      ['extract-course', b, 'skipped'],
      ['export', b, 'skipped'],
      ['anonymise', b, 'skipped'],
    ]);
    const tables = truth.files.filter((f) => f.kind !== 'events').length;
    const logs = truth.files.filter((f) => f.kind === 'events').length;
    expect(again.stages[0]?.detail).toBe(`unchanged: ${String(tables)} files loaded before`);
    expect(again.stages[1]?.detail).toBe(`unchanged: ${String(logs)} files loaded before`);
    expect(again.files.filter((f) => f.status !== 'skipped')).toEqual([]);
    expect(again.files).toHaveLength(tables + logs);
    expect(await counts()).toEqual(afterFirst);
    expect(await mtimes(join(dir, 'out/reports', dbA))).toEqual(reportsA);
    const text = await runPipeline(false);
    expect(text.out).toContain(
      `import package: skipped (unchanged: ${String(tables)} files loaded before)`,
    );
    expect(text.out).toContain(`extract-course ${b}: skipped (no new events, structure unchanged)`);
    expect(text.out).toContain('8 stages: 0 ran, 8 skipped (unchanged), 0 failed');

    // 3. One new daily log whose 3 events are all of course A (a 4th line repeats one).
    const lines = [1, 2, 3].map((minute) =>
      JSON.stringify({
        username: 'newcomer',
        event_type: 'page_close',
        event_source: 'browser',
        time: `2024-02-01T10:0${String(minute)}:00.000000+00:00`,
        context: { course_id: a, user_id: 9999, org_id: truth.options.org, path: '/event' },
        event: '{}',
        page: `https://courses.example/courses/${a}/courseware`,
        session: 'newcomer-session',
        ip: '203.0.113.9',
        agent: 'test',
        host: 'courses.example',
      }),
    );
    const newLog = `${truth.options.org}-edx-events-2024-02-01.log.gz`;
    await writeFile(
      join(eventsDir, newLog),
      gzipSync(`${[...lines, lines[0] ?? ''].join('\n')}\n`),
    );
    const third = await runPipeline(true);
    expect(third.code).toBe(ExitCode.Ok);
    const after = JSON.parse(third.out) as RunSummary;
    expect(stageStatuses(after)).toEqual([
      ['import', 'package', 'skipped'],
      ['load-tracking', relative(dir, eventsDir), 'done'],
      ['extract-course', a, 'done'],
      ['export', a, 'done'],
      ['anonymise', a, 'done'],
      ['extract-course', b, 'skipped'],
      ['export', b, 'skipped'],
      ['anonymise', b, 'skipped'],
    ]);
    expect(after.stages[2]?.detail).not.toBe('');
    expect(
      after.files.filter((f) => f.status !== 'skipped').map((f) => [f.file, f.status, f.records]),
    ).toEqual([[newLog, 'loaded', 3]]);
    const afterThird = await counts();
    expect(afterThird).toEqual({
      ...afterFirst,
      [`${master}.${MASTER_TRACKING.events}`]: truth.events.totals.uniqueEvents + 3,
      [`${master}.${MASTER_TRACKING.ledger}`]: logs + 1,
      [`${dbA}.${COURSE_COLLECTIONS.tracking}`]: courseA.events + 3,
    });
    // Course B's reports and copies were not written again; course A's were.
    expect(await mtimes(join(dir, 'out/reports', dbB))).toEqual(reportsB);
    expect(await mtimes(join(dir, 'out/anonymised', dbB))).toEqual(anonymisedB);
    const rewritten = await mtimes(join(dir, 'out/reports', dbA));
    expect(rewritten['manifest.json']).toBeGreaterThan(reportsA['manifest.json'] ?? Infinity);

    // The run report of that run: what ran and what was skipped, the new log's events on
    // their day (3, by hand), every course's total the ground truth's plus those.
    const html = await readFile(join(dir, 'out/report.html'), 'utf8');
    expect(html).not.toContain(dir);
    expect(html).toContain('<h1>edx-pipeline run --config pipeline.json</h1>');
    const rows = (id: string): string[][] =>
      [
        ...(
          new RegExp(`<section id="${id}">[\\s\\S]*?</section>`, 'u').exec(html)?.[0] ?? ''
        ).matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gu),
      ].map((m) =>
        [...(m[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/gu)].map((c) => c[1] ?? ''),
      );
    expect(
      rows('stages')
        .slice(1, -1)
        .map((r) => [r[0], r[1], r[2]]),
    ).toEqual(stageStatuses(after));
    const files = rows('files').slice(1);
    expect(files.filter((r) => r.includes('loaded')).map((r) => r[1])).toEqual([newLog]);
    expect(files.filter((r) => r.includes('skipped'))).toHaveLength(tables + logs);
    const [head = [], ...days] = rows('events');
    const column = (key: string): number => head.indexOf(key);
    const cell = (day: string, key: string): number =>
      Number((days.find((r) => r[0] === day)?.[column(key)] ?? 'NaN').replace(/,/gu, ''));
    expect(cell('2024-02-01', a)).toBe(3);
    expect(cell('2024-02-01', b)).toBe(0);
    expect(cell('Total', a)).toBe(courseA.events + 3);
    expect(cell('Total', b)).toBe(courseB.events);

    console.log(
      `run --config: first run ${first.seconds.toFixed(1)} s, re-run ${second.seconds.toFixed(1)} s, one new log ${third.seconds.toFixed(1)} s`,
    );
  }, 300_000);

  it('refuses a config that does not follow the schema, naming the field, with exit 2', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        courses: [
          {
            course_ids: ['course-v1:RunX+C1+2024'],
            date_of_course_enrollment: '2014-13-01',
            date_of_course_completion: '2014-12-01',
          },
        ],
      }),
    );
    const io = captureIo();
    expect(await run(['run', '--config', bad], io)).toBe(ExitCode.Usage);
    expect(io.err()).toContain(
      `${bad}: /courses/0/date_of_course_enrollment: expected a date YYYY-MM-DD, got "2014-13-01"`,
    );
    expect(io.out()).toBe('');
  });
});
