/**
 * A master written by the layout before buckets (a plain `tracking` collection with its three
 * indexes) still loads as it is, and `convertTrackingCollection` rewrites it as buckets with
 * the same events; loading goes on into the converted master.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASTER_TRACKING } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Document, Store } from '@edx-data/store';
import { generatePackage } from '@edx-data/synthetic-data';
import type { GeneratedPackage } from '@edx-data/synthetic-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertTrackingCollection } from './convert-tracking.js';
import { loadTrackingLogs, TRACKING_INDEXES, trackingLayout } from './load-tracking-logs.js';

let root: string;
let pkg: GeneratedPackage;
let paths: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tracking-convert-'));
  pkg = await generatePackage({
    dir: join(root, 'package'),
    courses: 2,
    learners: 12,
    days: 4,
    seed: 5,
  });
  paths = pkg.groundTruth.events.files.map((f) => join(pkg.dir, f.file));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A store whose master was created as the layout before buckets created it. */
async function oldLayoutStore(name: string): Promise<Store> {
  const store = await openStore(join(root, name));
  const db = store.db(MASTER_TRACKING.database);
  await db.createCollection(MASTER_TRACKING.events);
  for (const spec of TRACKING_INDEXES)
    await db.collection(MASTER_TRACKING.events).createIndex(spec);
  return store;
}

async function allEvents(store: Store): Promise<Document[]> {
  return store
    .db(MASTER_TRACKING.database)
    .collection(MASTER_TRACKING.events)
    .find({}, { sort: { _id: 1 } })
    .toArray();
}

describe('a master of the layout before buckets', () => {
  it('loads as it is, converts to buckets with the same events, and loads on after', async () => {
    const store = await oldLayoutStore('old');
    try {
      const first = await loadTrackingLogs(paths.slice(0, 2), store);
      expect(first.failed).toBe(0);
      expect(await trackingLayout(store)).toBe('plain');
      const before = await allEvents(store);
      const truth = pkg.groundTruth.events.files
        .slice(0, 2)
        .reduce((sum, f) => sum + f.uniqueEvents, 0);
      expect(before).toHaveLength(truth);

      const progress: number[] = [];
      const converted = await convertTrackingCollection(store, {
        batchSize: 100,
        onProgress: (n) => progress.push(n),
      });
      expect(converted).toEqual({ found: 'plain', copied: truth });
      expect(progress.at(-1)).toBe(truth);
      expect(await trackingLayout(store)).toBe('bucketed');
      expect(await allEvents(store)).toEqual(before);
      const names = (await store.db(MASTER_TRACKING.database).listCollections()).map((c) => c.name);
      expect(names.filter((n) => n.startsWith('__tmp_'))).toEqual([]);

      // Converting again does nothing; the next files load into the buckets.
      expect(await convertTrackingCollection(store)).toEqual({ found: 'bucketed', copied: 0 });
      const rest = await loadTrackingLogs(paths, store);
      expect(rest.skipped).toBe(2);
      expect(rest.failed).toBe(0);
      const all = pkg.groundTruth.events.files.reduce((sum, f) => sum + f.uniqueEvents, 0);
      expect(await allEvents(store)).toHaveLength(all);
    } finally {
      await store.close();
    }
  });

  it('leaves a store without a master alone', async () => {
    const store = await openStore(join(root, 'none'));
    try {
      expect(await convertTrackingCollection(store)).toEqual({ found: 'none', copied: 0 });
    } finally {
      await store.close();
    }
  });
});
