import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-export-'));
const demo = join(dir, 'demo');
const store = join(demo, 'store');
let course = '';

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({});
  const code = await run(['--no-progress', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  // (k 3: 12 learners are too few for the demo's default k of 5, and its anonymise step
  // would be refused, making the demo exit 1)
  const made = await cli([
    'demo',
    '--out',
    demo,
    ...['--learners', '12', '--days', '3', '--k', '3', '--json'],
  ]);
  expect(made.err).toBe('');
  expect(made.code).toBe(ExitCode.Ok);
  const summary = JSON.parse(made.out) as { generate: { courses: string[] } };
  course = summary.generate.courses[0] ?? '';
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('edx-pipeline export', () => {
  it('lists the catalogue', async () => {
    const listed = await cli(['export', '--list', '--json']);
    expect(listed.code).toBe(ExitCode.Ok);
    const reports = (JSON.parse(listed.out) as { reports: { name: string }[] }).reports;
    expect(reports.map((r) => r.name)).toContain('user_info');
    expect(reports.map((r) => r.name)).toContain('session_info');
  });

  it('exports every report of a course with a manifest, and says what it wrote', async () => {
    const out = join(dir, 'all');
    const result = await cli(['--store', store, 'export', 'all', '--course', course, '--out', out]);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    const files = await readdir(out);
    expect(files).toContain('manifest.json');
    expect(files).toContain('user_info.csv');
    expect(files).toContain('user_info.schema.json');
    expect(result.out).toMatch(/reports? written to/u);
  });

  it('refuses a course that is not in the store, a typo store, a bad day, an unknown parameter (exit 2)', async () => {
    const out = join(dir, 'refused');
    const cases = [
      ['--store', store, 'export', 'all', '--course', 'course-v1:NoX+N1+2024', '--out', out],
      ['--store', join(dir, 'no-such-store'), 'export', 'all', '--course', course, '--out', out],
      ['--store', store, 'export', 'all', '--course', course, '--out', out, '--from', '2024-02-30'],
      ['--store', store, 'export', 'user_info', '--course', course, '--out', out, '--param', 'x=1'],
      ['--store', store, 'export', 'nope', '--course', course, '--out', out],
    ];
    const messages = [
      /not in this store/u,
      /no store at/u,
      /expected a day YYYY-MM-DD/u,
      /no selected report has a parameter/u,
      /unknown report "nope"/u,
    ];
    for (const [i, args] of cases.entries()) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(ExitCode.Usage);
      expect(result.err).toMatch(messages[i] ?? /./u);
    }
  });
});
