/**
 * Writes of a bucketed collection (buckets.ts): inserts encode each document's record on the
 * calling thread and hand batches to the writer thread, which claims the `_id`s, groups the
 * records into buckets, deflates and stores them in one transaction per batch; deletes rewrite
 * the buckets that held a deleted document.
 */
import { StoreError, UsageError } from '@edx-data/core';
import { decodeRecord, encodeRecord } from './bucket-codec.js';
import {
  BUCKET_DEFLATE_LEVEL,
  bucketPayload,
  candidateBuckets,
  idTable,
  metaKey,
  timeOf,
} from './buckets.js';
import type { TimeseriesSpec } from './buckets.js';
import { ObjectId } from 'bson';
import { idKey, isPlainObject } from './codec.js';
import { createMatcher } from './matcher.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { batchSizeOf, MAX_REPORTED_DUPLICATES } from './insert-options.js';
import { checkId } from './update-rules.js';
import type {
  Document,
  DuplicateKey,
  Filter,
  InsertManyOptions,
  InsertManyResult,
} from '../types.js';

/** A batch is also sent once its records reach this many bytes. */
const MAX_BATCH_BYTES = 16 * 2 ** 20;

/**
 * The records of a batch, as UTF-8 bytes in memory of their own (outside the JS heap, so that
 * a batch being filled costs the garbage collector nothing; transferred to the writer thread).
 */
class RecordBytes {
  /** The memory of `bytes` (what is transferred). */
  memory: ArrayBuffer;
  bytes: Buffer;
  readonly offsets: number[] = [0];
  length = 0;

  constructor(initialBytes: number) {
    this.memory = new ArrayBuffer(initialBytes);
    this.bytes = Buffer.from(this.memory);
  }

  add(record: string): void {
    // At most 3 bytes per UTF-16 unit.
    if (this.bytes.length - this.length < record.length * 3) {
      let size = this.bytes.length * 2;
      while (size - this.length < record.length * 3) size *= 2;
      const memory = new ArrayBuffer(size);
      const grown = Buffer.from(memory);
      this.bytes.copy(grown, 0, 0, this.length);
      this.memory = memory;
      this.bytes = grown;
    }
    this.length += this.bytes.write(record, this.length, 'utf8');
    this.offsets.push(this.length);
  }
}

interface Pending {
  readonly records: RecordBytes;
  readonly idKeys: RecordBytes;
  readonly times: number[];
  /** Per document, the index of its meta key in `metas` (a batch holds few). */
  readonly metaIndexes: number[];
  readonly metas: Map<string | null, number>;
  readonly ids: unknown[];
}

function emptyBatch(): Pending {
  return {
    records: new RecordBytes(1 << 20),
    idKeys: new RecordBytes(1 << 16),
    times: [],
    metaIndexes: [],
    metas: new Map(),
    ids: [],
  };
}

function describeId(id: unknown): string {
  return idKey(id).slice(1);
}

/**
 * `insertMany` into a bucketed collection. Unordered: up to two batches are written while the
 * next is encoded; a refused `_id` is reported (`onDuplicate`) and the others are written.
 * Ordered: batch after batch, stopping at the first refused `_id` (the documents before it are
 * written) with an `E_DUPLICATE_KEY` error.
 */
