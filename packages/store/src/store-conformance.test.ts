/**
 * One conformance suite for every store engine: the embedded one always, and the MongoDB
 * engine (the official driver) against the server `MONGODB_URI` names. The expected values
 * are what a real MongoDB returns through the driver; both engines must match them.
 *
 * FerretDB (the wire-protocol server CI uses: tools/mongo-test-server) lacks a few features;
 * the tests it cannot pass are listed in FERRETDB_KNOWN_GAPS and skipped on it only, with
 * the reason printed.
 */
import { StoreError, UsageError } from '@edx-data/core';
import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnownGaps } from './test-support/conformance-engines.js';
import {
  conformanceEngines,
  isKnownGap,
  rejection,
  RUN_PREFIX,
} from './test-support/conformance-engines.js';
import type { Collection, Database, Document, DuplicateKey, Store } from './types.js';

/** Tests FerretDB v1.24 cannot pass, by test name, with the reason. They still run elsewhere. */
const FERRETDB_KNOWN_GAPS: Readonly<Record<string, string>> = {
  'rename with dropTarget replaces an existing collection':
    'renameCollection with dropTarget: true is not implemented (NotImplemented)',
  'filter: $elemMatch':
    '$elemMatch with field conditions ({q: 1, ok: true}) fails: "unknown operator: q"',
  '$group with several accumulators':
    'only the first accumulator of a $group is computed; the others come back as 0 (wrong results, no error)',
  '$group with $min, $max and $first':
    'the $min, $max and $first accumulators of $group are not implemented',
  '$group with $addToSet': 'the $addToSet accumulator of $group is not implemented',
  '$project computes fields from expressions':
    'expressions in $project are not implemented ($multiply; "$meta.device" comes back as a literal string)',
  '$lookup joins another collection': 'the $lookup stage is not implemented',
  'arrays nested in arrays survive a round trip':
    'nested arrays are refused ("nested arrays are not supported")',
  'keys containing . and $ in nested objects survive a round trip':
    'such keys are refused: invalid key "a.b" (key must not contain a "." sign)',
  'Decimal128 survives a round trip and is stored as decimal':
    'Decimal128 is not supported: the server drops the connection ("invalid BSON type wirebson.Decimal128")',
};

/**
 * Tests the embedded engine cannot pass, by test name, with the reason (documented in the
 * store's README). They run on MongoDB.
 */
const EMBEDDED_KNOWN_GAPS: Readonly<Record<string, string>> = {};
/**
 * Tests that are not query tests: they index, update or upsert, which a bucketed collection
 * refuses (E_UNSUPPORTED on the embedded engine). Skipped for the bucketed kind on both engines.
 */
const UNIQUE_INDEX = 'creates a unique index (createIndex is refused on a bucketed collection)';
const BUCKETED_NOT_QUERY_TESTS: Readonly<Record<string, string>> = {
  'rename moves a collection to a new name':
    'creates an index (createIndex is refused on a bucketed collection)',
  'upsert by key inserts on the first run and matches on the second':
    'upserts, and creates a unique index (a bucketed collection takes inserts and deletes only)',
  'bulkWrite mixes inserts, updates and deletes and counts each':
    'updates (a bucketed collection takes inserts and deletes only)',
  'bulkWrite with ordered:false counts duplicate inserts and applies the rest':
    'updates (a bucketed collection takes inserts and deletes only)',
  'insertMany with ordered:false counts duplicates on _id and on a unique index and inserts the rest':
    UNIQUE_INDEX,
  'a duplicate without an _id is reported with the ObjectId it was given': UNIQUE_INDEX,
  'createIndex returns the index name and listIndexes describes the indexes':
    'creates indexes (createIndex is refused on a bucketed collection)',
  'insertMany of an async generator of 100,000 documents, in batches':
    'creates an index (createIndex is refused on a bucketed collection); bucketed-conformance.test.ts loads 100,000 documents into buckets',
};

/**
 * Where the embedded engine's bucketed collections depart from its plain ones (documented in
 * the store's README), by test name, with the reason.
 */
const EMBEDDED_BUCKETED_KNOWN_GAPS: Readonly<Record<string, string>> = {
  'with promoteValues:false int32 and double read back as Int32 and Double':
    'a bucket keeps an integral Double as a number: it reads back as Int32(3), not Double(3)',
  'the stored BSON types are the written ones ($type queries)':
    'a bucket keeps an integral Double as a number: { $type: "double" } does not match Double(3)',
};
const GAPS: KnownGaps = {
  ferretdb: FERRETDB_KNOWN_GAPS,
  embedded: EMBEDDED_KNOWN_GAPS,
  bucketed: BUCKETED_NOT_QUERY_TESTS,
  embeddedBucketed: EMBEDDED_BUCKETED_KNOWN_GAPS,
};
const engines = await conformanceEngines('store conformance', GAPS);

/** The names given to `test`, to check FERRETDB_KNOWN_GAPS against. */
const registeredTests = new Set<string>();

const day = (n: number): Date => new Date(Date.UTC(2024, 0, n));

/** The events most query tests run on. */
const EVENTS: Document[] = [
  {
    _id: 1,
    user: 'ann',
    course: 'c1',
    score: 10,
    time: day(1),
    tags: ['video', 'quiz'],
    meta: { device: 'mobile', n: 1 },
    answers: [
      { q: 1, ok: true },
      { q: 2, ok: false },
    ],
    note: null,
  },
  {
    _id: 2,
    user: 'bob',
    course: 'c1',
    score: 7,
    time: day(2),
    tags: ['video'],
    meta: { device: 'desktop', n: 2 },
    answers: [{ q: 1, ok: false }],
  },
  {
    _id: 3,
    user: 'cleo',
    course: 'c2',
    score: 7,
    time: day(3),
    tags: [],
    meta: { device: 'mobile', n: 3 },
    answers: [],
    note: 'late',
  },
  {
    _id: 4,
    user: 'ann',
    course: 'c2',
    score: 3,
    time: day(4),
    tags: ['quiz'],
    meta: { device: 'tablet', n: 4 },
    answers: [{ q: 3, ok: true }],
  },
  {
    _id: 5,
    user: 'dan',
    course: 'c1',
    score: 12,
    time: day(5),
    tags: ['forum', 'video'],
    meta: { n: 5 },
    answers: [{ q: 1, ok: true }],
    note: null,
  },
  {
    _id: 6,
    user: 'Eve',
    course: 'c3',
    score: 0,
    time: day(6),
    tags: ['quiz'],
    meta: { device: 'mobile', n: 6 },
  },
];

