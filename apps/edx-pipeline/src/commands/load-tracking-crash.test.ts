/**
 * Crash test of `load-tracking` (issue 6): the real CLI, as a child process, is SIGKILLed at
 * random points of a multi-file load; running it again must give exactly the ground-truth
 * events, no duplicate, and every file finished in the ledger.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '@edx-data/synthetic-data';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..');
const workspaceRoot = join(appRoot, '..', '..');
const bin = join(appRoot, 'bin', 'edx-pipeline.js');

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage, QUIRKS } = await import('@edx-data/synthetic-data');
const { openStore } = await import('@edx-data/store');

let dir: string;
let pkg: string;
let truth: GroundTruth;
let fullRunMs = 0;

function loadTracking(store: string): { status: number | null; ms: number } {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [bin, 'load-tracking', pkg, '--store', store, '--no-progress'],
    {
      encoding: 'utf8',
    },
  );
  return { status: result.status, ms: Date.now() - started };
}

/** Start a load and SIGKILL it after `ms`; resolves with how it ended. */
function loadAndKill(store: string, ms: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, 'load-tracking', pkg, '--store', store, '--no-progress'],
      {
        stdio: 'ignore',
      },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

async function state(store: string): Promise<{
  events: number;
  distinctIds: number;
  finished: number;
  files: number;
  loaded: Record<string, unknown>;
}> {
  const s = await openStore(store);
  const db = s.db('tracking_logs');
  const events = await db.collection('tracking').countDocuments();
  const distinctIds = (await db.collection('tracking').distinct('_id')).length;
  const finished = await db.collection('tracking_imported').countDocuments({ status: 'finished' });
  const files = await db.collection('tracking_imported').countDocuments();
  // The ledger's distinct count of each file, whatever runs it took.
  const loaded: Record<string, unknown> = {};
  for (const entry of await db.collection('tracking_imported').find({}).toArray()) {
    loaded[String(entry['file'])] = entry['loaded'];
  }
  await s.close();
  return { events, distinctIds, finished, files, loaded };
}

beforeAll(async () => {
  // The child runs the built CLI: bring dist up to date (incremental).
  const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '--build', join(appRoot, 'tsconfig.lib.json')], {
    encoding: 'utf8',
  });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'edx-load-tracking-crash-'));
  pkg = join(dir, 'package');
  ({ groundTruth: truth } = await generatePackage({
    dir: pkg,
    courses: 3,
    learners: 120,
    days: 8,
    seed: 9,
    quirks: QUIRKS,
  }));
  const baseline = loadTracking(join(dir, 'baseline'));
  expect(baseline.status).toBe(3); // the quirks include broken lines: rejected, exit 3
  fullRunMs = baseline.ms;
  const again = loadTracking(join(dir, 'baseline'));
  expect(again.status).toBe(0); // everything already loaded: nothing rejected this run
  console.log(
    `load-tracking crash test: second run ${again.ms} ms after a first of ${fullRunMs} ms (process start-up included)`,
  );
  // The second run only hashes the files: well under the first run's time.
  expect(again.ms).toBeLessThan(fullRunMs);
}, 300_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('load-tracking killed mid-load', () => {
  it('ends, after each of 5 SIGKILLs at random points and a re-run, with exactly the ground truth', async () => {
    const expected = truth.events.totals.uniqueEvents;
    const days = truth.events.files.length;
    const loaded = Object.fromEntries(
      truth.events.files.map((f) => [f.file.split('/').pop() ?? '', f.uniqueEvents]),
    );
    expect(await state(join(dir, 'baseline'))).toEqual({
      events: expected,
      distinctIds: expected,
      finished: days,
      files: days,
      loaded,
    });
    // A fixed sequence of "random" points, spread over the start-up and the whole load.
    let seed = 20_261_125;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const killed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const store = join(dir, `store-${i}`);
      const at = Math.round(200 + random() * Math.max(100, fullRunMs - 200));
      const signal = await loadAndKill(store, at);
      killed.push(`${at} ms: ${signal ?? 'finished first'}`);
      const rerun = loadTracking(store);
      expect([0, 3]).toContain(rerun.status);
      expect(await state(store), `after a kill at ${at} ms`).toEqual({
        events: expected,
        distinctIds: expected,
        finished: days,
        files: days,
        loaded,
      });
    }
    console.log(
      `load-tracking crash test: full load ${fullRunMs} ms; kills at ${killed.join(', ')}`,
    );
    // At least some of the kills must have hit a load in progress.
    expect(
      killed.filter((k) => k.endsWith('SIGKILL')).length,
      killed.join(', '),
    ).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
