/**
 * Large unordered inserts go through the writer thread (bulk-writer.ts): the same results as
 * the calling thread's own writes — counts, duplicates, index keys, null keys — when an index
 * appears mid-insert, and when the store closes under it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '@edx-data/core';
import { afterAll, describe, expect, it } from 'vitest';
import { workerExecArgv } from './bulk-writer.js';
import { EmbeddedCollection } from './embedded-collection.js';
import { openEmbeddedStore } from './embedded-store.js';
import type { Document, DuplicateKey } from '../types.js';

const dir = mkdtempSync(join(tmpdir(), 'edx-bulk-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('unordered insertMany on the writer thread', () => {
  it('inserts, refuses duplicates (in the input and already stored) and keys every row', async () => {
    const store = await openEmbeddedStore(join(dir, 'a'));
    const c = store.db('bulk').collection('docs');
    await c.createIndex({ k: 1 });
    await c.insertMany(
      Array.from({ length: 200 }, (_, i) => ({ _id: `d${String(i * 10)}`, k: -1 })),
      { ordered: false },
    );
    const docs: Document[] = [];
    for (let i = 0; i < 3000; i++) {
      // k: a number, null, or missing.
      const doc: Document = { _id: `d${String(i)}`, n: i };
      if (i % 7 === 0) doc['k'] = null;
      else if (i % 11 !== 0) doc['k'] = i % 50;
      docs.push(doc);
    }
    docs.push({ _id: 'd2999', n: -1 }, { _id: 'd2998', n: -1 }); // repeats of the input
    const refused: DuplicateKey[] = [];
    const result = await c.insertMany(docs, {
      ordered: false,
      batchSize: 1000,
      onDuplicate: (d) => refused.push(d),
    });
    expect(result.insertedCount).toBe(2800);
    expect(result.duplicateCount).toBe(202);
    expect(refused.map((d) => d.index)).toEqual([
      ...Array.from({ length: 200 }, (_, i) => i * 10),
      3000,
      3001,
    ]);
    expect(refused[0]?.id).toBe('d0');
    expect(await c.countDocuments()).toBe(3000);
    expect(await c.countDocuments({ k: -1 })).toBe(200);
    // Null and missing keys were recorded by the writer thread: both match `null`.
    const fresh = docs.slice(0, 3000).filter((_, i) => i % 10 !== 0 || i >= 2000);
    const expectedNull = fresh.filter((d) => d['k'] === null || d['k'] === undefined).length;
    expect(expectedNull).toBeGreaterThan(300);
    expect(await c.countDocuments({ k: null })).toBe(expectedNull);
    const expected7 = fresh.filter((d) => d['k'] === 7).length;
    expect(expected7).toBeGreaterThan(0);
    expect(await c.countDocuments({ k: 7 })).toBe(expected7);
    expect((await c.findOne({ _id: 'd2999' }))?.['n']).toBe(2999);
    await store.close();

    // Everything is on disk for the next process.
    const again = await openEmbeddedStore(join(dir, 'a'));
    expect(await again.db('bulk').collection('docs').countDocuments()).toBe(3000);
    await again.close();
  });

  it('keys again the rows of a batch written after an index was created mid-insert', async () => {
    const store = await openEmbeddedStore(join(dir, 'b'));
    const c = store.db('bulk').collection('docs');
    async function* documents(): AsyncGenerator<Document> {
      for (let i = 0; i < 3000; i++) {
        if (i === 1200) await c.createIndex({ g: 1 });
        yield { _id: i, g: i % 3, pad: 'x'.repeat(100) };
      }
    }
    const result = await c.insertMany(documents(), { ordered: false, batchSize: 1000 });
    expect(result.insertedCount).toBe(3000);
    for (const g of [0, 1, 2]) expect(await c.countDocuments({ g })).toBe(1000);
    if (!(c instanceof EmbeddedCollection)) throw new Error('not an embedded collection');
    expect(c.explain({ g: 1 }).plan.join('\n')).toMatch(/USING INDEX/u);
    await store.close();
  });

  it('fails with E_STORE_CLOSED when the store closes under it, keeping whole batches', async () => {
    const store = await openEmbeddedStore(join(dir, 'c'));
    const c = store.db('bulk').collection('docs');
    let closing: Promise<void> | undefined;
    function* documents(): Generator<Document> {
      for (let i = 0; i < 5000; i++) {
        if (i === 2500) closing = store.close();
        yield { _id: i };
      }
    }
    const error = await c.insertMany(documents(), { ordered: false, batchSize: 1000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('E_STORE_CLOSED');
    await closing;
    const again = await openEmbeddedStore(join(dir, 'c'));
    const count = await again.db('bulk').collection('docs').countDocuments();
    expect([2000]).toContain(count);
    await again.close();
  });
});

describe(workerExecArgv, () => {
  it('drops the flags of how the parent script is read, with their values, and keeps the rest', () => {
    expect(
      workerExecArgv([
        '--input-type=module',
        '-e',
        'console.log(1)',
        '--no-warnings',
        '--import',
        'tsx',
        '--experimental-loader=./loader.mjs',
        '--conditions',
        'development',
        '-r',
        'dotenv/config',
        '--experimental-default-type=module',
        '--enable-source-maps',
        '--print',
        '1 + 1',
      ]),
    ).toStrictEqual(['--no-warnings', '--conditions', 'development', '--enable-source-maps']);
    expect(workerExecArgv([])).toStrictEqual([]);
  });
});
