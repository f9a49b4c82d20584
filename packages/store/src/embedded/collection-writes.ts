/**
 * The inserts of an embedded collection (large unordered batches on the writer thread,
 * bulk-writer.ts), each batch in one transaction, and the row-level writes that updates,
 * deletes and the output stages build on.
 */
import { StoreError, UsageError } from '@edx-data/core';
import { insertIntoBuckets, refuseOnBuckets } from './bucket-writes.js';
import { decodeDocument, encodeDocument, idKey, isPlainObject, pathKey, withId } from './codec.js';
import { CollectionHandle } from './collection-handle.js';
import type { KeyColumn } from './query-plan.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { validatorOf } from './matcher.js';
import { batchSizeOf, MAX_REPORTED_DUPLICATES } from './insert-options.js';
import { checkId } from './update-rules.js';
import type { Document, DuplicateKey, InsertManyOptions, InsertManyResult } from '../types.js';

/** Row-level writes of one collection inside a write transaction. */
export interface RowWriter {
  readonly meta: CollectionMeta;
  /** Insert a document (its `_id` checked); false when its `_id` or a unique key exists. */
  insert(doc: Document): boolean;
  /** Replace the document of a row; false when it now repeats a unique key. */
  replace(rowid: number, doc: Document): boolean;
  /** Delete a row; how many were deleted (0 or 1). */
  remove(rowid: number): number;
  /** Delete every document (the collection and its indexes stay). */
  clear(): void;
  /** The duplicate-key error for the document of this `_id`. */
  duplicate(id: unknown): StoreError;
}

/** A document ready for its row: `_id` key, BSON bytes and the key of each indexed path. */
interface EncodedDocument {
  readonly id: unknown;
  readonly idKey: string;
  readonly bytes: Buffer;
  keys: (string | null)[];
}

/** The indexed paths of a collection, in column order. */
interface KeyLayout {
  readonly signature: string;
  readonly paths: readonly { readonly segments: readonly string[]; readonly key: KeyColumn }[];
}

interface Inserter {
  readonly meta: CollectionMeta;
  readonly layout: KeyLayout;
  /** Insert one encoded document; false when its `_id` or a unique key already exists. */
  readonly insert: (doc: EncodedDocument) => boolean;
}

function keyLayout(meta: CollectionMeta | undefined): KeyLayout {
  if (!meta) return { signature: '', paths: [] };
  const paths = [...meta.columns.entries()].map(([path, key]) => ({
    segments: path.split('.'),
    key,
  }));
  return { signature: paths.map((p) => p.key.column).join(','), paths };
}

function encode(input: Document, layout: KeyLayout): EncodedDocument {
  const doc = withId(input);
  const id = doc['_id'];
  checkId(id);
  return {
    id,
    idKey: idKey(id),
    bytes: encodeDocument(doc),
    keys: layout.paths.map(({ segments }) => pathKey(doc, segments)),
  };
}

/** Unordered batches of at least this many documents are written by the writer thread. */
const BACKGROUND_MIN_BATCH = 500;
/** A batch is also written once its documents reach this many BSON bytes. */
const MAX_BATCH_BYTES = 16 * 2 ** 20;

/** Compute the index keys of encoded documents again, for another key layout. */
function rekey(docs: EncodedDocument[], layout: KeyLayout): void {
  for (const doc of docs) {
    const stored = decodeDocument(doc.bytes);
    doc.keys = layout.paths.map(({ segments }) => pathKey(stored, segments));
  }
}

function describeId(id: unknown): string {
  if (typeof id === 'string') return JSON.stringify(id);
  if (id instanceof Date) return id.toISOString();
  return String(id);
}

export class CollectionWrites<T extends Document = Document> extends CollectionHandle {
  private inserter: Inserter | undefined;

  /** Forget the prepared insert statement (the collection was dropped or renamed). */
  forgetInserter(): void {
    this.inserter = undefined;
  }

