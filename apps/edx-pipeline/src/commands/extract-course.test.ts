import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

let dir: string;
let pkgDir: string;
let storeDir: string;
let truth: GroundTruth;

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage } = await import('@edx-data/synthetic-data');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-extract-'));
  pkgDir = join(dir, 'package');
  storeDir = join(dir, 'store');
  ({ groundTruth: truth } = await generatePackage({
    dir: pkgDir,
    courses: 2,
    learners: 15,
    days: 5,
    seed: 9,
  }));
  for (const command of ['import', 'load-tracking']) {
    const io = captureIo();
    expect(await run([command, pkgDir, '--store', storeDir, '--no-progress'], io)).toBe(0);
  }
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  database: string;
  read: number;
  inserted: number;
  alreadyPresent: number;
  withBlock: number;
  from: string;
  toExclusive: string;
  problemIds: { read: number; withoutUser: number };
}

async function extract(
  args: readonly string[],
): Promise<{ code: number; summary: Summary; err: string }> {
  const io = captureIo();
  const code = await run(
    ['extract-course', ...args, '--store', storeDir, '--json', '--no-progress'],
    io,
  );
  return { code, summary: (io.out() === '' ? {} : JSON.parse(io.out())) as Summary, err: io.err() };
}

const WINDOW = ['--from', '2024-01-09', '--to', '2024-01-11'];

const eventsBetween = (key: string, first: string, last: string): number =>
  Object.entries(truth.courses[key]?.eventsByDay ?? {})
    .filter(([day]) => day >= first && day <= last)
    .reduce((sum, [, n]) => sum + n, 0);

describe('edx-pipeline extract-course', () => {
  it('extracts a course window given on the command line (legacy id), inclusive days', async () => {
    const key = truth.courseIds[0] ?? '';
    const legacy = truth.courses[key]?.legacyId ?? '';
    const { code, summary, err } = await extract([
      '--course-id',
      legacy,
      '--from',
      '2024-01-09',
      '--to',
      '2024-01-11',
    ]);
    expect(err).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const expected = eventsBetween(key, '2024-01-09', '2024-01-11');
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(truth.courses[key]?.events ?? 0);
    expect(summary).toMatchObject({
      database: courseDatabaseName(key),
      read: expected,
      inserted: expected,
      alreadyPresent: 0,
      from: '2024-01-09T00:00:00.000Z',
      toExclusive: '2024-01-12T00:00:00.000Z',
    });
    expect(summary.withBlock).toBeGreaterThan(0);
    expect(summary.problemIds.read).toBeGreaterThan(0);
    expect(summary.problemIds.withoutUser).toBe(0);

    // Again: nothing new. With --drop: rebuilt.
    const again = await extract(['--course-id', key, '--from', '2024-01-09', '--to', '2024-01-11']);
    expect(again.summary).toMatchObject({ read: expected, inserted: 0, alreadyPresent: expected });
    const dropped = await extract(['--course-id', key, ...WINDOW, '--drop']);
    expect(dropped.summary).toMatchObject({ read: expected, inserted: expected });
  }, 60_000);

  it('reads a McGill course config file, and prints a human summary', async () => {
    const key = truth.courseIds[1] ?? '';
    const config = join(dir, 'course.json');
    await writeFile(
      config,
      JSON.stringify({
        edx_id: key,
        edx_course_name: 'Synthetic',
        course_ids: [key],
        date_of_course_enrollment: '2024-01-08',
        date_of_course_completion: '2024-01-12',
      }),
    );
    const io = captureIo();
    const code = await run(
      ['extract-course', '--config', config, '--store', storeDir, '--no-progress'],
      io,
    );
    expect(code).toBe(ExitCode.Ok);
    const events = truth.courses[key]?.events ?? 0;
    expect(io.out()).toContain(
      `${courseDatabaseName(key)}.tracking: events of 2024-01-08 to 2024-01-12 inclusive (UTC)`,
    );
    expect(io.out()).toContain(
      `${events.toLocaleString('en-US')} events read from tracking_logs.tracking`,
    );
    expect(io.out()).toMatch(/With a block and its parent_data: [\d,]+ \(\d+\.\d%\)/u);
  }, 60_000);

  it('rejects bad options with exit 2 and one line naming the option', async () => {
    const key = truth.courseIds[0] ?? '';
    const cases: [string[], RegExp][] = [
      [['--course-id', key, '--from', '2024-01-09'], /missing: --to/u],
      [['--course-id', key, '--from', '2024-13-01', '--to', '2024-01-11'], /--from/u],
      [
        ['--course-id', 'not a course', '--from', '2024-01-09', '--to', '2024-01-11'],
        /--course-id/u,
      ],
      [['--config', 'x.json', '--course-id', key], /--config cannot be combined/u],
      [['--course-id', key, ...WINDOW, '--time-zone', 'Mars/Base'], /--time-zone/u],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await extract(args);
      expect(code, args.join(' ')).toBe(ExitCode.Usage);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
    const missing = await extract(['--config', join(dir, 'nope.json')]);
    expect(missing.code).toBe(ExitCode.Failure);
    expect(missing.err).toMatch(/nope\.json/u);
  });
});
