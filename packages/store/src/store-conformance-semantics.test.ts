/**
 * Conformance, part two (issue 12): where the embedded engine used to depart from MongoDB.
 * Every expected value comes from MongoDB's documentation (named in each test); the suite
 * runs on the embedded engine and on the MongoDB engine (FerretDB in CI). Where FerretDB
 * departs from MongoDB's documented behaviour, the test is listed in FERRETDB_KNOWN_GAPS
 * with what FerretDB does instead, and skipped there only.
 */
import { StoreError } from '@edx-data/core';
import { Binary, Long, ObjectId, Timestamp } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkWriteError } from './bulk-write-error.js';
import type { KnownGaps } from './test-support/conformance-engines.js';
import {
  conformanceEngines,
  isKnownGap,
  rejection,
  RUN_PREFIX,
} from './test-support/conformance-engines.js';
import type { Collection, Database, Document, Store } from './types.js';

const FERRETDB_KNOWN_GAPS: Readonly<Record<string, string>> = {
  '$out writes the target collection, keeps its indexes and returns no document':
    'the $out stage is not implemented (NotImplemented)',
  'a failing $out leaves the target as it was':
    'the $out stage is not implemented (NotImplemented)',
  '$merge with its defaults merges matching documents and inserts the others':
    'the $merge stage is not implemented (NotImplemented)',
  '$merge whenMatched replace, keepExisting, and whenNotMatched discard':
    'the $merge stage is not implemented (NotImplemented)',
  '$merge whenMatched fail and whenNotMatched fail raise an error':
    'the $merge stage is not implemented (NotImplemented)',
  '$merge on a uniquely indexed field, with a pipeline for matches':
    'the $merge stage is not implemented (NotImplemented)',
  '$sum, $avg and $max over Longs': 'the $avg accumulator of $group is not implemented',
  '$add and $multiply with Longs': 'the $add expression operator is not implemented',
  'positional $, $[] and $[identifier] with arrayFilters':
    'the positional $ update operator is not implemented ("Cannot create field \'$\'")',
  'an update given as a pipeline':
    'updates given as a pipeline are refused ("update.updates.u is the wrong type array")',
  'findOneAndUpdate, findOneAndReplace and findOneAndDelete':
    'findAndModify with a projection (fields) is not implemented',
  'createCollection with a validator refuses documents that do not match it':
    'the validator option of create is not implemented (NotImplemented)',
};
const EMBEDDED_KNOWN_GAPS: Readonly<Record<string, string>> = {};
/**
 * Tests that are not query tests: they update, upsert, replace or write with `$out`/`$merge`
 * into a collection, which a bucketed collection refuses (E_UNSUPPORTED on the embedded
 * engine). Skipped for the bucketed kind on both engines.
 */
const OUTPUT = '$out and $merge into a bucketed collection are refused';
const UPDATES = 'updates (a bucketed collection takes inserts and deletes only)';
const BUCKETED_NOT_QUERY_TESTS: Readonly<Record<string, string>> = {
  '$out writes the target collection, keeps its indexes and returns no document': OUTPUT,
  'a failing $out leaves the target as it was': OUTPUT,
  '$merge with its defaults merges matching documents and inserts the others': OUTPUT,
  '$merge whenMatched replace, keepExisting, and whenNotMatched discard': OUTPUT,
  '$merge whenMatched fail and whenNotMatched fail raise an error': OUTPUT,
  '$merge on a uniquely indexed field, with a pipeline for matches': OUTPUT,
  '$inc and $max updates on a Long field': UPDATES,
  'an ordered bulkWrite keeps the writes before a failure and reports them': UPDATES,
  'positional $, $[] and $[identifier] with arrayFilters': UPDATES,
  'an update given as a pipeline': UPDATES,
  'updateOne, updateMany, replaceOne and their upserts': UPDATES,
  'findOneAndUpdate, findOneAndReplace and findOneAndDelete': UPDATES,
  'createCollection with a validator refuses documents that do not match it': UPDATES,
};
const GAPS: KnownGaps = {
  ferretdb: FERRETDB_KNOWN_GAPS,
  embedded: EMBEDDED_KNOWN_GAPS,
  bucketed: BUCKETED_NOT_QUERY_TESTS,
  embeddedBucketed: {},
};
const engines = await conformanceEngines('store conformance (MongoDB semantics)', GAPS);
const registeredTests = new Set<string>();

