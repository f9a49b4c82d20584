import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '@edx-data/core';
import { EmbeddedCollection } from './embedded-collection.js';
import { openEmbeddedStore } from './embedded-store.js';
import type { Collection, FindOptions, Store } from '../types.js';

let dir: string;

/** The embedded engine's query plan for a find on a collection of the store. */
function explain(
  collection: Collection,
  filter: Record<string, unknown>,
  options: Pick<FindOptions, 'sort'> = {},
) {
  if (!(collection instanceof EmbeddedCollection)) throw new Error('not an embedded collection');
  return collection.explain(filter, options);
}
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-embedded-'));
  store = await openEmbeddedStore(join(dir, 'store'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function trackingDocs(n: number): Record<string, unknown>[] {
  const courses = ['course-v1:A+B+1', 'course-v1:A+B+2', 'course-v1:C+D+3'];
  return Array.from({ length: n }, (_, i) => ({
    _id: `e${i}`,
    course_id: courses[i % 3],
    username: `user${i % 50}`,
    event_type: i % 2 === 0 ? 'play_video' : 'problem_check',
    time: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
  }));
}

describe(EmbeddedCollection, () => {
  it('answers equality, ranges and $in on indexed fields from a real SQLite index', async () => {
    const events = store.db('tracking_logs').collection('tracking');
    await events.insertMany(trackingDocs(3000));
    await events.createIndex({ course_id: 1, time: 1 });
    await events.createIndex({ username: 1 });

    const range = {
      course_id: 'course-v1:A+B+2',
      time: { $gte: new Date(Date.UTC(2024, 0, 1, 10)), $lt: new Date(Date.UTC(2024, 0, 1, 12)) },
    };
    const plan = explain(events, range);
    expect(plan.plan.join('\n')).toMatch(
      /SEARCH .* USING INDEX \S+ \(k\d+=\? AND k\d+>\? AND k\d+<\?\)/,
    );
    expect(plan.exact).toBe(true);
    // 2 hours = 120 events, every third of which is course 2.
    expect(await events.countDocuments(range)).toBe(40);
    const found = await events.find(range).toArray();
    expect(found).toHaveLength(40);
    expect(found.every((e) => e['course_id'] === 'course-v1:A+B+2')).toBe(true);

    const inPlan = explain(events, { username: { $in: ['user1', 'user2'] } });
    expect(inPlan.plan.join('\n')).toMatch(/SEARCH .* USING INDEX \S+ \(k\d+=\?\)/);
    expect(await events.countDocuments({ username: { $in: ['user1', 'user2'] } })).toBe(120);

    const scan = explain(events, { event_type: 'play_video' });
    expect(scan.plan.join('\n')).toMatch(/^SCAN/m);
    expect(scan.exact).toBe(false);
    expect(await events.countDocuments({ event_type: 'play_video' })).toBe(1500);
  });

  it('sorts in SQLite through the index and still returns every match in order', async () => {
    const events = store.db('tracking_logs').collection('tracking');
    await events.insertMany(trackingDocs(500));
    await events.createIndex({ course_id: 1, time: 1 });
    const filter = { course_id: 'course-v1:C+D+3' };
    const plan = explain(events, filter, {
      sort: { course_id: 1, time: -1 },
    });
    expect(plan.plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    const times = (await events.find(filter, { sort: { course_id: 1, time: -1 } }).toArray()).map(
      (e) => (e['time'] as Date).getTime(),
    );
    expect(times).toHaveLength(166);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('keeps documents whose indexed field is an array as candidates (multikey semantics)', async () => {
    const posts = store.db('forum_test').collection('posts');
    await posts.createIndex({ tags: 1 });
    await posts.insertMany([
      { _id: 1, tags: 'a' },
      { _id: 2, tags: ['a', 'b'] },
      { _id: 3, tags: ['c'] },
      { _id: 4 },
    ]);
    expect((await posts.find({ tags: 'a' }).toArray()).map((p) => p['_id']).sort()).toEqual([1, 2]);
    expect((await posts.find({ tags: null }).toArray()).map((p) => p['_id'])).toEqual([4]);
    expect(await posts.countDocuments({ tags: { $in: ['b', 'c'] } })).toBe(2);
    // Sorting on a field that holds arrays falls back to the in-memory (mingo) sort.
    const plan = explain(posts, {}, { sort: { tags: 1 } });
    expect(plan.sql).not.toMatch(/ORDER BY/);
    const sorted = await posts.find({}, { sort: { tags: 1 } }).toArray();
    expect(sorted.map((p) => p['_id'])).toEqual([4, 1, 2, 3]);
  });

  it('backfills an index created after the data, and enforces a unique index', async () => {
    const users = store.db('course').collection('user');
    await users.insertMany([
      { id: 1, username: '0123' },
      { id: 2, username: '123' },
    ]);
    await users.createIndex({ username: 1 }, { unique: true });
    expect(await users.countDocuments({ username: '0123' })).toBe(1);
    const result = await users.insertMany(
      [
        { id: 3, username: '123' },
        { id: 4, username: '4' },
      ],
      { ordered: false },
    );
    expect(result).toMatchObject({ insertedCount: 1, duplicateCount: 1 });
    await expect(users.createIndex({ id: 1 }, { unique: true })).resolves.toBe('id_1');
    await users.insertOne({ id: 5, username: 'x' });
    await expect(users.createIndex({ username: 1 }, { unique: false })).rejects.toMatchObject({
      code: 'E_STORE',
    });
  });

  it('creates the store folder 0700 and every database file 0600', async () => {
    await store.db('private').collection('user').insertOne({ email: 'someone@example.org' });
    expect(statSync(join(dir, 'store')).mode & 0o777).toBe(0o700);
    for (const file of ['private.sqlite', 'private.sqlite-wal', 'private.sqlite-shm']) {
      expect(statSync(join(dir, 'store', file)).mode & 0o777).toBe(0o600);
    }
  });

  it('reads a database that does not exist as empty, without creating it', async () => {
    const missing = store.db('nothing_here').collection('c');
    expect(await missing.countDocuments()).toBe(0);
    expect(await missing.find().toArray()).toEqual([]);
    expect(await store.listDatabases()).toEqual([]);
  });

  it('lets a cursor stay open while the same database is written', async () => {
    const c = store.db('busy').collection('c');
    await c.insertMany(Array.from({ length: 2500 }, (_, i) => ({ i })));
    let seen = 0;
    for await (const doc of c.find({}, { sort: { i: 1 } })) {
      seen++;
      if (seen % 500 === 0) await store.db('busy').collection('log').insertOne({ at: doc['i'] });
    }
    expect(seen).toBe(2500);
    expect(await store.db('busy').collection('log').countDocuments()).toBe(5);
  });

  it('reports a file that is not a store database with a coded error', async () => {
    store.db('x'); // make sure the folder can be created
    const folder = join(dir, 'store');
    await store.db('ok').collection('c').insertOne({ a: 1 });
    writeFileSync(
      join(folder, 'broken.sqlite'),
      'this is not sqlite at all, just text'.repeat(200),
    );
    const error: unknown = await store
      .db('broken')
      .collection('c')
      .countDocuments()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('E_STORE_CORRUPT');
    expect((error as StoreError).message).toContain('broken.sqlite');
  });
});

describe('a collection validator', () => {
  it('is kept in the database file: checked after a reopen, gone with the collection', async () => {
    await store.db('v').createCollection('people', { validator: { age: { $gte: 0 } } });
    await store.close();
    store = await openEmbeddedStore(join(dir, 'store'));
    const people = store.db('v').collection('people');
    await people.insertOne({ _id: 1, age: 30 });
    const refused: unknown = await people.insertOne({ _id: 2, age: -1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toBe('Document failed validation (collection people)');
    // A large unordered load is checked too (before its batches reach the writer thread).
    const load: unknown = await people
      .insertMany(
        Array.from({ length: 1200 }, (_, i) => ({ _id: 10 + i, age: i === 700 ? -3 : i })),
        { ordered: false, batchSize: 500 },
      )
      .catch((e: unknown) => e);
    expect((load as StoreError).message).toBe('Document failed validation (collection people)');
    expect(await people.countDocuments({ age: { $lt: 0 } })).toBe(0);
    expect(await people.drop()).toBe(true);
    await people.insertOne({ _id: 3, age: -1 });
    expect(await people.countDocuments()).toBe(1);
  });
});