const ids = (docs: readonly Document[]): unknown[] => docs.map((doc) => doc['_id']);
const sorted = (values: readonly unknown[]): unknown[] => [...values].sort();

/** An async source of `count` documents, yielding to the event loop now and then. */
async function* generate<T>(count: number, make: (i: number) => T): AsyncGenerator<T> {
  for (let i = 0; i < count; i += 1) {
    if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield make(i);
  }
}

/**
 * The type-fidelity document; `int` and `dbl` say how int32 and double values read back
 * (numbers by default, `Int32`/`Double` with `promoteValues: false`).
 */
function fidelityDocument(
  id: ObjectId,
  int: (value: number) => unknown,
  dbl: (value: number) => unknown,
): Document {
  return {
    _id: id,
    date: new Date('2024-02-29T12:34:56.789Z'),
    oid: new ObjectId('65f0a1b2c3d4e5f601234567'),
    int: int(42),
    negInt: int(-7),
    plainInt: int(7),
    long: Long.fromString('9007199254740993'),
    smallLong: Long.fromNumber(5),
    negLong: Long.fromString('-9223372036854775808'),
    double: dbl(2.5),
    wholeDouble: dbl(3),
    plainFloat: dbl(0.1),
    bigNumber: dbl(2 ** 40),
    bin: new Binary(Buffer.from([0, 1, 2, 254, 255])),
    bool: false,
    nul: null,
    nested: {
      arr: [int(1), 'two', { deep: 'x', list: [int(3), { a: [] }] }],
      obj: { inner: { yes: true } },
    },
    unicode: 'héllo wörld ✓ 日本語 😀',
    empty: '',
    emptyObject: {},
    emptyArray: [],
  };
}

/** What is written: explicit BSON types where it matters, plain JS numbers elsewhere. */
function fidelityInput(id: ObjectId): Document {
  const doc = fidelityDocument(
    id,
    (value) => new Int32(value),
    (value) => new Double(value),
  );
  return { ...doc, plainInt: 7, plainFloat: 0.1, bigNumber: 2 ** 40 };
}