  private getInserter(file: SqliteFile, meta: CollectionMeta): Inserter {
    const layout = keyLayout(meta);
    const cached = this.inserter;
    if (cached?.meta === meta && cached.layout.signature === layout.signature) return cached;
    const placeholders = ['?', '?', ...layout.paths.map(() => '?')].join(', ');
    const columns = ['id', 'doc', ...layout.paths.map(({ key }) => `"${key.column}"`)].join(', ');
    const statement = file.writer.prepare(
      `INSERT INTO "${meta.table}" (${columns}) VALUES (${placeholders}) ON CONFLICT DO NOTHING`,
    );
    const insert = (doc: EncodedDocument): boolean => {
      for (let i = 0; i < doc.keys.length; i++) {
        if (doc.keys[i] === null)
          file.markHasNull(meta, (layout.paths[i] as KeyLayout['paths'][number]).key);
      }
      return statement.run(doc.idKey, doc.bytes, ...doc.keys).changes === 1;
    };
    this.inserter = { meta, layout, insert };
    return this.inserter;
  }

  /** Insert a plain document inside a write transaction. */
  private insertDocument(file: SqliteFile, meta: CollectionMeta, doc: Document): boolean {
    const inserter = this.getInserter(file, meta);
    return inserter.insert(encode(doc, inserter.layout));
  }

  private keyParams(
    meta: CollectionMeta,
    file: SqliteFile,
    doc: Document,
  ): { sets: string; params: unknown[] } {
    const sets: string[] = ['id = ?', 'doc = ?'];
    const params: unknown[] = [idKey(doc['_id']), encodeDocument(doc)];
    for (const [path, key] of meta.columns) {
      const k = pathKey(doc, path.split('.'));
      if (k === null) file.markHasNull(meta, key);
      sets.push(`"${key.column}" = ?`);
      params.push(k);
    }
    return { sets: sets.join(', '), params };
  }

