/**
 * Commands that only read refuse a location that holds no store (a typo must not look like an
 * empty result); commands that load create one.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edx-store-location-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({});
  const code = await run(['--no-progress', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const READING: readonly (readonly string[])[] = [
  ['status'],
  [
    'extract-course',
    '--course-id',
    'course-v1:OrgX+C1+2024',
    '--from',
    '2024-01-01',
    '--to',
    '2024-01-02',
  ],
];

describe('a location that is not a store', () => {
  it.each(READING)(
    '%s: a missing folder exits 2 and says so, creating nothing',
    async (...args) => {
      const typo = join(dir, 'edx-dtaa');
      const result = await cli(['--store', typo, ...args]);
      expect(result.code).toBe(ExitCode.Usage);
      expect(result.err).toContain(`no store at ${typo}: no such folder`);
      expect(result.out).toBe('');
      expect(existsSync(typo)).toBe(false);
    },
  );

  it.each(READING)(
    '%s: a folder of other files exits 2 and says what is there',
    async (...args) => {
      const other = join(dir, 'documents');
      mkdirSync(other, { recursive: true });
      writeFileSync(join(other, 'notes.txt'), 'hello');
      writeFileSync(join(other, 'thesis.pdf'), '%PDF');
      const result = await cli(['--store', other, ...args]);
      expect(result.code).toBe(ExitCode.Usage);
      expect(result.err).toContain('a folder with 2 entries but no store databases');
    },
  );

  it('status of a file exits 2', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const result = await cli(['--store', file, 'status']);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toMatch(/not a store folder/u);
  });

  it('a loading command creates the store it is given', async () => {
    const fresh = join(dir, 'fresh-store');
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(
      join(logs, 'orgx-edx-events-2024-01-01.log'),
      `${JSON.stringify({ username: 'u', event_type: 'x', time: '2024-01-01T10:00:00+00:00' })}\n`,
    );
    const loaded = await cli(['--store', fresh, 'load-tracking', logs]);
    expect(loaded.code).toBe(ExitCode.Ok);
    expect(existsSync(fresh)).toBe(true);
    const status = await cli(['--store', fresh, '--json', 'status']);
    expect(status.code).toBe(ExitCode.Ok);
    expect((JSON.parse(status.out) as { totals: { documents: number } }).totals.documents).toBe(
      // 1 event, 1 ledger entry
      2,
    );
  });
});