export async function insertIntoBuckets(
  file: SqliteFile,
  meta: CollectionMeta & { readonly timeseries: TimeseriesSpec },
  namespace: string,
  docs: Iterable<Document> | AsyncIterable<Document>,
  options: InsertManyOptions,
  validate: ((doc: Document) => void) | undefined,
): Promise<InsertManyResult> {
  const spec = meta.timeseries;
  const ordered = options.ordered ?? true;
  const batchSize = batchSizeOf(options);
  let insertedCount = 0;
  let duplicateCount = 0;
  const duplicates: DuplicateKey[] = [];
  let position = 0;
  let batch = emptyBatch();
  const inFlight: Promise<void>[] = [];
  let failure: Error | undefined;

  const send = (current: Pending, first: number): Promise<void> =>
    file
      .bulk()
      .insertBuckets({
        table: meta.table,
        idTable: idTable(meta.table),
        spanMs: spec.bucketSpanMs,
        maxCount: spec.bucketMaxCount,
        level: BUCKET_DEFLATE_LEVEL,
        ordered,
        bytes: current.records.memory,
        offsets: Uint32Array.from(current.records.offsets),
        times: Float64Array.from(current.times),
        metaKeys: [...current.metas.keys()],
        metaIndexes: Uint32Array.from(current.metaIndexes),
        idKeys: current.idKeys.memory,
        idOffsets: Uint32Array.from(current.idKeys.offsets),
      })
      .then((inserted) => {
        for (let i = 0; i < current.ids.length; i++) {
          if (inserted[i] === 1) {
            insertedCount++;
            continue;
          }
          const index = first + i;
          if (ordered) {
            failure ??= new StoreError(
              'E_DUPLICATE_KEY',
              `duplicate key in ${namespace}: _id ${describeId(current.ids[i])} already exists (document ${index} of the input; ${insertedCount} inserted before it)`,
            );
            return;
          }
          duplicateCount++;
          const duplicate: DuplicateKey = { index, id: current.ids[i] };
          if (duplicates.length < MAX_REPORTED_DUPLICATES) duplicates.push(duplicate);
          options.onDuplicate?.(duplicate);
        }
      });

  const flush = async (): Promise<void> => {
    if (batch.ids.length === 0) return;
    const current = batch;
    batch = emptyBatch();
    const written = send(current, position - current.ids.length);
    written.catch(() => undefined);
    inFlight.push(written);
    if (ordered || inFlight.length >= 2) await inFlight.shift();
    if (failure) throw failure;
  };

  try {
    for await (const input of docs) {
      let record: string;
      let doc: Document;
      let time: number;
      try {
        if (!isPlainObject(input)) {
          throw new UsageError(
            'E_USAGE',
            `insertMany into ${namespace}: document ${position} is not an object`,
          );
        }
        validate?.(input);
        doc = input;
        // As the driver does (no copy: the record writes `_id` first).
        if (doc['_id'] === undefined) doc['_id'] = new ObjectId();
        checkId(doc['_id']);
        time = timeOf(spec, doc, namespace);
        record = encodeRecord(doc);
      } catch (error) {
        // The documents before a refused one are written, as MongoDB writes them.
        await flush().catch(() => undefined);
        await Promise.all(inFlight.splice(0));
        throw error;
      }
      batch.records.add(record);
      batch.times.push(time);
      const meta = metaKey(spec, doc);
      let metaIndex = batch.metas.get(meta);
      if (metaIndex === undefined) {
        metaIndex = batch.metas.size;
        batch.metas.set(meta, metaIndex);
      }
      batch.metaIndexes.push(metaIndex);
      batch.idKeys.add(idKey(doc['_id']));
      batch.ids.push(doc['_id']);
      position++;
      if (batch.ids.length >= batchSize || batch.records.length >= MAX_BATCH_BYTES) await flush();
    }
    await flush();
    await Promise.all(inFlight.splice(0));
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (failure) throw failure;
  return { insertedCount, duplicateCount, duplicates };
}

/**
 * Delete the documents of a bucketed collection that match `filter` (the first only, unless
 * `many`), inside the caller's write transaction: each bucket that held one is written again
 * without it (or removed when empty), and its `_id` freed.
 */
export function deleteFromBuckets(
  file: SqliteFile,
  meta: CollectionMeta & { readonly timeseries: TimeseriesSpec },
  filter: Filter,
  many: boolean,
): number {
  const matcher = createMatcher(filter);
  const freeId = file.writer.prepare(`DELETE FROM "${idTable(meta.table)}" WHERE id = ?`);
  const dropBucket = file.writer.prepare(`DELETE FROM "${meta.table}" WHERE id = ?`);
  const rewrite = file.writer.prepare(
    `UPDATE "${meta.table}" SET tmin = ?, tmax = ?, n = ?, payload = ? WHERE id = ?`,
  );
  let deleted = 0;
  // `candidateBuckets` reads one bucket at a time (the ids first), so each can be written
  // again before the next is read.
  for (const bucket of candidateBuckets(file.writer, meta.table, meta.timeseries, filter)) {
    const kept: string[] = [];
    const keptTimes: number[] = [];
    let removed = 0;
    for (const record of bucket.records) {
      const doc = decodeRecord(record);
      if ((many || deleted + removed === 0) && matcher.test(doc)) {
        freeId.run(idKey(doc['_id']));
        removed++;
      } else {
        kept.push(record);
        keptTimes.push(timeOf(meta.timeseries, doc, meta.name));
      }
    }
    if (removed === 0) continue;
    deleted += removed;
    if (kept.length === 0) dropBucket.run(bucket.id);
    else {
      rewrite.run(
        Math.min(...keptTimes),
        Math.max(...keptTimes),
        kept.length,
        bucketPayload(kept),
        bucket.id,
      );
    }
    if (!many) break;
  }
  return deleted;
}

/** The error for a write other than an insert or a delete on a bucketed collection. */
export function refuseOnBuckets(namespace: string, what: string): StoreError {
  return new StoreError(
    'E_UNSUPPORTED',
    `${what} on ${namespace}: a bucketed (timeseries) collection takes inserts and deletes only`,
  );
}