const ids = (docs: readonly Document[]): unknown[] => docs.map((doc) => doc['_id']);
const long = (n: number | string): Long =>
  typeof n === 'string' ? Long.fromString(n) : Long.fromNumber(n);

describe.each(engines)('$label engine', (engine) => {
  let store: Store;
  let dbCounter = 0;
  const freshDb = (): Database => {
    dbCounter += 1;
    return store.db(`${RUN_PREFIX}_s${dbCounter}`);
  };
  const fresh = async (docs: readonly Document[] = [], name = 'c'): Promise<Collection> => {
    const coll = freshDb().collection(name);
    if (docs.length > 0) await coll.insertMany([...docs]);
    return coll;
  };
  const test = (name: string, fn: () => Promise<void>): void => {
    registeredTests.add(name);
    if (isKnownGap(engine, GAPS, name)) it.skip(name, fn);
    else it(name, fn);
  };

  beforeAll(async () => {
    store = await engine.open();
  });
  afterAll(async () => {
    await engine.cleanup(store);
  });

  describe('output stages ($out, $merge)', () => {
    // "$out … replaces the existing collection … does not change any indexes"; the cursor
    // of an aggregation ending in $out or $merge holds no document.
    test('$out writes the target collection, keeps its indexes and returns no document', async () => {
      const source = await fresh([
        { _id: 1, course: 'a', n: 2 },
        { _id: 2, course: 'b', n: 3 },
        { _id: 3, course: 'a', n: 4 },
      ]);
      const db = store.db(source.dbName);
      const out = db.collection('totals');
      await out.insertMany([{ _id: 'old', total: 0 }]);
      await out.createIndex({ total: 1 });
      const returned = await source
        .aggregate([{ $group: { _id: '$course', total: { $sum: '$n' } } }, { $out: 'totals' }])
        .toArray();
      expect(returned).toStrictEqual([]);
      expect(await out.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 'a', total: 6 },
        { _id: 'b', total: 3 },
      ]);
      expect((await out.listIndexes()).map((index) => index.name).sort()).toStrictEqual([
        '_id_',
        'total_1',
      ]);
    });

    // "If the aggregation fails, $out does not make any changes to the pre-existing collection."
    test('a failing $out leaves the target as it was', async () => {
      const source = await fresh([
        { _id: 1, k: 'x' },
        { _id: 2, k: 'x' },
      ]);
      const out = store.db(source.dbName).collection('dest');
      await out.insertOne({ _id: 'kept' });
      const err = await rejection(
        source.aggregate([{ $project: { _id: '$k' } }, { $out: 'dest' }]).toArray(),
      );
      expect(err).toMatchObject({ code: 'E_DUPLICATE_KEY' });
      expect(ids(await out.find().toArray())).toStrictEqual(['kept']);
    });

    // $merge defaults: on _id, whenMatched "merge" (fields merged into the existing
    // document), whenNotMatched "insert".
    test('$merge with its defaults merges matching documents and inserts the others', async () => {
      const source = await fresh([
        { _id: 1, score: 10 },
        { _id: 2, score: 20 },
      ]);
      const target = store.db(source.dbName).collection('scores');
      await target.insertMany([{ _id: 1, name: 'ann', score: 0 }]);
      const returned = await source.aggregate([{ $merge: { into: 'scores' } }]).toArray();
      expect(returned).toStrictEqual([]);
      expect(await target.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, name: 'ann', score: 10 },
        { _id: 2, score: 20 },
      ]);
    });

    test('$merge whenMatched replace, keepExisting, and whenNotMatched discard', async () => {
      const source = await fresh([
        { _id: 1, v: 'new' },
        { _id: 2, v: 'new' },
      ]);
      const db = store.db(source.dbName);
      const replace = db.collection('replace');
      const keep = db.collection('keep');
      await replace.insertOne({ _id: 1, v: 'old', extra: true });
      await keep.insertOne({ _id: 1, v: 'old', extra: true });
      await source
        .aggregate([
          { $merge: { into: 'replace', whenMatched: 'replace', whenNotMatched: 'discard' } },
        ])
        .toArray();
      await source.aggregate([{ $merge: { into: 'keep', whenMatched: 'keepExisting' } }]).toArray();
      expect(await replace.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, v: 'new' },
      ]);
      expect(await keep.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, v: 'old', extra: true },
        { _id: 2, v: 'new' },
      ]);
    });

    // "whenMatched: fail … stop and fail the aggregation operation"; "whenNotMatched: fail".
    test('$merge whenMatched fail and whenNotMatched fail raise an error', async () => {
      const source = await fresh([{ _id: 1, v: 'new' }]);
      const db = store.db(source.dbName);
      await db.collection('existing').insertOne({ _id: 1, v: 'old' });
      const matched = await rejection(
        source.aggregate([{ $merge: { into: 'existing', whenMatched: 'fail' } }]).toArray(),
      );
      // MongoDB reports it as a duplicate key (code 11000).
      expect(matched).toMatchObject({ code: 'E_DUPLICATE_KEY' });
      expect(await db.collection('existing').findOne({ _id: 1 })).toStrictEqual({
        _id: 1,
        v: 'old',
      });
      const notMatched = await rejection(
        source.aggregate([{ $merge: { into: 'empty', whenNotMatched: 'fail' } }]).toArray(),
      );
      expect(notMatched).toMatchObject({ code: 'E_STORE' });
      expect((notMatched as StoreError).message).toMatch(/match/iu);
      expect(await db.collection('empty').countDocuments()).toBe(0);
    });

    // "The on field(s) … must have a unique index"; whenMatched may be a pipeline in which
    // $$new is the incoming document.
    test('$merge on a uniquely indexed field, with a pipeline for matches', async () => {
      const source = await fresh([
        { _id: 1, user: 'ann', visits: 2 },
        { _id: 2, user: 'bob', visits: 1 },
      ]);
      const db = store.db(source.dbName);
      const totals = db.collection('totals');
      const unindexed = await rejection(
        source
          .aggregate([{ $project: { _id: 0 } }, { $merge: { into: 'totals', on: 'user' } }])
          .toArray(),
      );
      expect(unindexed).toMatchObject({ code: 'E_STORE' });
      expect((unindexed as StoreError).message).toMatch(/unique/iu);
      await totals.createIndex({ user: 1 }, { unique: true });
      await totals.insertOne({ _id: 't1', user: 'ann', visits: 5 });
      await source
        .aggregate([
          { $project: { _id: 0, user: 1, visits: 1 } },
          {
            $merge: {
              into: 'totals',
              on: 'user',
              whenMatched: [{ $set: { visits: { $add: ['$visits', '$$new.visits'] } } }],
              whenNotMatched: 'insert',
            },
          },
        ])
        .toArray();
      const rows = await totals.find({}, { sort: { user: 1 }, projection: { _id: 0 } }).toArray();
      expect(rows).toStrictEqual([
        { user: 'ann', visits: 7 },
        { user: 'bob', visits: 1 },
      ]);
      expect((await totals.findOne({ user: 'ann' }))?.['_id']).toBe('t1');
    });
  });

  describe('aggregation over no documents and over Longs', () => {
    // "$count … If the input is empty, $count returns no document."
    test('$count over no documents returns no document', async () => {
      const coll = await fresh([{ _id: 1, a: 1 }]);
      expect(await coll.aggregate([{ $match: { a: 2 } }, { $count: 'n' }]).toArray()).toStrictEqual(
        [],
      );
      expect(await coll.aggregate([{ $count: 'n' }]).toArray()).toStrictEqual([{ n: 1 }]);
    });

    const longs = [
      { _id: 1, n: long(5), g: 'x' },
      { _id: 2, n: long(10), g: 'x' },
      { _id: 3, n: 7, g: 'x' },
      { _id: 4, n: long('9007199254740993'), g: 'y' },
    ];

    // Numbers compare by value whatever their type ("all numeric types are considered
    // equivalent"), in $match as in find.
    test('$match compares Longs by value, as find does', async () => {
      const coll = await fresh(longs);
      const filter = { n: { $gte: 7, $lt: 100 } };
      expect(ids(await coll.find(filter, { sort: { _id: 1 } }).toArray())).toStrictEqual([2, 3]);
      expect(
        ids(await coll.aggregate([{ $match: filter }, { $sort: { _id: 1 } }]).toArray()),
      ).toStrictEqual([2, 3]);
      expect(
        ids(await coll.aggregate([{ $match: { n: { $gt: 2 ** 53 } } }]).toArray()),
      ).toStrictEqual([4]);
      const multiples = { n: { $mod: [5, 0] }, _id: { $lt: 4 } };
      expect(ids(await coll.find(multiples, { sort: { _id: 1 } }).toArray())).toStrictEqual([1, 2]);
      expect(
        ids(await coll.aggregate([{ $match: multiples }, { $sort: { _id: 1 } }]).toArray()),
      ).toStrictEqual([1, 2]);
    });

    // $sum: int + long → long; $avg → double; $max by BSON order.
    test('$sum, $avg and $max over Longs', async () => {
      const coll = await fresh(longs.slice(0, 3));
      const [group] = await coll
        .aggregate([
          {
            $group: { _id: '$g', total: { $sum: '$n' }, mean: { $avg: '$n' }, top: { $max: '$n' } },
          },
        ])
        .toArray();
      expect(group).toStrictEqual({ _id: 'x', total: long(22), mean: 22 / 3, top: long(10) });
    });

    // $add and $subtract: a long with an int is a long.
    test('$add and $multiply with Longs', async () => {
      const coll = await fresh([{ _id: 1, n: long(5), d: 2.5 }]);
      const [row] = await coll
        .aggregate([
          {
            $project: {
              _id: 0,
              plus: { $add: ['$n', 1] },
              times: { $multiply: ['$n', 3] },
              mixed: { $add: ['$n', '$d'] },
            },
          },
        ])
        .toArray();
      expect(row).toStrictEqual({ plus: long(6), times: long(15), mixed: 7.5 });
    });

    // "$inc … on a field of type long" keeps it a long; "$max … updates the value of the
    // field to a specified value if the specified value is greater than the current value".
    test('$inc and $max updates on a Long field', async () => {
      const coll = await fresh([{ _id: 1, n: long(5), m: long(5) }]);
      const inc = await coll.updateOne({ _id: 1 }, { $inc: { n: 2 } });
      expect(inc).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      const lower = await coll.updateOne({ _id: 1 }, { $max: { m: 3 } });
      expect(lower).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
      await coll.updateOne({ _id: 1 }, { $max: { m: 9 } });
      expect(await coll.findOne({ _id: 1 })).toStrictEqual({ _id: 1, n: long(7), m: 9 });
    });

    test('a sort without an index orders Longs among numbers', async () => {
      const coll = await fresh([
        { _id: 'a', n: long(100) },
        { _id: 'b', n: 3 },
        { _id: 'c', n: long(20) },
        { _id: 'd', n: 50.5 },
        { _id: 'e', n: long(-4) },
      ]);
      expect(ids(await coll.find({}, { sort: { n: 1 } }).toArray())).toStrictEqual([
        'e',
        'b',
        'c',
        'd',
        'a',
      ]);
      expect(ids(await coll.aggregate([{ $sort: { n: -1 } }]).toArray())).toStrictEqual([
        'a',
        'd',
        'c',
        'b',
        'e',
      ]);
    });
  });

  describe('sort order', () => {
    // "Comparison/Sort Order": null, numbers, strings, objects, arrays, BinData, ObjectId,
    // booleans, Dates, Timestamps, regular expressions.
    test('a sort without an index follows the BSON type order', async () => {
      const values: [string, unknown][] = [
        ['regex', /abc/u],
        ['timestamp', new Timestamp({ t: 1, i: 1 })],
        ['date', new Date('2024-01-01T00:00:00Z')],
        ['bool', true],
        ['oid', new ObjectId('65f0a1b2c3d4e5f601234567')],
        ['bin', new Binary(Buffer.from([1, 2]))],
        ['object', { a: 1 }],
        ['string', 'abc'],
        ['long', long(2)],
        ['number', 1],
        ['null', null],
      ];
      const coll = await fresh(values.map(([name, v]) => ({ _id: name, v })));
      const expected = values.map(([name]) => name).reverse();
      expect(ids(await coll.find({}, { sort: { v: 1 } }).toArray())).toStrictEqual(expected);
      expect(ids(await coll.aggregate([{ $sort: { v: -1 } }]).toArray())).toStrictEqual(
        [...expected].reverse(),
      );
    });

    // "an ascending sort compares the smallest elements of the arrays, and … a descending
    // sort compares the largest elements"; "an empty array … is less than null or a missing
    // field".
    test('an array field sorts by its smallest element ascending and its largest descending', async () => {
      const coll = await fresh([
        { _id: 'a', v: [1, 9] },
        { _id: 'b', v: [4, 5] },
        { _id: 'c', v: 6 },
        { _id: 'd', v: [] },
        { _id: 'e', v: null },
      ]);
      expect(ids(await coll.find({}, { sort: { v: 1 } }).toArray())).toStrictEqual([
        'd',
        'e',
        'a',
        'b',
        'c',
      ]);
      expect(ids(await coll.find({}, { sort: { v: -1 } }).toArray())).toStrictEqual([
        'a',
        'c',
        'b',
        'e',
        'd',
      ]);
    });
  });

  describe('write path', () => {
    // An ordered bulk write stops at the first error; the writes before it stay
    // (MongoBulkWriteError: the failed operation's index, the counts so far).
    test('an ordered bulkWrite keeps the writes before a failure and reports them', async () => {
      const coll = await fresh([{ _id: 'taken' }]);
      const err = await rejection(
        coll.bulkWrite([
          { insertOne: { document: { _id: 'a' } } },
          { updateOne: { filter: { _id: 'taken' }, update: { $set: { seen: true } } } },
          { insertOne: { document: { _id: 'taken' } } },
          { insertOne: { document: { _id: 'b' } } },
        ]),
      );
      expect(err).toBeInstanceOf(BulkWriteError);
      expect(err).toMatchObject({
        code: 'E_DUPLICATE_KEY',
        index: 2,
        result: { insertedCount: 1, matchedCount: 1, modifiedCount: 1 },
      });
      expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 'a' },
        { _id: 'taken', seen: true },
      ]);
    });

    // "The positional $ operator identifies an element in an array to update without
    // explicitly specifying the position"; $[] all elements; $[<identifier>] with arrayFilters.
    test('positional $, $[] and $[identifier] with arrayFilters', async () => {
      const coll = await fresh([
        { _id: 1, grades: [85, 80, 80] },
        { _id: 2, grades: [88, 90, 92] },
      ]);
      await coll.updateOne({ _id: 1, grades: 80 }, { $set: { 'grades.$': 82 } });
      await coll.updateMany(
        {},
        { $set: { 'grades.$[big]': 100 } },
        { arrayFilters: [{ big: { $gte: 90 } }] },
      );
      await coll.updateOne({ _id: 1 }, { $inc: { 'grades.$[]': 1 } });
      expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, grades: [86, 83, 81] },
        { _id: 2, grades: [88, 100, 100] },
      ]);
    });

    // "Updates with Aggregation Pipeline": the stages see the document being updated.
    test('an update given as a pipeline', async () => {
      const coll = await fresh([{ _id: 1, a: 2, b: 3, tmp: true }]);
      const result = await coll.updateOne({ _id: 1 }, [
        { $set: { total: { $add: ['$a', '$b'] } } },
        { $unset: 'tmp' },
      ]);
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await coll.findOne({ _id: 1 })).toStrictEqual({ _id: 1, a: 2, b: 3, total: 5 });
    });

    // "The _id field may contain values of any BSON data type, other than an array, regex,
    // or undefined"; "_id fields may not contain '$'-prefixed fields".
    test('an _id that MongoDB refuses is refused', async () => {
      const coll = await fresh();
      expect(await rejection(coll.insertOne({ _id: { $x: 1 } }))).toBeInstanceOf(StoreError);
      expect(await rejection(coll.insertOne({ _id: [1, 2] }))).toBeInstanceOf(StoreError);
      expect(await rejection(coll.insertOne({ _id: /x/u }))).toBeInstanceOf(StoreError);
      await coll.insertOne({ _id: { a: 1, b: 'x' } });
      expect(await coll.countDocuments()).toBe(1);
    });

    // Embedded documents are equal only when their fields are in the same order.
    test('embedded-document equality compares field order', async () => {
      const coll = await fresh([
        { _id: 1, v: { a: 1, b: 2 } },
        { _id: 2, v: { b: 2, a: 1 } },
      ]);
      expect(ids(await coll.find({ v: { a: 1, b: 2 } }).toArray())).toStrictEqual([1]);
      expect(await coll.countDocuments({ v: { $in: [{ b: 2, a: 1 }] } })).toBe(1);
      const groups = await coll
        .aggregate([{ $group: { _id: '$v', n: { $sum: 1 } } }, { $sort: { n: 1 } }])
        .toArray();
      expect(groups).toHaveLength(2);
    });
  });

  describe('driver-shaped methods', () => {
    test('updateOne, updateMany, replaceOne and their upserts', async () => {
      const coll = await fresh([
        { _id: 1, k: 'a', n: 1 },
        { _id: 2, k: 'a', n: 2 },
        { _id: 3, k: 'b', n: 3 },
      ]);
      expect(await coll.updateOne({ k: 'a' }, { $set: { seen: true } })).toStrictEqual({
        matchedCount: 1,
        modifiedCount: 1,
        upsertedCount: 0,
        upsertedId: null,
      });
      expect(await coll.updateMany({ k: 'a' }, { $inc: { n: 10 } })).toStrictEqual({
        matchedCount: 2,
        modifiedCount: 2,
        upsertedCount: 0,
        upsertedId: null,
      });
      const upsert = await coll.updateOne({ _id: 4 }, { $set: { k: 'c' } }, { upsert: true });
      expect(upsert).toStrictEqual({
        matchedCount: 0,
        modifiedCount: 0,
        upsertedCount: 1,
        upsertedId: 4,
      });
      expect(await coll.replaceOne({ _id: 3 }, { k: 'z' })).toStrictEqual({
        matchedCount: 1,
        modifiedCount: 1,
        upsertedCount: 0,
        upsertedId: null,
      });
      const replaced = await coll.replaceOne({ k: 'none' }, { k: 'new' }, { upsert: true });
      expect(replaced.upsertedId).toBeInstanceOf(ObjectId);
      expect(await coll.find({ _id: { $lte: 4 } }, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, k: 'a', n: 11, seen: true },
        { _id: 2, k: 'a', n: 12 },
        { _id: 3, k: 'z' },
        { _id: 4, k: 'c' },
      ]);
      expect(await coll.updateOne({ _id: 99 }, { $set: { x: 1 } })).toStrictEqual({
        matchedCount: 0,
        modifiedCount: 0,
        upsertedCount: 0,
        upsertedId: null,
      });
    });

    test('deleteOne deletes one match, estimatedDocumentCount counts them all', async () => {
      const coll = await fresh([
        { _id: 1, k: 'a' },
        { _id: 2, k: 'a' },
        { _id: 3, k: 'b' },
      ]);
      expect(await coll.estimatedDocumentCount()).toBe(3);
      expect(await coll.deleteOne({ k: 'a' })).toStrictEqual({ deletedCount: 1 });
      expect(await coll.deleteOne({ k: 'none' })).toStrictEqual({ deletedCount: 0 });
      expect(await coll.countDocuments({ k: 'a' })).toBe(1);
      expect(await coll.estimatedDocumentCount()).toBe(2);
      expect(await freshDb().collection('never').estimatedDocumentCount()).toBe(0);
    });

    // findOneAndUpdate returns the document before the update unless returnDocument is
    // "after"; with a sort, the first in that order.
    test('findOneAndUpdate, findOneAndReplace and findOneAndDelete', async () => {
      const coll = await fresh([
        { _id: 1, q: 'job', pri: 2 },
        { _id: 2, q: 'job', pri: 9 },
        { _id: 3, q: 'job', pri: 5 },
      ]);
      const before = await coll.findOneAndUpdate(
        { q: 'job' },
        { $set: { taken: true } },
        { sort: { pri: -1 } },
      );
      expect(before).toStrictEqual({ _id: 2, q: 'job', pri: 9 });
      const after = await coll.findOneAndUpdate(
        { q: 'job', taken: { $exists: false } },
        { $set: { taken: true } },
        { sort: { pri: -1 }, returnDocument: 'after', projection: { pri: 1 } },
      );
      expect(after).toStrictEqual({ _id: 3, pri: 5 });
      const upserted = await coll.findOneAndUpdate(
        { _id: 4 },
        { $set: { q: 'new' } },
        { upsert: true, returnDocument: 'after' },
      );
      expect(upserted).toStrictEqual({ _id: 4, q: 'new' });
      const replacedBefore = await coll.findOneAndReplace({ _id: 1 }, { q: 'done' });
      expect(replacedBefore).toStrictEqual({ _id: 1, q: 'job', pri: 2 });
      const deleted = await coll.findOneAndDelete({ q: 'job' }, { sort: { pri: 1 } });
      expect(deleted).toStrictEqual({ _id: 3, q: 'job', pri: 5, taken: true });
      expect(await coll.findOneAndDelete({ q: 'none' })).toBeNull();
      expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toStrictEqual([
        { _id: 1, q: 'done' },
        { _id: 2, q: 'job', pri: 9, taken: true },
        { _id: 4, q: 'new' },
      ]);
    });

    // "Schema Validation": a document that does not match the validator is refused, on
    // insert and on update (validationLevel strict, validationAction error: the defaults).
    test('createCollection with a validator refuses documents that do not match it', async () => {
      const db = freshDb();
      const coll = await db.createCollection('scores', {
        validator: { score: { $gte: 0 }, name: { $type: 'string' } },
      });
      await coll.insertOne({ _id: 1, name: 'ann', score: 5 });
      const inserted = await rejection(coll.insertOne({ _id: 2, name: 'bob', score: -1 }));
      expect(inserted).toMatchObject({ code: 'E_STORE' });
      expect((inserted as StoreError).message).toMatch(/failed validation/iu);
      const updated = await rejection(coll.updateOne({ _id: 1 }, { $set: { score: -5 } }));
      expect((updated as StoreError).message).toMatch(/failed validation/iu);
      expect(await coll.find().toArray()).toStrictEqual([{ _id: 1, name: 'ann', score: 5 }]);
      // The validator outlives the handle: another handle of the collection checks it too.
      const again = await rejection(db.collection('scores').insertMany([{ name: 7, score: 1 }]));
      expect((again as StoreError).message).toMatch(/failed validation/iu);
    });

    test('createCollection makes an empty collection and refuses an existing one', async () => {
      const db = freshDb();
      const coll = await db.createCollection('made');
      expect(coll.name).toBe('made');
      expect((await db.listCollections()).map((info) => info.name)).toStrictEqual(['made']);
      expect(await coll.countDocuments()).toBe(0);
      expect(await rejection(db.createCollection('made'))).toBeInstanceOf(StoreError);
    });
  });
});

