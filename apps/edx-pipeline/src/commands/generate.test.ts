import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInput } from '@edx-data/core';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
import { generateCommand } from './generate.js';

interface GenerateJson {
  readonly out: string;
  readonly groundTruth: string;
  readonly courses: readonly string[];
  readonly learners: number;
  readonly days: number;
  readonly files: number;
  readonly events: { readonly unique: number; readonly rejected: number };
  readonly encrypted: boolean;
  readonly quirks: readonly string[];
  readonly keys?: { readonly private: string; readonly public: string };
}

const commands = [generateCommand];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-generate-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('edx-pipeline generate', () => {
  it('writes a small package and prints a summary for people', async () => {
    const out = join(dir, 'plain');
    const io = captureIo();
    const code = await run(
      ['generate', '--out', out, '--learners', '8', '--days', '2', '--courses', '1', '--seed', '3'],
      io,
      { commands },
    );
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const text = io.out();
    expect(text).toContain(`Wrote a synthetic package to ${out} (seed 3,`);
    expect(text).toMatch(/1 course, 8 learners, 2 days of tracking logs/u);
    expect(text).toContain(`ground truth: ${join(out, 'ground-truth.json')}`);
    const truth = JSON.parse(await readFile(join(out, 'ground-truth.json'), 'utf8')) as {
      files: { path: string }[];
    };
    expect(text).toContain(`${truth.files.length} files;`);
    const events = await readdir(join(out, 'events'));
    expect(events).toEqual([
      'syntheticx-edx-events-2024-01-08.log.gz',
      'syntheticx-edx-events-2024-01-09.log.gz',
    ]);
  });

  it('with --encrypt --json: writes the keys (private one mode 600) and encrypted files', async () => {
    const out = join(dir, 'encrypted');
    const io = captureIo();
    const code = await run(
      [
        '--json',
        'generate',
        '--out',
        out,
        '--learners',
        '5',
        '--days',
        '1',
        '--courses',
        '2',
        '--encrypt',
        '--quirks',
        'all',
      ],
      io,
      { commands },
    );
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    expect(io.out().trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(io.out()) as GenerateJson;
    expect(summary).toMatchObject({ out, learners: 5, days: 1, encrypted: true });
    expect(summary.courses).toHaveLength(2);
    expect(summary.quirks.length).toBeGreaterThan(5);
    expect(summary.keys).toEqual({
      private: join(out, 'keys', 'private.asc'),
      public: join(out, 'keys', 'public.asc'),
    });
    expect((await stat(join(out, 'keys', 'private.asc'))).mode & 0o777).toBe(0o600);
    const privateKey = await readFile(join(out, 'keys', 'private.asc'), 'utf8');
    expect(io.out()).not.toContain(privateKey.split('\n')[3]);
    const [log] = await readdir(join(out, 'events'));
    expect(log).toMatch(/\.log\.gz\.gpg$/u);
    const input = await openInput(join(out, 'events', log!), { key: privateKey });
    expect(input.layers).toEqual(['gpg', 'gzip']);
    input.stream.resume();
    expect((await input.done).integrityChecked).toBe(true);
  });

  it('exits 2 on a bad number', async () => {
    const io = captureIo();
    expect(
      await run(['generate', '--out', join(dir, 'bad'), '--learners', 'many'], io, { commands }),
    ).toBe(ExitCode.Usage);
    expect(io.err()).toContain('--learners must be an integer');
  });
});