describe.each(engines)('$label engine', (engine) => {
  let store: Store;
  let dbCounter = 0;

  /** A database of its own for each test. */
  const freshDb = (): Database => {
    dbCounter += 1;
    return store.db(`${RUN_PREFIX}_${dbCounter}`);
  };

  /** A fresh collection holding EVENTS. */
  const events = async (): Promise<Collection> => {
    const coll = freshDb().collection('events');
    await coll.insertMany(EVENTS);
    return coll;
  };

  /** `it`, except that a FerretDB known gap is skipped on FerretDB. */
  const test = (name: string, fn: () => Promise<void> | void, timeout?: number): void => {
    registeredTests.add(name);
    if (isKnownGap(engine, GAPS, name)) it.skip(name, fn, timeout);
    else it(name, fn, timeout);
  };

  beforeAll(async () => {
    store = await engine.open();
  });

  afterAll(async () => {
    await engine.cleanup(store);
  });

  it('says which engine it is', () => {
    expect(store.engine).toBe(engine.engine);
    expect(store.location).not.toBe('');
  });

  describe('CRUD', () => {
    test('insertOne assigns an ObjectId and findOne reads the document back', async () => {
      const coll = freshDb().collection('things');
      const { insertedId } = await coll.insertOne({ name: 'x', n: 1 });
      expect(insertedId).toBeInstanceOf(ObjectId);
      expect(await coll.findOne({ _id: insertedId })).toStrictEqual({
        _id: insertedId,
        name: 'x',
        n: 1,
      });
      const own = await coll.insertOne({ _id: 'mine', name: 'y' });
      expect(own.insertedId).toBe('mine');
      expect(await coll.findOne({ name: 'y' })).toStrictEqual({ _id: 'mine', name: 'y' });
      expect(await coll.findOne({ name: 'nobody' })).toBeNull();
    });

    test('insertMany accepts an array, an iterable and an async iterable', async () => {
      const coll = freshDb().collection('things');
      const fromArray = await coll.insertMany([{ _id: 1 }, { _id: 2 }]);
      expect(fromArray).toStrictEqual({ insertedCount: 2, duplicateCount: 0, duplicates: [] });
      const set = new Set([{ _id: 3 }, { _id: 4 }]);
      expect((await coll.insertMany(set.values())).insertedCount).toBe(2);
      expect((await coll.insertMany(generate(3, (i) => ({ _id: 5 + i })))).insertedCount).toBe(3);
      expect(ids(await coll.find({}, { sort: { _id: 1 } }).toArray())).toStrictEqual([
        1, 2, 3, 4, 5, 6, 7,
      ]);
      const noIds = await coll.insertMany([{ k: 'a' }, { k: 'b' }]);
      expect(noIds.insertedCount).toBe(2);
      const docs = await coll.find({ k: { $exists: true } }, { sort: { k: 1 } }).toArray();
      expect(docs.map((doc) => doc['k'])).toStrictEqual(['a', 'b']);
      expect(docs.every((doc) => doc['_id'] instanceof ObjectId)).toBe(true);
    });

    test('deleteMany removes the matching documents and reports how many', async () => {
      const coll = await events();
      expect(await coll.deleteMany({ course: 'c1' })).toStrictEqual({ deletedCount: 3 });
      expect(await coll.deleteMany({ course: 'c1' })).toStrictEqual({ deletedCount: 0 });
      expect(ids(await coll.find({}, { sort: { _id: 1 } }).toArray())).toStrictEqual([3, 4, 6]);
      expect(await coll.deleteMany()).toStrictEqual({ deletedCount: 3 });
      expect(await coll.countDocuments()).toBe(0);
    });

    test('listCollections lists the collections and drop removes one', async () => {
      const db = freshDb();
      expect(await db.listCollections()).toStrictEqual([]);
      await db.collection('b').insertOne({ x: 1 });
      await db.collection('a').insertOne({ x: 1 });
      const names = (await db.listCollections()).map((info) => info.name);
      expect(sorted(names)).toStrictEqual(['a', 'b']);
      expect(await db.collection('a').drop()).toBe(true);
      expect(await db.collection('a').drop()).toBe(false);
      expect(await db.collection('never').drop()).toBe(false);
      expect((await db.listCollections()).map((info) => info.name)).toStrictEqual(['b']);
      expect(await db.collection('a').countDocuments()).toBe(0);
    });

    test('rename moves a collection to a new name', async () => {
      const db = freshDb();
      const source = db.collection('loading');
      await source.insertMany([{ _id: 1 }, { _id: 2 }]);
      await source.createIndex({ k: 1 });
      const renamed = await source.rename('final');
      expect(renamed.name).toBe('final');
      expect(renamed.dbName).toBe(db.name);
      expect(await renamed.countDocuments()).toBe(2);
      expect(sorted((await db.listCollections()).map((info) => info.name))).toStrictEqual([
        'final',
      ]);
      expect((await renamed.listIndexes()).map((index) => index.name)).toContain('k_1');
    });

    test('rename onto an existing collection fails without dropTarget', async () => {
      const db = freshDb();
      await db.collection('target').insertMany([{ _id: 'old1' }, { _id: 'old2' }]);
      const fresh = db.collection('fresh');
      await fresh.insertMany([{ _id: 'new1' }]);
      const err = await rejection(fresh.rename('target'));
      expect(err).toBeInstanceOf(StoreError);
      expect(
        ids(
          await db
            .collection('target')
            .find({}, { sort: { _id: 1 } })
            .toArray(),
        ),
      ).toStrictEqual(['old1', 'old2']);
      expect(ids(await fresh.find().toArray())).toStrictEqual(['new1']);
    });

    test('rename with dropTarget replaces an existing collection', async () => {
      const db = freshDb();
      await db.collection('target').insertMany([{ _id: 'old1' }, { _id: 'old2' }, { _id: 'old3' }]);
      const fresh = db.collection('fresh');
      await fresh.insertMany([{ _id: 'new1' }]);
      const swapped = await fresh.rename('target', { dropTarget: true });
      expect(swapped.name).toBe('target');
      expect(ids(await swapped.find().toArray())).toStrictEqual(['new1']);
      expect(ids(await db.collection('target').find().toArray())).toStrictEqual(['new1']);
      expect((await db.listCollections()).map((info) => info.name)).toStrictEqual(['target']);
    });

    test('listDatabases lists databases with data and dropDatabase removes one', async () => {
      const db = freshDb();
      const before = (await store.listDatabases()).map((info) => info.name);
      expect(before).not.toContain(db.name);
      await db.collection('x').insertOne({ a: 1 });
      const after = (await store.listDatabases()).map((info) => info.name);
      expect(after).toContain(db.name);
      expect(after).not.toContain('admin');
      expect(after).not.toContain('local');
      expect(after).not.toContain('config');
      expect(await store.dropDatabase(db.name)).toBe(true);
      expect((await store.listDatabases()).map((info) => info.name)).not.toContain(db.name);
      expect(await store.dropDatabase(db.name)).toBe(false);
      expect(await store.db(db.name).collection('x').countDocuments()).toBe(0);
    });

    test('invalid database and collection names are refused', () => {
      expect(() => store.db('a.b')).toThrow(UsageError);
      expect(() => store.db('')).toThrow(expect.objectContaining({ code: 'E_DATABASE_NAME' }));
      const db = freshDb();
      expect(() => db.collection('$bad')).toThrow(
        expect.objectContaining({ code: 'E_COLLECTION_NAME' }),
      );
      expect(() => db.collection('system.users')).toThrow(UsageError);
    });
  });

  describe('upserts with bulkWrite', () => {
    const upsertOps = (version: number, at: Date): Parameters<Collection['bulkWrite']>[0] => [
      {
        updateOne: {
          filter: { key: 'k1' },
          update: { $set: { v: version }, $setOnInsert: { created: at }, $inc: { n: 1 } },
          upsert: true,
        },
      },
      {
        updateOne: {
          filter: { key: 'k2' },
          update: { $set: { v: version * 2 }, $setOnInsert: { created: at }, $inc: { n: 1 } },
          upsert: true,
        },
      },
      {
        replaceOne: {
          filter: { key: 'k3' },
          replacement: { key: 'k3', v: version * 3 },
          upsert: true,
        },
      },
    ];

    test('upsert by key inserts on the first run and matches on the second', async () => {
      const coll = freshDb().collection('keyed');
      await coll.createIndex({ key: 1 }, { unique: true });
      const first = await coll.bulkWrite(upsertOps(1, day(1)), { ordered: false });
      expect(first).toMatchObject({
        insertedCount: 0,
        matchedCount: 0,
        modifiedCount: 0,
        deletedCount: 0,
        upsertedCount: 3,
        duplicateCount: 0,
      });
      expect(Object.keys(first.upsertedIds).sort()).toStrictEqual(['0', '1', '2']);
      for (const id of Object.values(first.upsertedIds)) expect(id).toBeInstanceOf(ObjectId);

      const project = { projection: { _id: 0 }, sort: { key: 1 as const } };
      expect(await coll.find({}, project).toArray()).toStrictEqual([
        { key: 'k1', v: 1, created: day(1), n: 1 },
        { key: 'k2', v: 2, created: day(1), n: 1 },
        { key: 'k3', v: 3 },
      ]);
      const k1 = await coll.findOne({ key: 'k1' });
      expect(k1?.['_id']).toStrictEqual(first.upsertedIds[0]);

      const second = await coll.bulkWrite(upsertOps(10, day(2)), { ordered: false });
      expect(second).toMatchObject({
        insertedCount: 0,
        matchedCount: 3,
        modifiedCount: 3,
        deletedCount: 0,
        upsertedCount: 0,
        duplicateCount: 0,
      });
      expect(second.upsertedIds).toStrictEqual({});
      expect(await coll.find({}, project).toArray()).toStrictEqual([
        { key: 'k1', v: 10, created: day(1), n: 2 },
        { key: 'k2', v: 20, created: day(1), n: 2 },
        { key: 'k3', v: 30 },
      ]);
      expect((await coll.findOne({ key: 'k1' }))?.['_id']).toStrictEqual(first.upsertedIds[0]);
      expect(await coll.countDocuments()).toBe(3);
    });

    test('bulkWrite mixes inserts, updates and deletes and counts each', async () => {
      const coll = await events();
      const result = await coll.bulkWrite([
        { insertOne: { document: { _id: 7, user: 'fay', course: 'c3', score: 1 } } },
        { updateMany: { filter: { course: 'c1' }, update: { $inc: { score: 1 } } } },
        { updateOne: { filter: { _id: 6 }, update: { $set: { score: 0 } } } },
        { deleteOne: { filter: { course: 'c2' } } },
        { deleteMany: { filter: { course: 'c3' } } },
        { updateOne: { filter: { _id: 99 }, update: { $set: { x: 1 } } } },
      ]);
      expect(result).toMatchObject({
        insertedCount: 1,
        matchedCount: 4,
        modifiedCount: 3,
        deletedCount: 3,
        upsertedCount: 0,
        duplicateCount: 0,
      });
      const left = await coll.find({}, { sort: { _id: 1 }, projection: { score: 1 } }).toArray();
      expect(left).toHaveLength(4);
      expect(left.filter((doc) => doc['_id'] !== 3 && doc['_id'] !== 4)).toStrictEqual([
        { _id: 1, score: 11 },
        { _id: 2, score: 8 },
        { _id: 5, score: 13 },
      ]);
    });

    test('bulkWrite with ordered:false counts duplicate inserts and applies the rest', async () => {
      const coll = freshDb().collection('bulk');
      await coll.insertOne({ _id: 'a' });
      const result = await coll.bulkWrite(
        [
          { insertOne: { document: { _id: 'a' } } },
          { insertOne: { document: { _id: 'b' } } },
          { updateOne: { filter: { _id: 'a' }, update: { $set: { seen: true } } } },
        ],
        { ordered: false },
      );
      expect(result).toMatchObject({
        insertedCount: 1,
        matchedCount: 1,
        modifiedCount: 1,
        duplicateCount: 1,
      });
      expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 'a', seen: true },
        { _id: 'b' },
      ]);
    });
  });

  describe('duplicates', () => {
    test('insertMany with ordered:false counts duplicates on _id and on a unique index and inserts the rest', async () => {
      const coll = freshDb().collection('people');
      expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
      await coll.insertOne({ _id: 'a', email: 'a@x' });
      const seen: DuplicateKey[] = [];
      const result = await coll.insertMany(
        [
          { _id: 'b', email: 'b@x' },
          { _id: 'c', email: 'a@x' }, // unique index
          { _id: 'a', email: 'z@x' }, // _id
          { _id: 'd', email: 'd@x' },
          { _id: 'e', email: 'b@x' }, // unique index, a document of this very call
          { _id: 'f', email: 'f@x' },
        ],
        { ordered: false, batchSize: 2, onDuplicate: (duplicate) => seen.push(duplicate) },
      );
      expect(result.insertedCount).toBe(3);
      expect(result.duplicateCount).toBe(3);
      expect(result.duplicates).toStrictEqual([
        { index: 1, id: 'c' },
        { index: 2, id: 'a' },
        { index: 4, id: 'e' },
      ]);
      expect(seen).toStrictEqual(result.duplicates);
      expect(ids(await coll.find({}, { sort: { _id: 1 } }).toArray())).toStrictEqual([
        'a',
        'b',
        'd',
        'f',
      ]);
      expect((await coll.findOne({ _id: 'a' }))?.['email']).toBe('a@x');
    });

    test('a duplicate without an _id is reported with the ObjectId it was given', async () => {
      const coll = freshDb().collection('people');
      await coll.createIndex({ email: 1 }, { unique: true });
      const result = await coll.insertMany([{ email: 'a@x' }, { email: 'a@x' }], {
        ordered: false,
      });
      expect(result.insertedCount).toBe(1);
      expect(result.duplicateCount).toBe(1);
      expect(result.duplicates[0]?.index).toBe(1);
      expect(result.duplicates[0]?.id).toBeInstanceOf(ObjectId);
      expect(await coll.countDocuments({ _id: result.duplicates[0]?.id })).toBe(0);
    });

    test('insertMany with ordered:true stops at the first duplicate with E_DUPLICATE_KEY', async () => {
      const coll = freshDb().collection('people');
      await coll.insertOne({ _id: 'a' });
      const err = await rejection(coll.insertMany([{ _id: 'b' }, { _id: 'a' }, { _id: 'c' }]));
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'E_DUPLICATE_KEY' });
      expect(ids(await coll.find({}, { sort: { _id: 1 } }).toArray())).toStrictEqual(['a', 'b']);
    });

    test('insertOne of an existing _id fails with E_DUPLICATE_KEY', async () => {
      const coll = freshDb().collection('people');
      await coll.insertOne({ _id: 'a', v: 1 });
      const err = await rejection(coll.insertOne({ _id: 'a', v: 2 }));
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'E_DUPLICATE_KEY' });
      expect(await coll.findOne({ _id: 'a' })).toStrictEqual({ _id: 'a', v: 1 });
    });

    test('createIndex returns the index name and listIndexes describes the indexes', async () => {
      const coll = freshDb().collection('indexed');
      await coll.insertOne({ a: 1, b: 2 });
      expect(await coll.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
      expect(await coll.createIndex({ b: 1 }, { unique: true, name: 'by_b' })).toBe('by_b');
      const indexes = await coll.listIndexes();
      const byName = new Map(indexes.map((index) => [index.name, index]));
      expect(byName.has('_id_')).toBe(true);
      expect(byName.get('_id_')?.key).toStrictEqual({ _id: 1 });
      expect(byName.get('a_1_b_-1')).toStrictEqual({
        name: 'a_1_b_-1',
        key: { a: 1, b: -1 },
        unique: false,
      });
      expect(byName.get('by_b')).toStrictEqual({ name: 'by_b', key: { b: 1 }, unique: true });
      expect(indexes).toHaveLength(3);
    });
  });

  describe('find', () => {
    const cases: [string, Document, unknown[]][] = [
      ['$in', { user: { $in: ['ann', 'dan'] } }, [1, 4, 5]],
      ['$gte/$lt on Dates', { time: { $gte: day(2), $lt: day(5) } }, [2, 3, 4]],
      ['$regex', { user: { $regex: '^[a-c]' } }, [1, 2, 3, 4]],
      ['$regex with $options', { user: { $regex: '^e', $options: 'i' } }, [6]],
      ['a RegExp value', { user: /^d/ }, [5]],
      ['$exists: true', { note: { $exists: true } }, [1, 3, 5]],
      ['$exists: false', { note: { $exists: false } }, [2, 4, 6]],
      ['null matches null and missing', { note: null }, [1, 2, 4, 5, 6]],
      ['$type null matches only null', { note: { $type: 'null' } }, [1, 5]],
      ['$elemMatch', { answers: { $elemMatch: { q: 1, ok: true } } }, [1, 5]],
      ['a dotted path into an object', { 'meta.device': 'mobile' }, [1, 3, 6]],
      ['a dotted path with an operator', { 'meta.n': { $gt: 4 } }, [5, 6]],
      ['a dotted path into an array of objects', { 'answers.q': 3 }, [4]],
      ['a scalar matching an array element', { tags: 'video' }, [1, 2, 5]],
      ['$or', { $or: [{ course: 'c3' }, { score: { $gte: 10 } }] }, [1, 5, 6]],
      ['$ne (missing fields match)', { 'meta.device': { $ne: 'mobile' } }, [2, 4, 5]],
      ['$nin', { course: { $nin: ['c1', 'c2'] } }, [6]],
      ['$and of ranges', { $and: [{ score: { $gt: 0 } }, { score: { $lte: 7 } }] }, [2, 3, 4]],
      ['$size', { tags: { $size: 2 } }, [1, 5]],
      ['$all', { tags: { $all: ['video', 'quiz'] } }, [1]],
    ];

    let shared: Collection;
    beforeAll(async () => {
      shared = await events();
    });

    for (const [name, filter, expected] of cases) {
      test(`filter: ${name}`, async () => {
        expect(ids(await shared.find(filter, { sort: { _id: 1 } }).toArray())).toStrictEqual(
          expected,
        );
        expect(await shared.countDocuments(filter)).toBe(expected.length);
      });
    }

    test('sort on several keys', async () => {
      const coll = shared;
      expect(ids(await coll.find({}, { sort: { score: -1, user: 1 } }).toArray())).toStrictEqual([
        5, 1, 2, 3, 4, 6,
      ]);
      expect(ids(await coll.find({}, { sort: { course: 1, score: 1 } }).toArray())).toStrictEqual([
        2, 1, 5, 4, 3, 6,
      ]);
      expect(ids(await coll.find({}, { sort: { 'meta.n': -1 } }).toArray())).toStrictEqual([
        6, 5, 4, 3, 2, 1,
      ]);
    });

    test('projection by inclusion, by exclusion, without _id and on a dotted path', async () => {
      const coll = shared;
      const sort = { _id: 1 } as const;
      expect(
        await coll
          .find({ _id: { $lte: 2 } }, { sort, projection: { user: 1, score: 1 } })
          .toArray(),
      ).toStrictEqual([
        { _id: 1, user: 'ann', score: 10 },
        { _id: 2, user: 'bob', score: 7 },
      ]);
      expect(
        await coll.find({ _id: 2 }, { projection: { user: 1, _id: 0 } }).toArray(),
      ).toStrictEqual([{ user: 'bob' }]);
      expect(
        await coll
          .find({ _id: 2 }, { projection: { tags: 0, answers: 0, meta: 0, time: 0 } })
          .toArray(),
      ).toStrictEqual([{ _id: 2, user: 'bob', course: 'c1', score: 7 }]);
      expect(
        await coll
          .find({ _id: 6 }, { projection: { _id: 0, user: 0, tags: 0, time: 0 } })
          .toArray(),
      ).toStrictEqual([{ course: 'c3', score: 0, meta: { device: 'mobile', n: 6 } }]);
      expect(
        await coll
          .find({ _id: { $in: [1, 5] } }, { sort, projection: { 'meta.device': 1, _id: 0 } })
          .toArray(),
      ).toStrictEqual([{ meta: { device: 'mobile' } }, { meta: {} }]);
      expect(await coll.findOne({ _id: 3 }, { projection: { user: 1 } })).toStrictEqual({
        _id: 3,
        user: 'cleo',
      });
    });

    test('limit and skip', async () => {
      const coll = shared;
      const page = await coll.find({}, { sort: { _id: 1 }, skip: 2, limit: 3 }).toArray();
      expect(ids(page)).toStrictEqual([3, 4, 5]);
      expect(ids(await coll.find({}, { sort: { _id: -1 }, limit: 2 }).toArray())).toStrictEqual([
        6, 5,
      ]);
      expect(ids(await coll.find({}, { sort: { _id: 1 }, skip: 5 }).toArray())).toStrictEqual([6]);
      expect(await coll.find({}, { skip: 10 }).toArray()).toStrictEqual([]);
    });

    test('countDocuments with and without a filter', async () => {
      const coll = shared;
      expect(await coll.countDocuments()).toBe(6);
      expect(await coll.countDocuments({ course: 'c1' })).toBe(3);
      expect(await coll.countDocuments({ course: 'none' })).toBe(0);
      expect(await freshDb().collection('missing').countDocuments()).toBe(0);
    });

    test('distinct returns each value once, flattening arrays', async () => {
      const coll = shared;
      expect(sorted(await coll.distinct('course'))).toStrictEqual(['c1', 'c2', 'c3']);
      expect(sorted(await coll.distinct('tags'))).toStrictEqual(['forum', 'quiz', 'video']);
      expect(sorted(await coll.distinct('user', { course: 'c2' }))).toStrictEqual(['ann', 'cleo']);
      expect(sorted(await coll.distinct('meta.device'))).toStrictEqual([
        'desktop',
        'mobile',
        'tablet',
      ]);
      expect(await coll.distinct('nothing')).toStrictEqual([]);
    });

    test('breaking out of a for await over a find cursor releases it and the store stays usable', async () => {
      const db = freshDb();
      const coll = db.collection('many');
      await coll.insertMany(generate(500, (i) => ({ _id: i, v: i % 7 })));
      const seen: unknown[] = [];
      for await (const doc of coll.find({}, { sort: { _id: 1 } })) {
        seen.push(doc['_id']);
        if (seen.length === 3) break;
      }
      expect(seen).toStrictEqual([0, 1, 2]);

      const cursor = coll.find({ v: 3 }, { sort: { _id: 1 } });
      let first: unknown;
      for await (const doc of cursor) {
        first = doc['_id'];
        break;
      }
      expect(first).toBe(3);
      await cursor.close();

      const early = coll.find({});
      await early.close();

      await coll.insertOne({ _id: 1000, v: 0 });
      expect(await coll.countDocuments()).toBe(501);
      let total = 0;
      for await (const doc of coll.find({ v: 0 })) total += doc['v'] === 0 ? 1 : 0;
      expect(total).toBe(73);
      expect(await coll.deleteMany({ v: { $gte: 1 } })).toStrictEqual({ deletedCount: 428 });
      expect(await coll.drop()).toBe(true);
      expect((await db.listCollections()).map((info) => info.name)).toStrictEqual([]);
    });
  });

  describe('aggregate', () => {
    let shared: Collection;
    beforeAll(async () => {
      shared = await events();
      await store
        .db(shared.dbName)
        .collection('users')
        .insertMany([
          { _id: 'ann', country: 'CA' },
          { _id: 'bob', country: 'FR' },
        ]);
    });

    test('$match and $group with $sum', async () => {
      const totals = await shared
        .aggregate([
          { $match: { score: { $gte: 5 } } },
          { $group: { _id: '$course', total: { $sum: '$score' } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(totals).toStrictEqual([
        { _id: 'c1', total: 29 },
        { _id: 'c2', total: 7 },
      ]);
      const counts = await shared
        .aggregate([{ $group: { _id: '$course', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }])
        .toArray();
      expect(counts).toStrictEqual([
        { _id: 'c1', n: 3 },
        { _id: 'c2', n: 2 },
        { _id: 'c3', n: 1 },
      ]);
    });

    test('$group with several accumulators', async () => {
      const groups = await shared
        .aggregate([
          { $group: { _id: '$course', total: { $sum: '$score' }, n: { $sum: 1 } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups).toStrictEqual([
        { _id: 'c1', total: 29, n: 3 },
        { _id: 'c2', total: 10, n: 2 },
        { _id: 'c3', total: 0, n: 1 },
      ]);
    });

    test('$group with $min, $max and $first', async () => {
      const groups = await shared
        .aggregate([
          { $sort: { _id: 1 } },
          {
            $group: {
              _id: '$course',
              firstTime: { $min: '$time' },
              best: { $max: '$score' },
              firstUser: { $first: '$user' },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups).toStrictEqual([
        { _id: 'c1', firstTime: day(1), best: 12, firstUser: 'ann' },
        { _id: 'c2', firstTime: day(3), best: 7, firstUser: 'cleo' },
        { _id: 'c3', firstTime: day(6), best: 0, firstUser: 'Eve' },
      ]);
    });

    test('$group with $addToSet', async () => {
      const groups = await shared
        .aggregate([
          { $group: { _id: '$course', users: { $addToSet: '$user' } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(
        groups.map((group) => ({ ...group, users: sorted(group['users'] as unknown[]) })),
      ).toStrictEqual([
        { _id: 'c1', users: ['ann', 'bob', 'dan'] },
        { _id: 'c2', users: ['ann', 'cleo'] },
        { _id: 'c3', users: ['Eve'] },
      ]);
    });

    test('$project includes and excludes fields', async () => {
      const pipeline = (project: Document): Document[] => [
        { $match: { course: 'c2' } },
        { $sort: { _id: 1 } },
        { $project: project },
      ];
      expect(
        await shared.aggregate(pipeline({ _id: 0, user: 1, 'meta.device': 1 })).toArray(),
      ).toStrictEqual([
        { user: 'cleo', meta: { device: 'mobile' } },
        { user: 'ann', meta: { device: 'tablet' } },
      ]);
      expect(
        await shared
          .aggregate(pipeline({ tags: 0, answers: 0, meta: 0, time: 0, note: 0, course: 0 }))
          .toArray(),
      ).toStrictEqual([
        { _id: 3, user: 'cleo', score: 7 },
        { _id: 4, user: 'ann', score: 3 },
      ]);
    });

    test('$project computes fields from expressions', async () => {
      const rows = await shared
        .aggregate([
          { $match: { course: 'c2' } },
          { $sort: { _id: 1 } },
          {
            $project: {
              _id: 0,
              user: 1,
              device: '$meta.device',
              double: { $multiply: ['$score', 2] },
            },
          },
        ])
        .toArray();
      expect(rows).toStrictEqual([
        { user: 'cleo', device: 'mobile', double: 14 },
        { user: 'ann', device: 'tablet', double: 6 },
      ]);
    });

    test('$unwind, then $group and $count', async () => {
      const perTag = await shared
        .aggregate([
          { $unwind: '$tags' },
          { $group: { _id: '$tags', n: { $sum: 1 } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(perTag).toStrictEqual([
        { _id: 'forum', n: 1 },
        { _id: 'quiz', n: 3 },
        { _id: 'video', n: 3 },
      ]);
      expect(
        await shared.aggregate([{ $unwind: '$tags' }, { $count: 'n' }]).toArray(),
      ).toStrictEqual([{ n: 7 }]);
      expect(
        await shared.aggregate([{ $match: { course: 'c1' } }, { $count: 'n' }]).toArray(),
      ).toStrictEqual([{ n: 3 }]);
    });

    test('$lookup joins another collection', async () => {
      const joined = await shared
        .aggregate([
          { $match: { _id: { $in: [1, 2, 3] } } },
          { $sort: { _id: 1 } },
          { $lookup: { from: 'users', localField: 'user', foreignField: '_id', as: 'who' } },
          { $project: { _id: 1, who: 1 } },
        ])
        .toArray();
      expect(joined).toStrictEqual([
        { _id: 1, who: [{ _id: 'ann', country: 'CA' }] },
        { _id: 2, who: [{ _id: 'bob', country: 'FR' }] },
        { _id: 3, who: [] },
      ]);
    });

    test('breaking out of a for await over an aggregate cursor releases it', async () => {
      const seen: unknown[] = [];
      for await (const doc of shared.aggregate([{ $sort: { _id: -1 } }])) {
        seen.push(doc['_id']);
        break;
      }
      expect(seen).toStrictEqual([6]);
      expect(await shared.countDocuments()).toBe(6);
    });
  });

  describe('type fidelity', () => {
    test('every BSON type survives a round trip; int32 and double read back as numbers by default', async () => {
      const coll = freshDb().collection('types');
      const id = new ObjectId();
      await coll.insertOne(fidelityInput(id));
      const expected = fidelityDocument(
        id,
        (value) => value,
        (value) => value,
      );
      const read = await coll.findOne({ _id: id });
      expect(read).toStrictEqual(expected);
      expect(read?.['long']).toBeInstanceOf(Long);
      expect(read?.['smallLong']).toBeInstanceOf(Long);
      expect('nul' in (read ?? {})).toBe(true);
      expect('missing' in (read ?? {})).toBe(false);
      expect(await coll.find({ _id: id }).toArray()).toStrictEqual([expected]);
      expect(await coll.aggregate([{ $match: { _id: id } }]).toArray()).toStrictEqual([expected]);
    });

    test('with promoteValues:false int32 and double read back as Int32 and Double', async () => {
      const coll = freshDb().collection('types');
      const id = new ObjectId();
      await coll.insertMany([fidelityInput(id)]);
      const expected = fidelityDocument(
        id,
        (value) => new Int32(value),
        (value) => new Double(value),
      );
      expect(await coll.findOne({ _id: id }, { promoteValues: false })).toStrictEqual(expected);
      expect(await coll.find({ _id: id }, { promoteValues: false }).toArray()).toStrictEqual([
        expected,
      ]);
    });

    test('the stored BSON types are the written ones ($type queries)', async () => {
      const coll = freshDb().collection('types');
      await coll.insertOne(fidelityInput(new ObjectId()));
      const typeOf: [string, string][] = [
        ['int', 'int'],
        ['negInt', 'int'],
        ['plainInt', 'int'],
        ['long', 'long'],
        ['smallLong', 'long'],
        ['negLong', 'long'],
        ['double', 'double'],
        ['wholeDouble', 'double'],
        ['plainFloat', 'double'],
        ['bigNumber', 'double'],
        ['date', 'date'],
        ['oid', 'objectId'],
        ['bin', 'binData'],
        ['bool', 'bool'],
        ['nul', 'null'],
        ['unicode', 'string'],
        ['empty', 'string'],
        ['emptyObject', 'object'],
        ['emptyArray', 'array'],
      ];
      for (const [field, type] of typeOf) {
        expect({
          field,
          type,
          count: await coll.countDocuments({ [field]: { $type: type } }),
        }).toStrictEqual({
          field,
          type,
          count: 1,
        });
      }
      expect(await coll.countDocuments({ wholeDouble: { $type: 'int' } })).toBe(0);
      expect(await coll.countDocuments({ plainInt: { $type: 'double' } })).toBe(0);
      expect(await coll.countDocuments({ missing: { $exists: false } })).toBe(1);
      expect(await coll.countDocuments({ nul: { $exists: true } })).toBe(1);
    });

    test('arrays nested in arrays survive a round trip', async () => {
      const coll = freshDb().collection('nested');
      const doc = { _id: 1, matrix: [[1, 2], [3, [4, [5]]], [], [{ a: [[]] }]] };
      await coll.insertOne(doc);
      expect(await coll.findOne({ _id: 1 })).toStrictEqual(doc);
      expect(await coll.countDocuments({ matrix: [1, 2] })).toBe(1);
    });

    test('keys containing . and $ in nested objects survive a round trip', async () => {
      const coll = freshDb().collection('keys');
      const doc = {
        _id: 1,
        meta: { 'a.b': 1, $x: 2, deeper: { 'c.d.e': ['f'], $y: { z: null } } },
      };
      await coll.insertOne(doc);
      expect(await coll.findOne({ _id: 1 })).toStrictEqual(doc);
      expect(await coll.findOne({ _id: 1 }, { promoteValues: false })).toStrictEqual({
        _id: new Int32(1),
        meta: {
          'a.b': new Int32(1),
          $x: new Int32(2),
          deeper: { 'c.d.e': ['f'], $y: { z: null } },
        },
      });
    });

    test('Decimal128 survives a round trip and is stored as decimal', async () => {
      const coll = freshDb().collection('decimals');
      const value = Decimal128.fromString('1234.5678901234567890');
      await coll.insertOne({ _id: 1, dec: value, arr: [Decimal128.fromString('-0.1')] });
      const expected = { _id: 1, dec: value, arr: [Decimal128.fromString('-0.1')] };
      expect(await coll.findOne({ _id: 1 })).toStrictEqual(expected);
      expect(await coll.findOne({ _id: 1 }, { promoteValues: false })).toStrictEqual({
        ...expected,
        _id: new Int32(1),
      });
      expect(await coll.countDocuments({ dec: { $type: 'decimal' } })).toBe(1);
      expect(
        await coll.countDocuments({ dec: Decimal128.fromString('1234.5678901234567890') }),
      ).toBe(1);
      expect(String((await coll.findOne({ _id: 1 }))?.['dec'])).toBe('1234.5678901234567890');
    });

    test('values can be matched by their BSON value', async () => {
      const coll = freshDb().collection('types');
      const id = new ObjectId();
      await coll.insertOne(fidelityInput(id));
      expect(await coll.countDocuments({ long: Long.fromString('9007199254740993') })).toBe(1);
      expect(await coll.countDocuments({ long: Long.fromString('9007199254740992') })).toBe(0);
      expect(await coll.countDocuments({ int: 42 })).toBe(1);
      expect(await coll.countDocuments({ wholeDouble: 3 })).toBe(1);
      expect(await coll.countDocuments({ smallLong: 5 })).toBe(1);
      expect(await coll.countDocuments({ int: Long.fromNumber(42) })).toBe(1);
      expect(await coll.countDocuments({ smallLong: { $gte: 4.5, $lt: 6 } })).toBe(1);
      expect(await coll.countDocuments({ oid: new ObjectId('65f0a1b2c3d4e5f601234567') })).toBe(1);
      expect(await coll.countDocuments({ date: new Date('2024-02-29T12:34:56.789Z') })).toBe(1);
      expect(await coll.countDocuments({ unicode: 'héllo wörld ✓ 日本語 😀' })).toBe(1);
      expect(await coll.countDocuments({ empty: '' })).toBe(1);
      expect(await coll.countDocuments({ 'nested.obj.inner.yes': true })).toBe(1);
    });

    test('a Long beyond 2^53 is ordered against numbers', async () => {
      const coll = freshDb().collection('types');
      await coll.insertOne({ _id: 1, long: Long.fromString('9007199254740993') });
      expect(await coll.countDocuments({ long: { $gt: 2 ** 53 } })).toBe(1);
      expect(await coll.countDocuments({ long: { $lt: 2 ** 53 } })).toBe(0);
    });
  });

  describe('volume', () => {
    test('insertMany of an async generator of 100,000 documents, in batches', async () => {
      const coll = freshDb().collection('big');
      await coll.createIndex({ key: 1 });
      const base = Date.UTC(2024, 0, 1);
      let storedWhenHalfwayRead = -1;
      const docs = async function* (): AsyncGenerator<Document> {
        for (let i = 0; i < 100_000; i += 1) {
          if (i === 5000) storedWhenHalfwayRead = await coll.countDocuments();
          yield { _id: i, key: `key-${i}`, group: i % 100, time: new Date(base + i * 1000) };
        }
      };
      const result = await coll.insertMany(docs());
      expect(result).toStrictEqual({ insertedCount: 100_000, duplicateCount: 0, duplicates: [] });
      // batches are written while the input is read, not after it is all in memory
      expect(storedWhenHalfwayRead).toBeGreaterThanOrEqual(4000);
      expect(storedWhenHalfwayRead).toBeLessThanOrEqual(5000);
      expect(await coll.countDocuments()).toBe(100_000);
      expect(await coll.findOne({ key: 'key-77777' })).toStrictEqual({
        _id: 77_777,
        key: 'key-77777',
        group: 77,
        time: new Date(base + 77_777_000),
      });
      expect(await coll.countDocuments({ group: 42 })).toBe(1000);
    }, 180_000);
  });
});

it('names only existing tests in EMBEDDED_KNOWN_GAPS and the bucketed lists', () => {
  const named = [
    ...Object.keys(EMBEDDED_KNOWN_GAPS),
    ...Object.keys(BUCKETED_NOT_QUERY_TESTS),
    ...Object.keys(EMBEDDED_BUCKETED_KNOWN_GAPS),
  ];
  expect(named.filter((name) => !registeredTests.has(name))).toEqual([]);
});

it('names only existing tests in FERRETDB_KNOWN_GAPS', () => {
  expect(
    Object.keys(FERRETDB_KNOWN_GAPS).filter((name) => !registeredTests.has(name)),
  ).toStrictEqual([]);
});