  /** Replace the stored document of a row; false when it now collides with a unique key. */
  private rewrite(file: SqliteFile, meta: CollectionMeta, rowid: number, doc: Document): boolean {
    const { sets, params } = this.keyParams(meta, file, doc);
    try {
      file.writer
        .prepare(`UPDATE "${meta.table}" SET ${sets} WHERE rowid = ?`)
        .run(...params, rowid);
      return true;
    } catch (error) {
      if (
        (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' ||
        (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
      )
        return false;
      throw error;
    }
  }

  /** A duplicate key error for the document of `_id` `id`, saying which key it repeats. */
  private duplicateError(
    file: SqliteFile,
    meta: CollectionMeta,
    id: unknown,
    position?: { index: number; inserted: number },
  ): StoreError {
    const byId =
      file.writer.prepare(`SELECT 1 FROM "${meta.table}" WHERE id = ?`).get(idKey(id)) !==
      undefined;
    const what = byId
      ? `_id ${describeId(id)} already exists`
      : `document with _id ${describeId(id)} repeats a unique index key`;
    const where =
      position === undefined
        ? ''
        : ` (document ${position.index} of the input; ${position.inserted} inserted before it)`;
    return new StoreError('E_DUPLICATE_KEY', `duplicate key in ${this.namespace}: ${what}${where}`);
  }

  async insertOne(doc: T): Promise<{ readonly insertedId: unknown }> {
    await this.insertMany([doc], { ordered: true });
    return { insertedId: doc['_id'] };
  }

  async insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options: InsertManyOptions = {},
  ): Promise<InsertManyResult> {
    const found = this.existing();
    if (found?.meta.timeseries) {
      return insertIntoBuckets(
        found.file,
        { ...found.meta, timeseries: found.meta.timeseries },
        this.namespace,
        docs,
        options,
        validatorOf(found.meta),
      ).catch((error: unknown) => {
        throw this.wrap('insert into')(error);
      });
    }
    const ordered = options.ordered ?? true;
    const batchSize = batchSizeOf(options);
    let insertedCount = 0;
    let duplicateCount = 0;
    const duplicates: DuplicateKey[] = [];
    let position = 0;
    // Documents are encoded as they arrive, so a batch holds bytes, not live objects.
    const existing = this.existing()?.meta;
    let layout = keyLayout(existing);
    const validate = validatorOf(existing);
    let batch: EncodedDocument[] = [];
    let batchBytes = 0;

    const report = (index: number, id: unknown): void => {
      duplicateCount++;
      const duplicate: DuplicateKey = { index, id };
      if (duplicates.length < MAX_REPORTED_DUPLICATES) duplicates.push(duplicate);
      options.onDuplicate?.(duplicate);
    };

    const flush = (): void => {
      if (batch.length === 0) return;
      const first = position - batch.length;
      const current = batch;
      batch = [];
      batchBytes = 0;
      const file = this.writable();
      let failure: StoreError | undefined;
      try {
        file.transaction(() => {
          const meta = file.createCollection(this.name);
          const inserter = this.getInserter(file, meta);
          if (inserter.layout.signature !== layout.signature) {
            // An index was created while this batch was being read: key it again.
            layout = inserter.layout;
            rekey(current, layout);
          }
          for (let i = 0; i < current.length; i++) {
            const doc = current[i] as EncodedDocument;
            if (inserter.insert(doc)) {
              insertedCount++;
              continue;
            }
            if (ordered) {
              failure = this.duplicateError(file, meta, doc.id, {
                index: first + i,
                inserted: insertedCount,
              });
              return;
            }
            report(first + i, doc.id);
          }
        });
      } catch (error) {
        throw this.wrap('insert into')(error);
      }
      if (failure) throw failure;
    };

    // Large unordered batches go to the database's writer thread; while it writes one batch,
    // this thread encodes the next (at most two batches in flight).
    const inFlight: Promise<void>[] = [];
    const flushInBackground = async (): Promise<void> => {
      const first = position - batch.length;
      const current = batch;
      batch = [];
      batchBytes = 0;
      const written = this.writeInBackground(current, layout).then((result) => {
        layout = result.layout;
        insertedCount += result.inserted;
        for (const i of result.refused) report(first + i, (current[i] as EncodedDocument).id);
      });
      inFlight.push(written);
      // Keep the rejection handled until it is awaited below.
      written.catch(() => undefined);
      if (inFlight.length >= 2) await inFlight.shift();
    };

    const background = !ordered;
    try {
      for await (const doc of docs) {
        let encoded: EncodedDocument;
        try {
          if (!isPlainObject(doc)) {
            throw new UsageError(
              'E_USAGE',
              `insertMany into ${this.namespace}: document ${position} is not an object`,
            );
          }
          validate?.(doc);
          encoded = encode(doc, layout);
        } catch (error) {
          // The documents before a refused one are written, as MongoDB writes them.
          await Promise.all(inFlight.splice(0));
          flush();
          throw error;
        }
        batch.push(encoded);
        batchBytes += encoded.bytes.length;
        position++;
        if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
          if (background && batch.length >= BACKGROUND_MIN_BATCH) await flushInBackground();
          else {
            // Batches are written in input order: the earlier ones first.
            await Promise.all(inFlight.splice(0));
            flush();
          }
        }
      }
      if (background && batch.length >= BACKGROUND_MIN_BATCH) await flushInBackground();
      else {
        await Promise.all(inFlight.splice(0));
        flush();
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
    await Promise.all(inFlight);
    return { insertedCount, duplicateCount, duplicates };
  }

  /**
   * Write a batch in one transaction of the writer thread. Returns how many rows were
   * inserted, the positions (in `current`) of those refused as duplicates, and the key
   * layout used (the batch is keyed again, and sent again, when an index appeared).
   */
  private async writeInBackground(
    current: EncodedDocument[],
    startLayout: KeyLayout,
  ): Promise<{ inserted: number; refused: number[]; layout: KeyLayout }> {
    let layout = startLayout;
    for (let attempt = 0; ; attempt++) {
      const file = this.writable();
      let meta = file.collection(this.name);
      if (!meta) meta = file.transaction(() => file.createCollection(this.name));
      const latest = keyLayout(meta);
      if (latest.signature !== layout.signature) {
        layout = latest;
        rekey(current, layout);
      }
      const total = current.reduce((sum, doc) => sum + doc.bytes.length, 0);
      // Its own memory (not Node's shared pool), so that it can be transferred.
      const bytes = new Uint8Array(new ArrayBuffer(total));
      const offsets = new Uint32Array(current.length + 1);
      const width = layout.paths.length;
      const keys: (string | null)[] = new Array<string | null>(current.length * width);
      const nullColumns = new Set<string>();
      let offset = 0;
      for (let i = 0; i < current.length; i++) {
        const doc = current[i] as EncodedDocument;
        bytes.set(doc.bytes, offset);
        offsets[i] = offset;
        offset += doc.bytes.length;
        for (let j = 0; j < width; j++) {
          const key = doc.keys[j] ?? null;
          keys[i * width + j] = key;
          const column = (layout.paths[j] as KeyLayout['paths'][number]).key;
          if (key === null && !column.hasNull) nullColumns.add(column.column);
        }
      }
      offsets[current.length] = offset;
      const outcome = await file
        .bulk()
        .insert({
          table: meta.table,
          columns: layout.paths.map(({ key }) => key.column),
          ids: current.map((doc) => doc.idKey),
          bytes,
          offsets,
          keys,
          nullColumns: [...nullColumns],
        })
        .catch((error: unknown) => {
          throw this.wrap('insert into')(error);
        });
      if (outcome.kind === 'done') {
        const refused: number[] = [];
        let inserted = 0;
        for (let i = 0; i < current.length; i++) {
          if (outcome.inserted[i] === 1) inserted++;
          else refused.push(i);
        }
        return { inserted, refused, layout };
      }
      if (attempt >= 3) {
        throw new StoreError('E_STORE', `the indexes of ${this.namespace} keep changing`);
      }
    }
  }

  /**
   * The row-level writes of this collection inside a write transaction (of `file`), for
   * bulkWrite, updates and the output stages: each checks the `_id` as MongoDB does.
   */
  rowWriter(file: SqliteFile, meta: CollectionMeta): RowWriter {
    if (meta.timeseries) {
      const refuse = (): never => {
        throw refuseOnBuckets(this.namespace, 'a row write');
      };
      return {
        meta,
        insert: refuse,
        replace: refuse,
        remove: refuse,
        clear: refuse,
        duplicate: refuse,
      };
    }
    return {
      meta,
      insert: (doc) => {
        checkId(doc['_id']);
        validatorOf(meta)?.(doc);
        return this.insertDocument(file, meta, doc);
      },
      replace: (rowid, doc) => {
        checkId(doc['_id']);
        validatorOf(meta)?.(doc);
        return this.rewrite(file, meta, rowid, doc);
      },
      remove: (rowid) =>
        file.writer.prepare(`DELETE FROM "${meta.table}" WHERE rowid = ?`).run(rowid).changes,
      clear: () => {
        file.writer.prepare(`DELETE FROM "${meta.table}"`).run();
      },
      duplicate: (id) => this.duplicateError(file, meta, id),
    };
  }

  /**
   * Run `write` in one write transaction of the collection (created when missing, unless
   * `create` is false: then `write` is not run and undefined returned).
   */
  inTransaction<R>(write: (rows: RowWriter, file: SqliteFile) => R, create = true): R | undefined {
    const file = create ? this.writable() : this.existing()?.file;
    if (!file) return undefined;
    return file.transaction(() => {
      const meta = create ? file.createCollection(this.name) : file.collection(this.name);
      return meta ? write(this.rowWriter(file, meta), file) : undefined;
    });
  }
}
