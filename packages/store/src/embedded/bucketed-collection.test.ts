import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Long, ObjectId } from 'bson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setJsonSource } from '@edx-data/core';
import { decodeRecord, encodeRecord } from './bucket-codec.js';
import { bucketCondition } from './buckets.js';
import { timeseriesSpec } from '../timeseries.js';
import { EmbeddedCollection } from './embedded-collection.js';
import { openEmbeddedStore } from './embedded-store.js';
import type { Collection, Document, Store } from '../types.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-buckets-'));
  store = await openEmbeddedStore(join(dir, 'store'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** 30 events: courses a, b, c in turn, one every 10 minutes (5 hours). */
function events(): Document[] {
  return Array.from({ length: 30 }, (_, i) => ({
    _id: `e${String(i).padStart(2, '0')}`,
    course: ['a', 'b', 'c'][i % 3],
    time: new Date(T0 + i * 600_000),
    n: i,
    nested: { at: new Date(T0), list: [1, 'x', null] },
  }));
}

async function bucketed(name = 'events', extra: Record<string, unknown> = {}): Promise<Collection> {
  return store.db('db').createCollection(name, {
    timeseries: { timeField: 'time', metaField: 'course', granularity: 'seconds', ...extra },
  });
}

/** The bucket rows of a collection, read with SQLite directly. */
function bucketRows(
  table: string,
): { meta: string | null; tmin: number; tmax: number; n: number }[] {
  const db = new BetterSqlite3(join(dir, 'store', 'db.sqlite'), { readonly: true });
  try {
    return db
      .prepare<[], { meta: string | null; tmin: number; tmax: number; n: number }>(
        `SELECT meta, tmin, tmax, n FROM "${table}" ORDER BY id`,
      )
      .all();
  } finally {
    db.close();
  }
}

describe('bucket records', () => {
  it('give back every BSON type, nested Dates and -0 included, with _id first', () => {
    const doc = {
      _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
      s: 'é\t"\n',
      n: 1.5,
      i: 7,
      z: null,
      b: false,
      d: new Date(T0),
      o: { when: new Date(T0 + 1), deep: [{ k: -0 }] },
      l: Long.fromString('9007199254740993'),
      u: undefined,
      nan: NaN,
      neg: -0,
      __proto__x: 1,
    };
    const back = decodeRecord(encodeRecord(doc));
    expect(Object.keys(back)).toEqual(Object.keys(doc));
    expect(back['d']).toEqual(new Date(T0));
    expect((back['o'] as { when: Date }).when).toEqual(new Date(T0 + 1));
    expect(Object.is((back['o'] as { deep: { k: number }[] }).deep[0]?.k, -0)).toBe(true);
    expect(String(back['l'])).toBe('9007199254740993');
    expect(back['l']).toBeInstanceOf(Long);
    expect(Number.isNaN(back['nan'])).toBe(true);
    expect(Object.is(back['neg'], -0)).toBe(true);
    expect(back['s']).toBe('é\t"\n');
    expect((back['_id'] as ObjectId).toHexString()).toBe('65a1b2c3d4e5f60718293a4b');
  });

  it('keep a document with a JSON source as its text and the fields set on it', () => {
    const text = '{"event_type":"x","event":"{\\"a\\":1}","time":"2024-01-01T00:00:00Z"}';
    const parsed = JSON.parse(text) as Document;
    parsed['event'] = { a: 1 };
    parsed['_id'] = new ObjectId('65a1b2c3d4e5f60718293a4b');
    parsed['_time'] = new Date(T0);
    setJsonSource(parsed, text, ['event', '_id', '_time']);
    const record = encodeRecord(parsed);
    expect(record.endsWith(`\t${text}`)).toBe(true);
    const back = decodeRecord(record);
    expect(Object.keys(back)).toEqual(['_id', 'event_type', 'event', 'time', '_time']);
    expect(back).toEqual({
      _id: parsed['_id'],
      event_type: 'x',
      event: { a: 1 },
      time: '2024-01-01T00:00:00Z',
      _time: new Date(T0),
    });
  });
});

describe('bucket pruning', () => {
  const spec = timeseriesSpec({ timeField: 't', metaField: 'm', granularity: 'seconds' });
  it('turns meta equality, $in and time ranges into bucket bounds', () => {
    expect(bucketCondition(spec, {})).toEqual({ sql: '1', params: [] });
    const c = bucketCondition(spec, {
      m: { $in: ['a', 'b'] },
      $and: [{ t: { $gte: new Date(10 * HOUR) } }, { t: { $lt: new Date(12 * HOUR) } }],
    });
    expect(c.sql).toBe('(meta IN (?, ?) OR meta IS NULL) AND tmax >= ? AND tmin > ? AND tmin <= ?');
    expect(c.params).toEqual(['da', 'db', 10 * HOUR, 9 * HOUR, 12 * HOUR]);
    expect(bucketCondition(spec, { t: { $gt: new Date(5), $lt: new Date(4) } }).sql).toBe('0');
    // Operators that do not bound the buckets leave them all as candidates.
    expect(bucketCondition(spec, { m: { $regex: 'a' }, t: { $ne: new Date(0) } }).sql).toBe('1');
  });

  it('refuses a timeseries option without a timeField, or with an unknown key', () => {
    expect(() => timeseriesSpec({ metaField: 'm' })).toThrow(/timeField/u);
    expect(() => timeseriesSpec({ timeField: 't', expire: 1 })).toThrow(/unknown option expire/u);
    expect(() => timeseriesSpec({ timeField: 't', granularity: 'days' })).toThrow(/granularity/u);
  });
});

describe('a bucketed collection', () => {
  it('groups documents by meta value and hour, and reads back what was inserted', async () => {
    const c = await bucketed();
    const docs = events();
    const result = await c.insertMany(docs, { ordered: false });
    expect(result.insertedCount).toBe(30);
    // 5 hours × 3 courses: 15 buckets of 2 events each (6 per hour, 2 of each course).
    const rows = bucketRows('c1');
    expect(rows).toHaveLength(15);
    expect(rows.every((row) => row.n === 2)).toBe(true);
    expect(rows[0]).toEqual({ meta: 'da', tmin: T0, tmax: T0 + 1_800_000, n: 2 });
    const all = await c.find({}, { sort: { _id: 1 } }).toArray();
    expect(all).toEqual(events());
    expect(await c.estimatedDocumentCount()).toBe(30);
  });

  it('answers filters on meta and time as a plain collection does', async () => {
    const c = await bucketed();
    await c.insertMany(events());
    const filter = {
      course: 'b',
      time: { $gte: new Date(T0 + HOUR), $lt: new Date(T0 + 3 * HOUR) },
    };
    // b is every third event from 1: times 10, 40, 70, 100, 130, 160 … minutes.
    const ids = (await c.find(filter, { sort: { time: 1 } }).toArray()).map((d) => d['_id']);
    expect(ids).toEqual(['e07', 'e10', 'e13', 'e16']);
    expect(await c.countDocuments(filter)).toBe(4);
    expect(await c.countDocuments({ n: { $gte: 25 } })).toBe(5);
    expect((await c.distinct('course', { n: { $lt: 2 } })).sort()).toEqual(['a', 'b']);
    const grouped = await c
      .aggregate([
        { $match: { time: { $lt: new Date(T0 + HOUR) } } },
        { $group: { _id: '$course', total: { $sum: '$n' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'a', total: 0 + 3 },
      { _id: 'b', total: 1 + 4 },
      { _id: 'c', total: 2 + 5 },
    ]);
    if (!(c instanceof EmbeddedCollection)) throw new Error('not an embedded collection');
    const plan = c.explain(filter);
    expect(plan.exact).toBe(false);
    expect(plan.plan.join(' ')).toMatch(/USING INDEX/u);
  });

  it('keeps _id unique: unordered inserts report duplicates, ordered ones stop at the first', async () => {
    const c = await bucketed();
    await c.insertMany(events().slice(0, 10));
    const seen: number[] = [];
    const again = await c.insertMany(events().slice(5, 15), {
      ordered: false,
      onDuplicate: (d) => seen.push(d.index),
    });
    expect(again.insertedCount).toBe(5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await expect(c.insertMany(events().slice(14, 20))).rejects.toMatchObject({
      code: 'E_DUPLICATE_KEY',
    });
    expect(await c.countDocuments({})).toBe(15);
    await expect(
      c.insertMany([
        { _id: 'x1', course: 'a', time: new Date(T0) },
        events()[0] as Document,
        { _id: 'x2', course: 'a', time: new Date(T0) },
      ]),
    ).rejects.toMatchObject({ code: 'E_DUPLICATE_KEY' });
    expect(await c.countDocuments({ _id: { $in: ['x1', 'x2'] } })).toBe(1);
  });

  it('splits a bucket at bucketMaxCount and deletes by rewriting buckets', async () => {
    const c = await bucketed('small', { bucketMaxCount: 4 });
    const same = Array.from({ length: 10 }, (_, i) => ({
      _id: i,
      course: 'a',
      time: new Date(T0 + i),
    }));
    await c.insertMany(same);
    expect(bucketRows('c1').map((row) => row.n)).toEqual([4, 4, 2]);
    expect((await c.deleteMany({ _id: { $in: [0, 1, 2, 3, 9] } })).deletedCount).toBe(5);
    expect(bucketRows('c1').map((row) => [row.n, row.tmin - T0, row.tmax - T0])).toEqual([
      [4, 4, 7],
      [1, 8, 8],
    ]);
    expect((await c.deleteOne({ course: 'a' })).deletedCount).toBe(1);
    expect(await c.countDocuments({})).toBe(4);
    // A deleted _id can be inserted again.
    expect((await c.insertMany([{ _id: 0, course: 'a', time: new Date(T0) }])).insertedCount).toBe(
      1,
    );
  });

  it('refuses a document without a valid Date time, updates and secondary indexes', async () => {
    const c = await bucketed();
    await expect(c.insertOne({ _id: 1, course: 'a', time: '2024-01-01' })).rejects.toThrow(
      /'time' must be present and hold a valid Date/u,
    );
    await c.insertOne({ _id: 2, course: 'a', time: new Date(T0) });
    await expect(c.updateOne({ _id: 2 }, { $set: { x: 1 } })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
    });
    await expect(c.createIndex({ course: 1 })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it('is still bucketed when the store is opened again, and is dropped with its ids', async () => {
    const c = await bucketed();
    await c.insertMany(events());
    await store.close();
    store = await openEmbeddedStore(join(dir, 'store'));
    const again = store.db('db').collection('events');
    expect(await again.countDocuments({ course: 'c' })).toBe(10);
    await expect(again.insertOne(events()[0] as Document)).rejects.toMatchObject({
      code: 'E_DUPLICATE_KEY',
    });
    expect(await again.drop()).toBe(true);
    const db = new BetterSqlite3(join(dir, 'store', 'db.sqlite'), { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'c%'")
      .pluck()
      .all();
    db.close();
    expect(tables).toEqual([]);
  });
});
