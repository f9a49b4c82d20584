import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { environmentHas, MissingEnvironmentError, parseFlag, strictFrom } from './environment.js';

describe('parseFlag', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['woodpecker', true],
    ['0', false],
    ['false', false],
    [' False ', false],
    ['no', false],
    ['off', false],
  ])('%j → %j', (value, expected) => {
    expect(parseFlag(value)).toBe(expected);
  });
});

describe('strictFrom', () => {
  it.each([
    [{}, false],
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '' }, false],
    [{ EDX_TEST_STRICT: '1' }, true],
    [{ CI: 'false', EDX_TEST_STRICT: 'true' }, true],
    [{ CI: 'true', EDX_TEST_STRICT: '0' }, false],
    [{ CI: 'true', EDX_TEST_STRICT: '' }, true],
  ])('%j → %j', (env, expected) => {
    expect(strictFrom(env)).toBe(expected);
  });
});

describe('environmentHas', () => {
  let notes: string;
  beforeEach(async () => {
    notes = await mkdtemp(join(tmpdir(), 'edx-test-notes-test-'));
    vi.stubEnv('EDX_TEST_NOTES_DIR', notes);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await rm(notes, { recursive: true, force: true });
  });

  it('says yes without a problem, strict or not, and prints nothing', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(environmentHas('GnuPG', undefined, false)).toBe(true);
    expect(environmentHas('GnuPG', undefined, true)).toBe(true);
    expect(log).not.toHaveBeenCalled();
  });

  it('skips with the reason printed once per run, across fresh module instances', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(environmentHas('Maria DB', 'not installed', false)).toBe(false);
    expect(environmentHas('Maria DB', 'not installed', false)).toBe(false);
    // Another test file of the run: its own module graph, the same notes folder.
    vi.resetModules();
    const again = await import('./environment.js');
    expect(again.environmentHas('Maria DB', 'not installed', false)).toBe(false);
    expect(again.environmentHas('real data', '/x not found', false)).toBe(false);
    expect(log.mock.calls).toEqual([
      ['skipped (Maria DB): not installed'],
      ['skipped (real data): /x not found'],
    ]);
    expect((await readdir(notes)).sort()).toEqual(['Maria-DB', 'real-data']);
    expect(await readFile(join(notes, 'Maria-DB'), 'utf8')).toBe('(Maria DB): not installed\n');
  });

  it('throws under strictness, naming what is missing and why', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(() => environmentHas('MariaDB', 'mariadbd not found', true)).toThrow(
      MissingEnvironmentError,
    );
    expect(() => environmentHas('MariaDB', 'mariadbd not found', true)).toThrow(
      /^MariaDB is missing: mariadbd not found\. This run is strict/,
    );
    expect(log).not.toHaveBeenCalled();
  });
});
