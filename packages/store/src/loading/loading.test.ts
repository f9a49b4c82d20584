/**
 * The safe-replace helper and the rejected-record writer, on every engine the conformance
 * suite runs on (embedded always; MongoDB/FerretDB when MONGODB_URI is set).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '@edx-data/core';
import { mongoTestUri } from '@edx-data/test-support';
import type { ConformanceEngine } from '../test-support/conformance-engines.js';
import {
  detectFerretDb,
  embeddedEngine,
  mongoEngine,
  RUN_PREFIX,
} from '../test-support/conformance-engines.js';
import type { Database, Store } from '../types.js';
import { MAX_REJECTED_RAW_BYTES, RejectWriter, rejectedRecord } from './rejected-records.js';
import {
  isTemporaryCollection,
  removeLeftoverCollections,
  replaceCollections,
} from './replace-collections.js';

const engines: ConformanceEngine[] = [embeddedEngine()];
const uri = mongoTestUri();
if (uri !== undefined) engines.push(mongoEngine(uri, await detectFerretDb(uri)));

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function names(db: Database): Promise<string[]> {
  return (await db.listCollections()).map((c) => c.name).sort();
}

describe.each(engines)('loading helpers on the $label engine', (engine) => {
  let store: Store;
  let db: Database;
  let n = 0;
  const freshDb = (): Database => {
    n += 1;
    return store.db(`${RUN_PREFIX}_load_${String(n)}`);
  };

  beforeAll(async () => {
    store = await engine.open();
  });
  afterAll(async () => {
    await engine.cleanup(store);
  });

  describe(replaceCollections, () => {
    it('fills temporary collections, indexes them and swaps them in', async () => {
      db = freshDb();
      await db.collection('forum').insertMany([
        { _id: 1, old: true },
        { _id: 2, old: true },
      ]);
      const result = await replaceCollections(
        db,
        ['forum', 'forum_posts'],
        async (tmp) => {
          expect(isTemporaryCollection(tmp.forum.name)).toBe(true);
          expect(tmp.forum.name).toMatch(/^__tmp_forum__\d+_[0-9a-f]{8}$/);
          await tmp.forum.insertMany([{ _id: 10, author: 'a' }]);
          await tmp.forum_posts.insertMany([{ _id: 20 }, { _id: 21 }, { _id: 22 }]);
          // the old collection is untouched while the new one fills
          expect(await db.collection('forum').countDocuments()).toBe(2);
          return 'filled';
        },
        { indexes: { forum: [{ author: 1 }] } },
      );
      expect(result.value).toBe('filled');
      expect(result.droppedBeforeRename).toBe(engine.ferretdb);
      expect(await db.collection('forum').find({}).toArray()).toEqual([{ _id: 10, author: 'a' }]);
      expect(await db.collection('forum_posts').countDocuments()).toBe(3);
      expect((await db.collection('forum').listIndexes()).map((i) => i.key)).toContainEqual({
        author: 1,
      });
      expect(await names(db)).toEqual(['forum', 'forum_posts']);
    });

    it('leaves the old collections as they were when filling fails', async () => {
      db = freshDb();
      await db.collection('user').insertMany([{ _id: 1 }, { _id: 2 }]);
      await expect(
        replaceCollections(db, ['user'], async (tmp) => {
          await tmp.user.insertMany([{ _id: 3 }]);
          throw new Error('the file was cut short');
        }),
      ).rejects.toThrow('the file was cut short');
      expect(
        await db
          .collection('user')
          .find({}, { sort: { _id: 1 } })
          .toArray(),
      ).toEqual([{ _id: 1 }, { _id: 2 }]);
      expect(await names(db)).toEqual(['user']);
    });

    it('leaves the old collections as they were when beforeSwap refuses', async () => {
      db = freshDb();
      await db.collection('user').insertMany([{ _id: 1 }, { _id: 2 }]);
      await expect(
        replaceCollections(
          db,
          ['user'],
          async (tmp) => {
            await tmp.user.insertMany([{ _id: 3 }]);
          },
          {
            beforeSwap: async (tmp) => {
              expect(await tmp.user.countDocuments()).toBe(1);
              throw new StoreError('E_STORE', 'refused');
            },
          },
        ),
      ).rejects.toThrow('refused');
      expect(await db.collection('user').countDocuments()).toBe(2);
      expect(await names(db)).toEqual(['user']);
    });

    it('empties a target whose new content is empty', async () => {
      db = freshDb();
      await db.collection('teams').insertMany([{ _id: 1 }]);
      const result = await replaceCollections(db, ['teams'], () => Promise.resolve(0));
      expect(result.value).toBe(0);
      expect(await db.collection('teams').countDocuments()).toBe(0);
      expect(await names(db)).toEqual([]);
    });

    it('swaps in an empty collection with its indexes when indexes were asked for', async () => {
      db = freshDb();
      await db.collection('forum').insertMany([{ _id: 1 }]);
      await replaceCollections(db, ['forum'], () => Promise.resolve(), {
        indexes: { forum: [{ author_id: 1 }] },
      });
      expect(await db.collection('forum').countDocuments()).toBe(0);
      expect(await names(db)).toEqual(['forum']);
      expect((await db.collection('forum').listIndexes()).map((i) => i.key)).toContainEqual({
        author_id: 1,
      });
    });

    it('removes what a crashed load left, and only that', async () => {
      db = freshDb();
      const dead = `__tmp_forum__${String(deadPid())}_deadbeef`;
      const alive = `__tmp_forum__${String(process.ppid)}_0badcafe`;
      const other = `__tmp_user__${String(deadPid())}_00c0ffee`;
      for (const name of [dead, alive, other]) await db.collection(name).insertOne({ _id: 1 });
      await replaceCollections(db, ['forum'], async (tmp) => {
        await tmp.forum.insertOne({ _id: 1 });
      });
      expect(await names(db)).toEqual([alive, other, 'forum'].sort());
      expect(await removeLeftoverCollections(db)).toEqual([other]);
      expect(await names(db)).toEqual([alive, 'forum'].sort());
    });
  });

  describe(RejectWriter, () => {
    it('writes every reject in the one shape, in batches, counted by code', async () => {
      db = freshDb();
      const rejects = db.collection('import_rejected');
      const writer = new RejectWriter(rejects, { batchSize: 2, extra: { table: 'auth_user' } });
      writer.add({
        file: 'a.sql',
        line: 3,
        code: 'field-count',
        reason: 'two fields',
        raw: 'x\ty',
      });
      writer.add({
        file: 'a.sql',
        line: 4,
        column: 'id',
        code: 'bad-int',
        reason: 'not an int',
        raw: 'q',
      });
      expect(writer.full).toBe(true);
      await writer.flush();
      writer.add({ file: 'a.sql', line: 9, code: 'field-count', reason: 'one field', raw: 'z' });
      await writer.flush();
      await writer.flush(); // nothing left: no write
      expect(writer.count).toBe(3);
      expect(writer.written).toBe(3);
      expect(writer.byCode).toEqual({ 'field-count': 2, 'bad-int': 1 });
      const stored = await rejects
        .find({}, { sort: { line: 1 }, projection: { _id: 0 } })
        .toArray();
      expect(stored).toEqual([
        {
          table: 'auth_user',
          file: 'a.sql',
          line: 3,
          code: 'field-count',
          reason: 'two fields',
          raw: 'x\ty',
          raw_truncated: false,
          raw_bytes: 3,
        },
        {
          table: 'auth_user',
          file: 'a.sql',
          line: 4,
          column: 'id',
          code: 'bad-int',
          reason: 'not an int',
          raw: 'q',
          raw_truncated: false,
          raw_bytes: 1,
        },
        {
          table: 'auth_user',
          file: 'a.sql',
          line: 9,
          code: 'field-count',
          reason: 'one field',
          raw: 'z',
          raw_truncated: false,
          raw_bytes: 1,
        },
      ]);
    });

    it('replaces the earlier records of its scope on commit, and removes its own on discard', async () => {
      db = freshDb();
      const rejects = db.collection('import_rejected');
      const write = async (raw: string, file = 'a.sql'): Promise<RejectWriter> => {
        const writer = new RejectWriter(rejects, { scope: { file, table: 't' } });
        writer.add({ file, line: 1, code: 'c', reason: 'r', raw });
        await writer.flush();
        return writer;
      };
      await (await write('other file', 'b.sql')).commit();
      await (await write('first')).commit();
      const second = await write('second');
      // until the second run commits, both runs' records are there
      expect(await rejects.countDocuments({ file: 'a.sql' })).toBe(2);
      await second.commit();
      expect(
        await rejects.find({ file: 'a.sql' }, { projection: { _id: 0, raw: 1, run: 1 } }).toArray(),
      ).toEqual([{ raw: 'second', run: second.run }]);
      const failed = await write('third');
      await failed.discard();
      expect(
        (await rejects.find({}, { sort: { file: 1 } }).toArray()).map((r) => r['raw']),
      ).toEqual(['second', 'other file']);
    });

    it('stores a reject once when its id says a re-run saw it before', async () => {
      db = freshDb();
      const rejects = db.collection('tracking_rejected');
      const id = (r: { file: string; line: number | null }): string =>
        `${r.file}:${String(r.line)}`;
      for (let run = 0; run < 2; run += 1) {
        const writer = new RejectWriter(rejects, { id });
        writer.add({ file: 'f', line: 1, code: 'not-json', reason: 'x', raw: '{' });
        await writer.flush();
        expect(writer.written + writer.repeated).toBe(1);
        expect(writer.repeated).toBe(run);
      }
      expect(await rejects.countDocuments()).toBe(1);
    });
  });
});

describe(rejectedRecord, () => {
  it('cuts raw at 64 KiB of UTF-8 without splitting a character', () => {
    const raw = 'é'.repeat(MAX_REJECTED_RAW_BYTES); // 2 bytes each
    const record = rejectedRecord({ file: 'f', line: 1, code: 'c', reason: 'r', raw });
    expect(record.raw_truncated).toBe(true);
    expect(record.raw_bytes).toBe(2 * MAX_REJECTED_RAW_BYTES);
    expect(Buffer.byteLength(record.raw)).toBe(MAX_REJECTED_RAW_BYTES);
    expect(record.raw).toBe('é'.repeat(MAX_REJECTED_RAW_BYTES / 2));
    const odd = rejectedRecord({ file: 'f', line: 1, code: 'c', reason: 'r', raw: `a${raw}` });
    expect(Buffer.byteLength(odd.raw)).toBe(MAX_REJECTED_RAW_BYTES - 1);
    expect(odd.raw.endsWith('é')).toBe(true);
  });

  it('keeps short raw text whole', () => {
    const record = rejectedRecord({ file: 'f', line: null, code: 'c', reason: 'r', raw: '' });
    expect(record).toEqual({
      file: 'f',
      line: null,
      code: 'c',
      reason: 'r',
      raw: '',
      raw_truncated: false,
      raw_bytes: 0,
    });
  });
});