describe('the embedded engine refuses what it cannot run', () => {
  const embedded = engines[0];
  let store: Store;
  beforeAll(async () => {
    store = await (embedded as NonNullable<typeof embedded>).open();
  });
  afterAll(async () => {
    await embedded?.cleanup(store);
  });

  it.each([
    ['an unknown stage', [{ $frobnicate: {} }], '$frobnicate'],
    [
      'a stage it does not run as MongoDB does',
      [{ $setWindowFields: { output: {} } }],
      '$setWindowFields',
    ],
    ['an unknown expression operator', [{ $project: { x: { $frobnicate: 1 } } }], '$frobnicate'],
    ['an unknown accumulator', [{ $group: { _id: null, x: { $median2: '$a' } } }], '$median2'],
    ['an unknown query operator in $match', [{ $match: { a: { $near2: 1 } } }], '$near2'],
  ])('%s: E_UNSUPPORTED naming it', async (_what, pipeline, name) => {
    const coll = store.db(`${RUN_PREFIX}_refuse`).collection('c');
    await coll.insertOne({ a: 1 });
    const err = await rejection(coll.aggregate(pipeline).toArray());
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('E_UNSUPPORTED');
    expect((err as StoreError).message).toContain(name);
  });

  it('refuses createCollection options it does not implement, naming them', async () => {
    const db = store.db(`${RUN_PREFIX}_refuse`);
    for (const [options, name] of [
      [{ capped: true, size: 4096 }, 'capped'],
      [{ validator: { $jsonSchema: { required: ['a'] } } }, '$jsonSchema'],
      [{ validator: { a: 1 }, validationLevel: 'moderate' }, 'moderate'],
    ] as const) {
      const err = await rejection(db.createCollection('opts', options));
      expect(err).toMatchObject({ code: 'E_UNSUPPORTED' });
      expect((err as StoreError).message).toContain(name);
    }
    expect((await db.listCollections()).map((info) => info.name)).not.toContain('opts');
  });

  it('refuses unknown operators in filters and updates with E_UNSUPPORTED', async () => {
    const coll = store.db(`${RUN_PREFIX}_refuse`).collection('d');
    await coll.insertOne({ _id: 1, a: 1 });
    for (const promise of [
      coll.find({ a: { $frobnicate: 1 } }).toArray(),
      coll.countDocuments({ $frobnicate: [] }),
      coll.updateOne({ _id: 1 }, { $frobnicate: { a: 1 } }),
      coll.updateOne({ _id: 1 }, [{ $group: { _id: null } }]),
    ]) {
      const err = await rejection(promise);
      expect(err).toMatchObject({ code: 'E_UNSUPPORTED' });
    }
    expect(await coll.findOne({ _id: 1 })).toStrictEqual({ _id: 1, a: 1 });
  });
});

it('names only existing tests in its known-gap lists', () => {
  const named = [
    ...Object.keys(FERRETDB_KNOWN_GAPS),
    ...Object.keys(EMBEDDED_KNOWN_GAPS),
    ...Object.keys(BUCKETED_NOT_QUERY_TESTS),
  ];
  expect(named.filter((name) => !registeredTests.has(name))).toStrictEqual([]);
});
