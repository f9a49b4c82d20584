import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The folder holding nx.json, found by walking up from this file. */
function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}

/** A fresh notes folder (where skips are marked as printed) and fresh modules per test. */
let notes: string;
beforeEach(async () => {
  notes = await mkdtemp(join(tmpdir(), 'edx-test-notes-test-'));
  vi.stubEnv('EDX_TEST_NOTES_DIR', notes);
  vi.stubEnv('EDX_TEST_MONGO', '');
  vi.resetModules();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(notes, { recursive: true, force: true });
});

describe('the real data location', () => {
  it('is ../shared/realdata beside the repository unless EDX_REALDATA says otherwise', async () => {
    vi.stubEnv('EDX_REALDATA', '');
    vi.stubEnv('EDX_TEST_STRICT', '0');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { REALDATA, PIPELINE_FIXTURES, PIPELINE_INPUT, PIPELINE_STATE_INPUT } =
      await import('./realdata.js');
    expect(REALDATA).toBe(join(dirname(workspaceRoot()), 'shared', 'realdata'));
    expect(PIPELINE_FIXTURES).toBe(
      `${REALDATA}/openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures`,
    );
    expect(PIPELINE_INPUT).toBe(`${PIPELINE_FIXTURES}/input`);
    expect(PIPELINE_STATE_INPUT).toBe(`${PIPELINE_FIXTURES}/input/obfuscation/state`);
  });

  it('is skipped, with the folder named, when missing locally', async () => {
    const missing = join(notes, 'no-such-realdata');
    vi.stubEnv('EDX_REALDATA', missing);
    vi.stubEnv('EDX_TEST_STRICT', '0');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { REALDATA, HAS_REALDATA } = await import('./realdata.js');
    expect(REALDATA).toBe(missing);
    expect(HAS_REALDATA).toBe(false);
    expect(log.mock.calls).toEqual([
      [`skipped (real data): ${missing} not found (set EDX_REALDATA to its folder)`],
    ]);
  });

  it('fails a strict run (CI) at import when missing', async () => {
    vi.stubEnv('EDX_REALDATA', join(notes, 'no-such-realdata'));
    vi.stubEnv('EDX_TEST_STRICT', '');
    vi.stubEnv('CI', 'true');
    await expect(import('./realdata.js')).rejects.toThrow(
      /^real data is missing: .*no-such-realdata/,
    );
  });

  it('is there when the folder exists', async () => {
    vi.stubEnv('EDX_REALDATA', notes);
    vi.stubEnv('CI', 'true');
    const { HAS_REALDATA } = await import('./realdata.js');
    expect(HAS_REALDATA).toBe(true);
  });
});

describe('mongoTestUri', () => {
  it('is MONGODB_URI when set', async () => {
    vi.stubEnv('MONGODB_URI', 'mongodb://127.0.0.1:1/');
    const { mongoTestUri } = await import('./mongodb.js');
    expect(mongoTestUri()).toBe('mongodb://127.0.0.1:1/');
  });

  it('skips on request with EDX_TEST_MONGO=off, even under CI', async () => {
    vi.stubEnv('MONGODB_URI', 'mongodb://127.0.0.1:1/');
    vi.stubEnv('EDX_TEST_MONGO', 'off');
    vi.stubEnv('EDX_TEST_STRICT', '1');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { mongoTestUri } = await import('./mongodb.js');
    expect(mongoTestUri()).toBeUndefined();
    expect(log.mock.calls).toEqual([['skipped (MongoDB engine): EDX_TEST_MONGO=off']]);
  });

  it('skips locally without MONGODB_URI, and fails under CI', async () => {
    vi.stubEnv('MONGODB_URI', '');
    vi.stubEnv('EDX_TEST_STRICT', '0');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect((await import('./mongodb.js')).mongoTestUri()).toBeUndefined();
    expect(log.mock.calls).toEqual([
      [
        'skipped (MongoDB engine): MONGODB_URI is not set (`npm test` starts a FerretDB test server and sets it)',
      ],
    ]);
    vi.resetModules();
    vi.stubEnv('EDX_TEST_STRICT', '1');
    const strict = await import('./mongodb.js');
    expect(() => strict.mongoTestUri()).toThrow(
      /^MongoDB engine is missing: MONGODB_URI is not set/,
    );
  });
});
