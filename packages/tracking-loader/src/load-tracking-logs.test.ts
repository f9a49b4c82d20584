/**
 * loadTrackingLogs against a generated package with every quirk (2 courses, 30 learners,
 * 10 days, seed 3) in an embedded store: counts per file, course and day equal the ground
 * truth; re-runs, interrupted loads, grown re-deliveries, encryption and tampering.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { generatePackage, generateTestKey, QUIRKS } from '@edx-data/synthetic-data';
import type { GeneratedPackage } from '@edx-data/synthetic-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_TRACKING } from '@edx-data/core';
import { loadTrackingLogs, trackingLayout } from './load-tracking-logs.js';
import type { TrackingLedgerEntry } from './load-tracking-logs.js';
import { parseFile } from './test-support/read-file.js';

let root: string;
let pkg: GeneratedPackage;
let paths: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tracking-load-'));
  pkg = await generatePackage({
    dir: join(root, 'package'),
    courses: 2,
    learners: 30,
    days: 10,
    seed: 3,
    quirks: QUIRKS,
  });
  paths = pkg.groundTruth.events.files.map((f) => join(pkg.dir, f.file));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function withStore<T>(name: string, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(join(root, name));
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

function db(store: Store) {
  return store.db(MASTER_TRACKING.database);
}

async function ledgerEntries(store: Store): Promise<TrackingLedgerEntry[]> {
  return db(store)
    .collection<TrackingLedgerEntry>(MASTER_TRACKING.ledger)
    .find({}, { sort: { _id: 1 } })
    .toArray();
}

describe('loadTrackingLogs', () => {
  it('loads a generated month with the ground-truth counts per file, course and day, and rejected line numbers', async () => {
    await withStore('month', async (store) => {
      const result = await loadTrackingLogs(paths, store, { batchSize: 500 });
      const truthFiles = pkg.groundTruth.events.files;
      expect(result.failed).toBe(0);
      expect(result.finished).toBe(10);
      expect(result.skipped).toBe(0);
      expect(result.rejected).toBe(pkg.groundTruth.events.totals.rejectedLines);
      expect(pkg.groundTruth.events.totals.rejectedLines).toBeGreaterThan(0);
      expect(pkg.groundTruth.events.totals.duplicateLines).toBeGreaterThan(0);

      const tracking = db(store).collection(MASTER_TRACKING.events);
      const rejected = db(store).collection(MASTER_TRACKING.rejects);
      let unique = 0;
      for (const [i, truth] of truthFiles.entries()) {
        const r = result.files[i];
        expect(r?.status, truth.file).toBe('finished');
        const entry = r?.entry;
        const bytes = await readFile(join(pkg.dir, truth.file));
        expect(entry).toMatchObject({
          _id: createHash('sha256').update(bytes).digest('hex'),
          file: truth.file.split('/').pop(),
          size: bytes.length,
          status: 'finished',
          lines: truth.lines,
          events: truth.events,
          loaded: truth.uniqueEvents,
          inserted: truth.uniqueEvents,
          alreadyPresent: 0,
          duplicates: truth.duplicateLines.length,
          rejected: truth.rejectedLines.length,
          eventsByCourse: truth.eventsByCourse,
          eventsWithoutCourse: truth.eventsWithoutCourse,
        });
        expect(entry?.firstTime).toBeInstanceOf(Date);
        expect(entry?.finished).toBeInstanceOf(Date);
        expect(
          await tracking.countDocuments({ _load_file: truth.file.split('/').pop() ?? '' }),
        ).toBe(truth.uniqueEvents);
        const lines = await rejected
          .find({ _id: { $regex: `^${entry?._id ?? 'x'}:` } }, { sort: { line: 1 } })
          .toArray();
        expect(lines.map((l) => l['line'])).toEqual(truth.rejectedLines.map((l) => l.line));
        expect(lines.every((l) => l['code'] === 'not-json' && typeof l['raw'] === 'string')).toBe(
          true,
        );
        unique += truth.uniqueEvents;
      }
      expect(await tracking.countDocuments()).toBe(unique);

      // Per course and per UTC day.
      const byCourseDay: Record<string, Record<string, number>> = {};
      for await (const e of tracking.find({}, { projection: { _course_id: 1, _time: 1 } })) {
        const course = e['_course_id'];
        if (typeof course !== 'string') continue;
        const day = (e['_time'] as Date).toISOString().slice(0, 10);
        const days = (byCourseDay[course] ??= {});
        days[day] = (days[day] ?? 0) + 1;
      }
      const expected: Record<string, Record<string, number>> = {};
      for (const course of Object.values(pkg.groundTruth.courses)) {
        expected[course.key] = { ...course.eventsByDay };
        expect(await tracking.countDocuments({ _course_id: course.key })).toBe(course.events);
      }
      expect(byCourseDay).toEqual(expected);
      // The ledger's per-day counts add up to the same figures.
      const fromLedger: Record<string, Record<string, number>> = {};
      for (const entry of await ledgerEntries(store)) {
        for (const [course, days] of Object.entries(entry.eventsByCourseDay ?? {})) {
          for (const [day, n] of Object.entries(days)) {
            const into = (fromLedger[course] ??= {});
            into[day] = (into[day] ?? 0) + n;
          }
        }
      }
      expect(fromLedger).toEqual(expected);

      // A new master is bucketed by course and day; it has no index beyond `_id`.
      expect(await trackingLayout(store)).toBe('bucketed');
      expect((await tracking.listIndexes()).map((i) => i.key)).toEqual([{ _id: 1 }]);

      // A second run changes nothing and skips every file.
      const ledgerBefore = await ledgerEntries(store);
      const rejectedBefore = await rejected.countDocuments();
      const again = await loadTrackingLogs(paths, store);
      expect(again.files.map((f) => f.status)).toEqual(paths.map(() => 'skipped'));
      expect(again.inserted).toBe(0);
      expect(await tracking.countDocuments()).toBe(unique);
      expect(await rejected.countDocuments()).toBe(rejectedBefore);
      expect(await ledgerEntries(store)).toEqual(ledgerBefore);
    });
  }, 120_000);

  it('completes a file interrupted mid-way: exact count, no duplicate _id, right ledger counts', async () => {
    const truth = pkg.groundTruth.events.files[3]!;
    const path = join(pkg.dir, truth.file);
    await withStore('interrupted', async (store) => {
      // What a killed run leaves: the first half of the events inserted, the ledger 'loading'.
      const { events } = await parseFile(path, truth.file.split('/').pop());
      const half = events.slice(0, Math.floor(events.length / 2));
      const tracking = db(store).collection(MASTER_TRACKING.events);
      const first = await tracking.insertMany(half, { ordered: false });
      expect(first.insertedCount).toBeGreaterThan(0);
      const hash = createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
      await db(store)
        .collection(MASTER_TRACKING.ledger)
        .insertOne({ _id: hash, status: 'loading', file: 'x' });

      const result = await loadTrackingLogs([path], store);
      expect(result.files[0]?.status).toBe('finished');
      expect(result.files[0]?.entry).toMatchObject({
        status: 'finished',
        events: truth.events,
        loaded: truth.uniqueEvents,
        inserted: truth.uniqueEvents - first.insertedCount,
        alreadyPresent: first.insertedCount,
        duplicates: truth.duplicateLines.length,
        eventsByCourse: truth.eventsByCourse,
      });
      expect(await tracking.countDocuments()).toBe(truth.uniqueEvents);
      expect((await tracking.distinct('_id')).length).toBe(truth.uniqueEvents);
      expect(await db(store).collection(MASTER_TRACKING.ledger).countDocuments()).toBe(1);
    });
  }, 60_000);

  it('a grown re-delivered file adds only the new events', async () => {
    const truth = pkg.groundTruth.events.files[5]!;
    const text = gunzipSync(await readFile(join(pkg.dir, truth.file))).toString('utf8');
    const lines = text.split('\n');
    const name = 'grown-edx-events-2024-01-01.log';
    await mkdir(join(root, 'grown', 'a'), { recursive: true });
    await mkdir(join(root, 'grown', 'b'), { recursive: true });
    const early = join(root, 'grown', 'a', name);
    const full = join(root, 'grown', 'b', name);
    await writeFile(early, lines.slice(0, Math.floor(lines.length * 0.6)).join('\n') + '\n');
    await writeFile(full, text);
    await withStore('grown', async (store) => {
      const a = await loadTrackingLogs([early], store);
      const loadedEarly = a.files[0]?.entry?.loaded ?? 0;
      expect(loadedEarly).toBeGreaterThan(0);
      const b = await loadTrackingLogs([full], store);
      expect(b.files[0]?.status).toBe('finished');
      expect(b.files[0]?.entry).toMatchObject({
        loaded: truth.uniqueEvents,
        inserted: truth.uniqueEvents - loadedEarly,
        alreadyPresent: loadedEarly,
      });
      expect(await db(store).collection(MASTER_TRACKING.events).countDocuments()).toBe(
        truth.uniqueEvents,
      );
      expect(await ledgerEntries(store)).toHaveLength(2);
    });
  }, 60_000);

  it('counts exactly the same events delivered again under another name, repeated lines included', async () => {
    const truth = pkg.groundTruth.events.files.find((f) => f.duplicateLines.length > 0)!;
    const original = join(pkg.dir, truth.file);
    await mkdir(join(root, 'renamed'), { recursive: true });
    const renamed = join(root, 'renamed', 'redelivered-edx-events.log.gz');
    await writeFile(renamed, await readFile(original));
    await withStore('renamed', async (store) => {
      await loadTrackingLogs([original], store, { batchSize: 7 });
      const again = await loadTrackingLogs([renamed], store, { batchSize: 7 });
      // Same bytes: the ledger knows the content hash and skips it.
      expect(again.files[0]?.status).toBe('skipped');
      // The same lines in a different file (one more line at the top): all already present.
      const text = gunzipSync(await readFile(original)).toString('utf8');
      const extra = `{"event_type": "extra", "time": "2014-01-01T00:00:00Z"}\n`;
      const plain = join(root, 'renamed', 'redelivered-edx-events.log');
      await writeFile(plain, extra + text);
      const moved = await loadTrackingLogs([plain], store, { batchSize: 7 });
      expect(moved.files[0]?.entry).toMatchObject({
        status: 'finished',
        events: truth.events + 1,
        loaded: truth.uniqueEvents + 1,
        inserted: 1,
        alreadyPresent: truth.uniqueEvents,
        duplicates: truth.duplicateLines.length,
        eventsByCourse: truth.eventsByCourse,
        eventsWithoutCourse: truth.eventsWithoutCourse + 1,
      });
      const names = (await db(store).listCollections()).map((c) => c.name);
      expect(names.filter((n) => n.startsWith('tracking_scratch_'))).toEqual([]);
      expect(await db(store).collection(MASTER_TRACKING.events).countDocuments()).toBe(
        truth.uniqueEvents + 1,
      );
    });
  }, 60_000);

  it('loads a large file in batches written on the writer thread, with the same counts', async () => {
    const truths = pkg.groundTruth.events.files;
    const texts = await Promise.all(
      truths.map(async (t) => gunzipSync(await readFile(join(pkg.dir, t.file))).toString('utf8')),
    );
    await mkdir(join(root, 'big'), { recursive: true });
    const big = join(root, 'big', 'all-days.log');
    await writeFile(big, texts.join(''));
    const sum = (f: (t: (typeof truths)[number]) => number): number =>
      truths.reduce((total, t) => total + f(t), 0);
    const byCourse: Record<string, number> = {};
    for (const t of truths) {
      for (const [course, n] of Object.entries(t.eventsByCourse)) {
        byCourse[course] = (byCourse[course] ?? 0) + n;
      }
    }
    expect(sum((t) => t.events)).toBeGreaterThan(1500);
    await withStore('big', async (store) => {
      const result = await loadTrackingLogs([big], store, { batchSize: 600 });
      expect(result.files[0]?.entry).toMatchObject({
        status: 'finished',
        events: sum((t) => t.events),
        loaded: sum((t) => t.uniqueEvents),
        inserted: sum((t) => t.uniqueEvents),
        duplicates: sum((t) => t.duplicateLines.length),
        rejected: sum((t) => t.rejectedLines.length),
        eventsByCourse: byCourse,
      });
      const tracking = db(store).collection(MASTER_TRACKING.events);
      expect(await tracking.countDocuments()).toBe(sum((t) => t.uniqueEvents));
      for (const [course, n] of Object.entries(byCourse)) {
        expect(await tracking.countDocuments({ _course_id: course })).toBe(n);
      }
      // Loading it again under another name: every event is already there.
      const copy = join(root, 'big', 'all-days-again.log');
      await writeFile(copy, texts.join('') + '\n');
      const again = await loadTrackingLogs([copy], store, { batchSize: 600 });
      expect(again.files[0]?.entry).toMatchObject({
        inserted: 0,
        alreadyPresent: sum((t) => t.uniqueEvents),
        loaded: sum((t) => t.uniqueEvents),
        eventsByCourse: byCourse,
      });
    });
  }, 120_000);

  it('counts exactly a different file of the same name that repeats an event of the first', async () => {
    const line = (type: string, second: number): string =>
      `{"event_type": "${type}", "time": "2014-01-01T00:00:${String(second).padStart(2, '0')}Z"}`;
    const [x, y, z, w] = [line('x', 1), line('y', 2), line('z', 3), line('w', 4)];
    await mkdir(join(root, 'same-name', 'a'), { recursive: true });
    await mkdir(join(root, 'same-name', 'b'), { recursive: true });
    const a = join(root, 'same-name', 'a', 'tracking.log');
    const b = join(root, 'same-name', 'b', 'tracking.log');
    await writeFile(a, [x, y].join('\n') + '\n');
    // x is at line 3 of b (line 1 of a), then repeated at line 4.
    await writeFile(b, [z, w, x, x].join('\n') + '\n');
    await withStore('same-name', async (store) => {
      await loadTrackingLogs([a], store);
      const result = await loadTrackingLogs([b], store);
      expect(result.files[0]?.entry).toMatchObject({
        events: 4,
        loaded: 3,
        inserted: 2,
        alreadyPresent: 1,
        duplicates: 1,
      });
      expect(await db(store).collection(MASTER_TRACKING.events).countDocuments()).toBe(4);
    });
  });

  it('fails a file with more rejected lines than maxRejects, leaves it loading, and takes back exactly what it inserted', async () => {
    const truth = pkg.groundTruth.events.files.find((f) => f.rejectedLines.length > 0)!;
    // Independently of the loader: with one event per batch, every event read before the
    // line of the last rejected line was inserted before the load stopped there. Those are
    // the distinct texts of the lines before it that the ground truth does not list as
    // rejected (a repeated line is one event).
    const lastReject = truth.rejectedLines.at(-1)!.line;
    const rejectedLineNumbers = new Set(truth.rejectedLines.map((l) => l.line));
    const text = gunzipSync(await readFile(join(pkg.dir, truth.file))).toString('utf8');
    const before = new Set(
      text
        .split('\n')
        .slice(0, lastReject - 1)
        .filter((line, i) => line.trim() !== '' && !rejectedLineNumbers.has(i + 1)),
    );
    expect(before.size).toBeGreaterThan(0);
    await withStore('max-rejects', async (store) => {
      const result = await loadTrackingLogs([join(pkg.dir, truth.file)], store, {
        maxRejects: truth.rejectedLines.length - 1,
        batchSize: 1,
      });
      expect(result.failed).toBe(1);
      expect(result.files[0]?.errorCode).toBe('E_INPUT');
      expect(result.files[0]?.error).toMatch(/more than \d+ rejected lines/u);
      const [entry] = await ledgerEntries(store);
      expect(entry?.status).toBe('loading');
      expect(entry?.rolledBack).toBe(before.size);
      expect(entry?.inserted).toBe(0);
      expect(entry?.rejected).toBe(truth.rejectedLines.length);
      // The events this run inserted were taken back.
      expect(await db(store).collection(MASTER_TRACKING.events).countDocuments()).toBe(0);
    });
  }, 60_000);

  it('loads an encrypted package with the key; a tampered .gpg is not finished', async () => {
    const key = await generateTestKey();
    const enc = await generatePackage({
      dir: join(root, 'encrypted'),
      courses: 1,
      learners: 10,
      days: 2,
      seed: 4,
      encryptTo: key.publicKey,
    });
    const files = enc.groundTruth.events.files.map((f) => join(enc.dir, f.file));
    expect(files.every((f) => f.endsWith('.gpg'))).toBe(true);
    await withStore('encrypted', async (store) => {
      const result = await loadTrackingLogs(files, store, { key: key.privateKey });
      expect(result.files.map((f) => f.status)).toEqual(['finished', 'finished']);
      expect(result.files.map((f) => f.entry?.loaded)).toEqual(
        enc.groundTruth.events.files.map((f) => f.uniqueEvents),
      );
      const noKey = await withStore('no-key', (other) => loadTrackingLogs([files[0]!], other));
      expect(noKey.files[0]?.status).toBe('failed');
      expect(noKey.files[0]?.error).toMatch(/key/iu);
    });
    const tampered = join(
      root,
      'tampered',
      enc.groundTruth.events.files[1]!.file.split('/').pop()!,
    );
    await mkdir(join(root, 'tampered'), { recursive: true });
    const bytes = await readFile(files[1]!);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(tampered, bytes);
    await withStore('tampered', async (store) => {
      const result = await loadTrackingLogs([tampered], store, {
        key: key.privateKey,
        batchSize: 10,
      });
      expect(result.files[0]?.status).toBe('failed');
      const entries = await ledgerEntries(store);
      expect(entries).toHaveLength(1);
      expect(entries[0]?.status).toBe('loading');
      expect(entries[0]?.errorCode).toBe('E_INTEGRITY');
      expect(result.files[0]?.errorCode).toBe('E_INTEGRITY');
      expect(entries[0]?.error).toMatch(/integrity check failed/u);
      expect(await db(store).collection(MASTER_TRACKING.events).countDocuments()).toBe(0);
    });
  }, 120_000);

  it('never keeps the passphrase in the ledger, even when an error message would hold it', async () => {
    const passphrase = 'Zq7-hunter2';
    const folder = join(root, `logs-${passphrase}`);
    await mkdir(folder, { recursive: true });
    // Not gzip at all: the error names the file, whose path holds the passphrase.
    const path = join(folder, 'orgx-edx-events-2024-01-01.log.gz');
    await writeFile(path, 'this is not gzip');
    await withStore('passphrase', async (store) => {
      const result = await loadTrackingLogs([path], store, { passphrase });
      expect(result.files[0]?.status).toBe('failed');
      expect(result.files[0]?.error).toContain('***');
      expect(result.files[0]?.error).not.toContain(passphrase);
      const entries = await ledgerEntries(store);
      expect(entries).toHaveLength(1);
      // (the `path` field is the file's path as given: data, not a message)
      expect(entries[0]?.error).not.toContain(passphrase);
      expect(entries[0]?.error).toContain('***');
    });
  });
});
