import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  tableCollection,
} from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-demo-'));

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { openStore } = await import('@edx-data/store');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface DemoSummary {
  store: string;
  mismatches: number;
  checks: { what: string; expected: number; found: number }[];
  loadTracking: { totals: { inserted: number; rejected: number } };
  extractCourse: { database: string; read: number; withBlock: number }[];
}

const small = ['--learners', '12', '--days', '3', '--courses', '2', '--no-progress'];

describe('edx-pipeline demo', () => {
  it('generates, imports, loads, extracts, and finds every ground-truth count in the store', async () => {
    const out = join(dir, 'demo');
    const io = captureIo();
    const code = await run(['demo', '--out', out, ...small], io);
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const text = io.out();
    expect(text).toMatch(/^1\. generate\n/u);
    expect(text).toMatch(/\n2\. import .*package --key .*private\.asc\n/u);
    expect(text).toMatch(/\n3\. load-tracking /u);
    expect(text).toMatch(
      /\n4\. extract-course --course-id course-v1:\S+ --from 2024-01-0[78] --to 2024-01-10\n/u,
    );
    expect(text).toMatch(/\n5\. extract-course /u);
    expect(text).toMatch(/Checked against ground-truth\.json: all \d+ counts equal/u);
    expect(text).toContain('npx edx-pipeline --store');

    // The store, read independently: the course trackings hold every event of the package.
    const store = await openStore(join(out, 'store'));
    const tracking = await store.db('tracking_logs').collection('tracking').countDocuments();
    const names = (await store.listDatabases()).map((d) => d.name);
    let inCourses = 0;
    for (const name of names.filter((n) => n !== 'tracking_logs')) {
      inCourses += await store.db(name).collection('tracking').countDocuments();
    }
    await store.close();
    expect(names).toContain('tracking_logs');
    expect(names.length).toBe(3);
    const truth = JSON.parse(
      await readFile(join(out, 'package', 'ground-truth.json'), 'utf8'),
    ) as GroundTruth;
    expect(tracking).toBe(truth.events.totals.uniqueEvents);
    // Every event with a course is in its course's tracking.
    expect(inCourses).toBe(tracking - truth.events.totals.eventsWithoutCourse);
    expect(inCourses).toBe(Object.values(truth.courses).reduce((sum, c) => sum + c.events, 0));
  }, 180_000);

  it('says what it did in --json, and starts again from an empty folder when re-run', async () => {
    const out = join(dir, 'demo-json');
    for (let i = 0; i < 2; i++) {
      const io = captureIo();
      const code = await run(['demo', '--out', out, '--json', ...small], io);
      expect(code).toBe(ExitCode.Ok);
      const summary = JSON.parse(io.out()) as DemoSummary;
      expect(summary.mismatches).toBe(0);
      expect(summary.checks.length).toBeGreaterThan(20);
      expect(summary.checks.every((c) => c.expected === c.found)).toBe(true);
      expect(
        summary.checks.some((c) =>
          c.what.endsWith('.tracking naming a block, with its parent_data'),
        ),
      ).toBe(true);
      // A fresh store each time: every event is new.
      expect(summary.loadTracking.totals.inserted).toBe(
        summary.checks.find((c) => c.what === 'tracking_logs.tracking')?.expected,
      );
      expect(summary.extractCourse).toHaveLength(2);
      expect(summary.extractCourse.every((e) => e.read > 0 && e.withBlock > 0)).toBe(true);
    }
  }, 180_000);

  it('keeps the broken lines of a package with quirks (exit 3), and the counts still match', async () => {
    const io = captureIo();
    const code = await run(
      [
        'demo',
        '--out',
        join(dir, 'demo-quirks'),
        '--quirks',
        'all',
        '--json',
        ...small,
        '--learners',
        '40',
        '--days',
        '5',
      ],
      io,
    );
    expect(code).toBe(ExitCode.Rejected);
    const summary = JSON.parse(io.out()) as DemoSummary;
    expect(summary.mismatches).toBe(0);
    expect(summary.loadTracking.totals.rejected).toBeGreaterThan(0);

    // The store, read independently of the demo's own checks, against the ground truth.
    const out = join(dir, 'demo-quirks');
    const truth = JSON.parse(
      await readFile(join(out, 'package', 'ground-truth.json'), 'utf8'),
    ) as GroundTruth;
    const store = await openStore(join(out, 'store'));
    try {
      const master = store.db(MASTER_TRACKING.database);
      expect(await master.collection(MASTER_TRACKING.events).countDocuments()).toBe(
        truth.events.totals.uniqueEvents,
      );
      // Every broken line is kept, by file and line number, as the generator wrote it.
      const rejects = await master
        .collection(MASTER_TRACKING.rejects)
        .find({}, { projection: { file: 1, line: 1 } })
        .toArray();
      const stored = rejects.map((r) => `${String(r['file'])}:${String(r['line'])}`).sort();
      const expected = truth.events.files
        .flatMap((f) =>
          f.rejectedLines.map((l) => `${f.file.split('/').pop() ?? ''}:${String(l.line)}`),
        )
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(stored).toEqual(expected);
      for (const course of Object.values(truth.courses)) {
        const db = store.db(courseDatabaseName(course.key));
        expect(await db.collection(COURSE_COLLECTIONS.tracking).countDocuments()).toBe(
          course.events,
        );
        for (const [table, rows] of Object.entries(course.tables)) {
          expect(await db.collection(tableCollection(table)).countDocuments()).toBe(rows);
        }
      }
    } finally {
      await store.close();
    }
  }, 180_000);

  it('refuses a folder it did not make (exit 2), and touches nothing in it', async () => {
    const mine = join(dir, 'not-a-demo');
    await mkdir(mine, { recursive: true });
    await writeFile(join(mine, 'thesis.tex'), 'keep me');
    const io = captureIo();
    const code = await run(['demo', '--out', mine, '--no-progress'], io);
    expect(code).toBe(ExitCode.Usage);
    expect(io.err()).toMatch(/not-a-demo is not empty and was not made by edx-pipeline demo/u);
    expect(await readFile(join(mine, 'thesis.tex'), 'utf8')).toBe('keep me');
  });
});
