/**
 * loadTrackingLogs on the MongoDB engine, through the official driver, against the server of
 * MONGODB_URI (`npm test` starts FerretDB for it): the same ground-truth counts as on the
 * embedded engine, re-runs, and the distinct counting of events delivered again under another
 * name. Skipped without MONGODB_URI (printed; a failure under CI). Everything goes into one
 * database of this run, dropped at the end.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { generatePackage, QUIRKS } from '@edx-data/synthetic-data';
import type { GeneratedPackage } from '@edx-data/synthetic-data';
import { mongoTestUri } from '@edx-data/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_TRACKING } from '@edx-data/core';
import { loadTrackingLogs } from './load-tracking-logs.js';

const uri = mongoTestUri();
const database = `tl_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

describe.skipIf(uri === undefined)('loadTrackingLogs on the MongoDB engine', () => {
  let root: string;
  let pkg: GeneratedPackage;
  let store: Store;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tracking-mongo-'));
    pkg = await generatePackage({
      dir: join(root, 'package'),
      courses: 2,
      learners: 20,
      days: 4,
      seed: 8,
      quirks: QUIRKS,
    });
    store = await openStore(uri);
  }, 120_000);

  afterAll(async () => {
    await store.dropDatabase(database).catch(() => undefined);
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('loads a generated package with the ground-truth counts; a re-run skips every file', async () => {
    const truths = pkg.groundTruth.events.files;
    const paths = truths.map((t) => join(pkg.dir, t.file));
    const result = await loadTrackingLogs(paths, store, { database, batchSize: 100 });
    expect(result.files.map((f) => f.status)).toEqual(truths.map(() => 'finished'));
    for (const [i, truth] of truths.entries()) {
      expect(result.files[i]?.entry).toMatchObject({
        lines: truth.lines,
        events: truth.events,
        loaded: truth.uniqueEvents,
        inserted: truth.uniqueEvents,
        duplicates: truth.duplicateLines.length,
        rejected: truth.rejectedLines.length,
        eventsByCourse: truth.eventsByCourse,
      });
    }
    const db = store.db(database);
    const totals = pkg.groundTruth.events.totals;
    expect(await db.collection(MASTER_TRACKING.events).countDocuments()).toBe(totals.uniqueEvents);
    expect(await db.collection(MASTER_TRACKING.rejects).countDocuments()).toBe(
      totals.rejectedLines,
    );
    for (const [key, course] of Object.entries(pkg.groundTruth.courses)) {
      expect(await db.collection(MASTER_TRACKING.events).countDocuments({ _course_id: key })).toBe(
        course.events,
      );
    }

    const again = await loadTrackingLogs(paths, store, { database });
    expect(again.files.map((f) => f.status)).toEqual(truths.map(() => 'skipped'));
    expect(await db.collection(MASTER_TRACKING.events).countDocuments()).toBe(totals.uniqueEvents);
    expect(await db.collection(MASTER_TRACKING.ledger).countDocuments()).toBe(truths.length);
  }, 120_000);

  it('counts the events of a file delivered again under another name as already there', async () => {
    const truth = pkg.groundTruth.events.files.find((f) => f.duplicateLines.length > 0)!;
    const text = gunzipSync(await readFile(join(pkg.dir, truth.file))).toString('utf8');
    await mkdir(join(root, 'again'), { recursive: true });
    const renamed = join(root, 'again', 'renamed-edx-events.log');
    await writeFile(renamed, text);
    const result = await loadTrackingLogs([renamed], store, { database, batchSize: 50 });
    expect(result.files[0]?.entry).toMatchObject({
      status: 'finished',
      loaded: truth.uniqueEvents,
      inserted: 0,
      alreadyPresent: truth.uniqueEvents,
      duplicates: truth.duplicateLines.length,
      eventsByCourse: truth.eventsByCourse,
    });
    const names = (await store.db(database).listCollections()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('tracking_scratch_'))).toEqual([]);
  }, 120_000);
});
