/**
 * Crash test of `load-tracking` (issue 6): the real CLI, as a child process, is SIGKILLed at
 * several points of a multi-file load; running it again must give exactly the ground-truth
 * events, no duplicate, and every file finished in the ledger.
 *
 * The kill points are progress the test observes, not times (issue 18): the test reads the
 * ledger (`tracking_imported`) through a store connection of its own while the child loads,
 * and kills the child as soon as the ledger shows the point reached (the n-th file started,
 * or finished). Each kill therefore lands mid-load whatever the machine's speed, which the
 * test checks: after the kill, the ledger has passed the point but not every file finished.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

function loadTracking(store: string): { status: number | null; stdout: string; ms: number } {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [bin, 'load-tracking', pkg, '--store', store, '--no-progress'],
    {
      encoding: 'utf8',
    },
  );
  return { status: result.status, stdout: result.stdout, ms: Date.now() - started };
}

/** A point of a load: the ledger holds `files` entries (started), or `files` finished. */
interface KillPoint {
  readonly files: number;
  readonly status: 'started' | 'finished';
}

/** How far a load has gone, by its ledger. */
interface LedgerProgress {
  readonly started: number;
  readonly finished: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start a load, watch its ledger through a store connection of the test's own, and SIGKILL
 * the child as soon as the ledger reaches `point`. Resolves with how the child ended and the
 * progress seen when the kill was sent.
 */
async function loadAndKill(
  store: string,
  point: KillPoint,
): Promise<{ signal: NodeJS.Signals | null; seen: LedgerProgress | null }> {
  const child = spawn(
    process.execPath,
    [bin, 'load-tracking', pkg, '--store', store, '--no-progress'],
    { stdio: 'ignore' },
  );
  const ended = new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      resolve(signal);
    });
  });
  let seen: LedgerProgress | null = null;
  let reader: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    while (child.exitCode === null && child.signalCode === null) {
      // The child creates the store; the test never does (create: false).
      // (A database file just created is empty until the child's first commit: not yet a
      // store, E_STORE_NOT_FOUND; try again.)
      if (reader === undefined && existsSync(join(store, 'tracking_logs.sqlite'))) {
        reader = await openStore(store, { create: false }).catch((error: unknown) => {
          if ((error as { code?: unknown }).code === 'E_STORE_NOT_FOUND') return undefined;
          throw error;
        });
      }
      if (reader !== undefined) {
        const ledger = reader.db('tracking_logs').collection('tracking_imported');
        const progress = {
          started: await ledger.countDocuments(),
          finished: await ledger.countDocuments({ status: 'finished' }),
        };
        if (progress[point.status] >= point.files) {
          child.kill('SIGKILL');
          seen = progress;
          break;
        }
      }
      await sleep(2);
    }
    return { signal: await ended, seen };
  } finally {
    await reader?.close();
  }
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
  const again = loadTracking(join(dir, 'baseline'));
  expect(again.status).toBe(0); // everything already loaded: nothing rejected this run
  // The second run only hashes the files: it skips every one.
  const days = truth.events.files.length;
  expect(again.stdout).toContain(`0 files loaded, ${days} skipped (already loaded), 0 failed`);
  console.log(
    `load-tracking crash test: second run ${again.ms} ms after a first of ${baseline.ms} ms (process start-up included)`,
  );
}, 300_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('load-tracking killed mid-load', () => {
  it('ends, after each of 5 SIGKILLs at observed points of the load and a re-run, with exactly the ground truth', async () => {
    const expected = truth.events.totals.uniqueEvents;
    const days = truth.events.files.length;
    expect(days).toBe(8);
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
    // From the first file started to the seventh: each leaves at least one file to load.
    const points: KillPoint[] = [
      { files: 1, status: 'started' },
      { files: 1, status: 'finished' },
      { files: 4, status: 'started' },
      { files: 5, status: 'finished' },
      { files: 7, status: 'started' },
    ];
    const killed: string[] = [];
    for (const [i, point] of points.entries()) {
      const store = join(dir, `store-${i}`);
      const label = `killed when ${point.files} file(s) ${point.status}`;
      const { signal, seen } = await loadAndKill(store, point);
      expect(signal, label).toBe('SIGKILL');
      expect(seen, label).not.toBeNull();
      // The kill landed mid-load: past the point, not every file finished.
      const after = await state(store);
      expect(
        after[point.status === 'started' ? 'files' : 'finished'],
        label,
      ).toBeGreaterThanOrEqual(point.files);
      expect(after.finished, label).toBeLessThan(days);
      killed.push(
        `${label}: ${after.files} started, ${after.finished} finished, ${after.events} events`,
      );
      const rerun = loadTracking(store);
      expect([0, 3]).toContain(rerun.status);
      expect(await state(store), `after a kill ${label}`).toEqual({
        events: expected,
        distinctIds: expected,
        finished: days,
        files: days,
        loaded,
      });
    }
    console.log(`load-tracking crash test: ${killed.join('; ')}`);
  }, 300_000);
});
