import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
import { convertTrackingCommand } from './convert-tracking.js';
import { loadTrackingCommand } from './load-tracking.js';

const commands = [loadTrackingCommand, convertTrackingCommand];
let dir: string;
let logs: string;
let truth: GroundTruth;

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage } = await import('@edx-data/synthetic-data');
const { openStore } = await import('@edx-data/store');
const { TRACKING_INDEXES } = await import('@edx-data/tracking-loader');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-convert-'));
  logs = join(dir, 'package');
  ({ groundTruth: truth } = await generatePackage({
    dir: logs,
    courses: 2,
    learners: 10,
    days: 2,
    seed: 9,
  }));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The master's layout as listed, and its number of events. */
async function master(storeDir: string): Promise<{ type: string | undefined; events: number }> {
  const store = await openStore(storeDir);
  const db = store.db('tracking_logs');
  const info = (await db.listCollections()).find((c) => c.name === 'tracking');
  const events = await db.collection('tracking').countDocuments();
  await store.close();
  return { type: info?.type, events };
}

describe('edx-pipeline convert-tracking', () => {
  it('points at the command when a load goes into an older master, then converts it', async () => {
    const storeDir = join(dir, 'store');
    // A master as a version before buckets created it: a plain collection and its indexes.
    const store = await openStore(storeDir);
    const db = store.db('tracking_logs');
    await db.createCollection('tracking');
    for (const spec of TRACKING_INDEXES) await db.collection('tracking').createIndex(spec);
    await store.close();

    const load = captureIo();
    expect(await run(['load-tracking', logs, '--store', storeDir], load, { commands })).toBe(
      ExitCode.Ok,
    );
    expect(load.out()).toContain(
      '`edx-pipeline convert-tracking` rewrites it as compressed buckets',
    );
    const events = truth.events.totals.uniqueEvents;
    expect(await master(storeDir)).toEqual({ type: 'collection', events });

    const convert = captureIo();
    expect(
      await run(['convert-tracking', '--store', storeDir, '--json'], convert, { commands }),
    ).toBe(ExitCode.Ok);
    expect(JSON.parse(convert.out())).toEqual({
      collection: 'tracking_logs.tracking',
      found: 'plain',
      copied: events,
    });
    expect(await master(storeDir)).toEqual({ type: 'timeseries', events });

    const again = captureIo();
    expect(await run(['convert-tracking', '--store', storeDir], again, { commands })).toBe(
      ExitCode.Ok,
    );
    expect(again.out()).toContain('tracking_logs.tracking is already bucketed: nothing to do.');
    const reload = captureIo();
    await run(['load-tracking', logs, '--store', storeDir], reload, { commands });
    expect(reload.out()).not.toContain('convert-tracking');
  }, 120_000);
});
