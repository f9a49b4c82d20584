/**
 * The updates and deletes of an embedded collection, as the driver's methods: bulkWrite,
 * updateOne/updateMany/replaceOne, deleteOne/deleteMany and findOneAndUpdate/Replace/Delete.
 * Each call is one transaction; within a bulkWrite each operation is a savepoint of its own,
 * so an ordered bulkWrite keeps the operations before a failure (and reports them, with the
 * failed one's index, in a BulkWriteError) while the failed one leaves nothing behind.
 */
import { deleteFromBuckets, refuseOnBuckets } from './bucket-writes.js';
import { StoreError, UsageError } from '@edx-data/core';
import { decodeDocument, encodeDocument, withId, withoutId } from './codec.js';
import { CollectionHandle } from './collection-handle.js';
import type { DatabaseHandle } from './collection-handle.js';
import type { CollectionWrites, RowWriter } from './collection-writes.js';
import { shapeQuery } from './matcher.js';
import { matchingRows } from './matching-rows.js';
import { planFilter } from './query-plan.js';
import type { SqliteFile } from './sqlite-file.js';
import {
  applyUpdate,
  checkReplacement,
  checkUpdate,
  sameId,
  seedFromFilter,
  splitSetOnInsert,
} from './update-rules.js';
import { BulkWriteError } from '../bulk-write-error.js';
import type {
  BulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  DeleteResult,
  Document,
  Filter,
  FindOneAndDeleteOptions,
  FindOneAndReplaceOptions,
  FindOneAndUpdateOptions,
  Projection,
  ReplaceOptions,
  SortSpec,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
} from '../types.js';

/** What one operation did. */
interface Outcome {
  inserted: number;
  matched: number;
  modified: number;
  deleted: number;
  upserted: number;
  upsertedId?: unknown;
}

const nothing = (): Outcome => ({ inserted: 0, matched: 0, modified: 0, deleted: 0, upserted: 0 });

/** A write refused for a duplicate key: counted (unordered bulkWrite) or reported. */
class DuplicateWrite extends Error {
  constructor(readonly error: StoreError) {
    super(error.message);
  }
}

/** One operation, as the methods and bulkWrite describe it. */
type Operation =
  | { readonly kind: 'insert'; readonly doc: Document }
  | {
      readonly kind: 'update';
      readonly filter: Filter;
      readonly update: UpdateSpec;
      readonly many: boolean;
      readonly upsert: boolean;
      readonly arrayFilters: readonly Document[] | undefined;
    }
  | {
      readonly kind: 'replace';
      readonly filter: Filter;
      readonly replacement: Document;
      readonly upsert: boolean;
    }
  | { readonly kind: 'delete'; readonly filter: Filter; readonly many: boolean };

function operationOf(operation: BulkWriteOperation, namespace: string): Operation {
  if ('insertOne' in operation) return { kind: 'insert', doc: operation.insertOne.document };
  if ('updateOne' in operation || 'updateMany' in operation) {
    const spec = 'updateOne' in operation ? operation.updateOne : operation.updateMany;
    return {
      kind: 'update',
      filter: spec.filter,
      update: checkUpdate(spec.update),
      many: 'updateMany' in operation,
      upsert: spec.upsert === true,
      arrayFilters: spec.arrayFilters,
    };
  }
  if ('replaceOne' in operation) {
    const spec = operation.replaceOne;
    return {
      kind: 'replace',
      filter: spec.filter,
      replacement: checkReplacement({ ...spec.replacement }, `replaceOne in ${namespace}`),
      upsert: spec.upsert === true,
    };
  }
  if ('deleteOne' in operation)
    return { kind: 'delete', filter: operation.deleteOne.filter, many: false };
  if ('deleteMany' in operation)
    return { kind: 'delete', filter: operation.deleteMany.filter, many: true };
  throw new UsageError(
    'E_USAGE',
    `bulkWrite on ${namespace}: unknown operation ${Object.keys(operation).join(', ')}`,
  );
}

/** The fields of a document a projection keeps (mingo's projection, as `find` applies it). */
function project(doc: Document | null, projection: Projection | undefined): Document | null {
  if (doc === null || projection === undefined || Object.keys(projection).length === 0) return doc;
  const [shaped] = shapeQuery().find<Document>([doc], projection).all();
  return shaped ?? null;
}

export class CollectionUpdates<T extends Document = Document> extends CollectionHandle {
  constructor(
    database: DatabaseHandle,
    name: string,
    private readonly writes: CollectionWrites<T>,
  ) {
    super(database, name);
  }

  /** Insert `doc` or fail with a DuplicateWrite. */
  private insert(rows: RowWriter, doc: Document): void {
    if (!rows.insert(doc)) throw new DuplicateWrite(rows.duplicate(doc['_id']));
  }

  private replace(rows: RowWriter, rowid: number, doc: Document): void {
    if (!rows.replace(rowid, doc)) throw new DuplicateWrite(rows.duplicate(doc['_id']));
  }

  /** The document an upsert inserts: the filter's equalities, then the update. */
  private upsertDocument(
    filter: Filter,
    update: UpdateSpec,
    arrayFilters?: readonly Document[],
  ): Document {
    const seed = seedFromFilter(filter);
    const updated = applyUpdate(
      seed,
      {},
      splitSetOnInsert(update).onInsert,
      arrayFilters,
      this.namespace,
    );
    return withId(updated ?? seed);
  }

  /** The document a replacement leaves: its `_id` kept (it may not change). */
  private replacementFor(current: Document, replacement: Document): Document {
    if (replacement['_id'] !== undefined && !sameId(replacement['_id'], current['_id'])) {
      throw new StoreError(
        'E_STORE',
        `the replacement would modify the immutable field '_id' (in ${this.namespace})`,
      );
    }
    return { _id: current['_id'], ...withoutId(replacement) };
  }

  /** Run one operation inside the caller's transaction. */
  private run(rows: RowWriter, file: SqliteFile, operation: Operation): Outcome {
    const outcome = nothing();
    const meta = rows.meta;
    if (meta.timeseries) {
      if (operation.kind !== 'delete') throw refuseOnBuckets(this.namespace, operation.kind);
      outcome.deleted = deleteFromBuckets(
        file,
        { ...meta, timeseries: meta.timeseries },
        operation.filter,
        operation.many,
      );
      return outcome;
    }
    switch (operation.kind) {
      case 'insert':
        this.insert(rows, withId(operation.doc));
        outcome.inserted = 1;
        return outcome;
      case 'update': {
        const { onMatch } = splitSetOnInsert(operation.update);
        const matches = matchingRows(file, meta, operation.filter, !operation.many);
        outcome.matched = matches.length;
        for (const { rowid, doc } of matches) {
          const updated = applyUpdate(
            doc,
            operation.filter,
            onMatch,
            operation.arrayFilters,
            this.namespace,
          );
          if (updated === undefined) continue;
          this.replace(rows, rowid, updated);
          outcome.modified++;
        }
        if (matches.length === 0 && operation.upsert) {
          const doc = this.upsertDocument(
            operation.filter,
            operation.update,
            operation.arrayFilters,
          );
          this.insert(rows, doc);
          outcome.upserted = 1;
          outcome.upsertedId = doc['_id'];
        }
        return outcome;
      }
      case 'replace': {
        const [match] = matchingRows(file, meta, operation.filter, true);
        if (match) {
          outcome.matched = 1;
          const stored = this.replacementFor(match.doc, operation.replacement);
          if (!encodeDocument(stored).equals(encodeDocument(match.doc))) {
            this.replace(rows, match.rowid, stored);
            outcome.modified = 1;
          }
        } else if (operation.upsert) {
          const seed = seedFromFilter(operation.filter);
          const doc = withId({
            ...(seed['_id'] === undefined ? {} : { _id: seed['_id'] }),
            ...operation.replacement,
          });
          this.insert(rows, doc);
          outcome.upserted = 1;
          outcome.upsertedId = doc['_id'];
        }
        return outcome;
      }
      case 'delete': {
        const plan = planFilter(operation.filter, meta.columns);
        if (operation.many && plan.exact) {
          outcome.deleted = file.writer
            .prepare(`DELETE FROM "${meta.table}" WHERE ${plan.sql}`)
            .run(...plan.params).changes;
          return outcome;
        }
        for (const { rowid } of matchingRows(file, meta, operation.filter, !operation.many)) {
          outcome.deleted += rows.remove(rowid);
        }
        return outcome;
      }
    }
  }

  /** Run one operation in a transaction of its own (created only when it may insert). */
  private single(operation: Operation, action: string): Outcome {
    const create = operation.kind === 'insert' || ('upsert' in operation && operation.upsert);
    try {
      return (
        this.writes.inTransaction((rows, file) => this.run(rows, file, operation), create) ??
        nothing()
      );
    } catch (error) {
      if (error instanceof DuplicateWrite) throw error.error;
      throw this.wrap(action)(error);
    }
  }

  bulkWrite(
    operations: readonly BulkWriteOperation<T>[],
    options: BulkWriteOptions = {},
  ): Promise<BulkWriteResult> {
    const ordered = options.ordered ?? true;
    const result = {
      insertedCount: 0,
      matchedCount: 0,
      modifiedCount: 0,
      deletedCount: 0,
      upsertedCount: 0,
      upsertedIds: {} as Record<number, unknown>,
      duplicateCount: 0,
    };
    if (operations.length === 0) return Promise.resolve(result);
    let failure: { index: number; error: Error } | undefined;
    try {
      const checked = operations.map((operation) =>
        operationOf(operation as BulkWriteOperation, this.namespace),
      );
      this.writes.inTransaction((rows, file) => {
        for (let index = 0; index < checked.length; index++) {
          const operation = checked[index] as Operation;
          try {
            // A savepoint: a failed operation leaves nothing, the ones before it stay.
            const outcome = file.writer.transaction(() => this.run(rows, file, operation))();
            result.insertedCount += outcome.inserted;
            result.matchedCount += outcome.matched;
            result.modifiedCount += outcome.modified;
            result.deletedCount += outcome.deleted;
            result.upsertedCount += outcome.upserted;
            if (outcome.upserted > 0) result.upsertedIds[index] = outcome.upsertedId;
          } catch (error) {
            if (!ordered && error instanceof DuplicateWrite) {
              result.duplicateCount++;
              continue;
            }
            failure ??= {
              index,
              error: error instanceof DuplicateWrite ? error.error : this.wrap('write to')(error),
            };
            if (ordered) return;
          }
        }
      });
    } catch (error) {
      return Promise.reject(this.wrap('write to')(error));
    }
    if (failure) {
      const { index, error } = failure;
      return Promise.reject(
        new BulkWriteError(
          error instanceof StoreError && error.code === 'E_DUPLICATE_KEY'
            ? 'E_DUPLICATE_KEY'
            : 'E_STORE',
          `bulkWrite on ${this.namespace}: operation ${index} failed: ${error.message}`,
          index,
          result,
          { cause: error },
        ),
      );
    }
    return Promise.resolve(result);
  }

  private updateResult(outcome: Outcome): UpdateResult {
    return {
      matchedCount: outcome.matched,
      modifiedCount: outcome.modified,
      upsertedCount: outcome.upserted,
      upsertedId: outcome.upserted > 0 ? outcome.upsertedId : null,
    };
  }

  private update(
    filter: Filter,
    update: UpdateSpec,
    many: boolean,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    try {
      const operation: Operation = {
        kind: 'update',
        filter,
        update: checkUpdate(update),
        many,
        upsert: options.upsert === true,
        arrayFilters: options.arrayFilters,
      };
      return Promise.resolve(this.updateResult(this.single(operation, 'update')));
    } catch (error) {
      return Promise.reject(this.wrap('update')(error));
    }
  }

  updateOne(
    filter: Filter,
    update: UpdateSpec,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.update(filter, update, false, options);
  }

  updateMany(
    filter: Filter,
    update: UpdateSpec,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.update(filter, update, true, options);
  }

  replaceOne(filter: Filter, replacement: T, options: ReplaceOptions = {}): Promise<UpdateResult> {
    try {
      const operation: Operation = {
        kind: 'replace',
        filter,
        replacement: checkReplacement({ ...replacement }, `replaceOne in ${this.namespace}`),
        upsert: options.upsert === true,
      };
      return Promise.resolve(this.updateResult(this.single(operation, 'replace in')));
    } catch (error) {
      return Promise.reject(this.wrap('replace in')(error));
    }
  }

  private delete(filter: Filter, many: boolean): Promise<DeleteResult> {
    try {
      const outcome = this.single({ kind: 'delete', filter, many }, 'delete from');
      return Promise.resolve({ deletedCount: outcome.deleted });
    } catch (error) {
      return Promise.reject(this.wrap('delete from')(error));
    }
  }

  deleteOne(filter: Filter = {}): Promise<DeleteResult> {
    return this.delete(filter, false);
  }

  deleteMany(filter: Filter = {}): Promise<DeleteResult> {
    return this.delete(filter, true);
  }

  /**
   * Find the first match in `sort` order and change it in one transaction: `change` gives
   * its new document (undefined: unchanged; null: delete it); returns the document before or
   * after, projected.
   */
  private findAndModify(
    filter: Filter,
    sort: SortSpec | undefined,
    change: (doc: Document) => Document | null | undefined,
    upsert: (() => Document) | undefined,
    after: boolean,
    projection: Projection | undefined,
    action: string,
  ): Promise<T | null> {
    try {
      const found = this.writes.inTransaction((rows, file) => {
        const [match] = matchingRows(file, rows.meta, filter, true, sort);
        if (match) {
          const before = decodeDocument(match.bytes);
          const next = change(match.doc);
          if (next === null) rows.remove(match.rowid);
          else if (next !== undefined) this.replace(rows, match.rowid, next);
          return after ? (next ?? before) : before;
        }
        if (!upsert) return null;
        const doc = upsert();
        this.insert(rows, doc);
        return after ? doc : null;
      }, upsert !== undefined);
      return Promise.resolve(project(found ?? null, projection) as T | null);
    } catch (error) {
      if (error instanceof DuplicateWrite) return Promise.reject(error.error);
      return Promise.reject(this.wrap(action)(error));
    }
  }

  findOneAndUpdate(
    filter: Filter,
    update: UpdateSpec,
    options: FindOneAndUpdateOptions = {},
  ): Promise<T | null> {
    try {
      const checked = checkUpdate(update);
      const { onMatch } = splitSetOnInsert(checked);
      return this.findAndModify(
        filter,
        options.sort,
        (doc) => applyUpdate(doc, filter, onMatch, options.arrayFilters, this.namespace),
        options.upsert === true
          ? () => this.upsertDocument(filter, checked, options.arrayFilters)
          : undefined,
        options.returnDocument === 'after',
        options.projection,
        'update',
      );
    } catch (error) {
      return Promise.reject(this.wrap('update')(error));
    }
  }

  findOneAndReplace(
    filter: Filter,
    replacement: T,
    options: FindOneAndReplaceOptions = {},
  ): Promise<T | null> {
    try {
      const checked = checkReplacement(
        { ...replacement },
        `findOneAndReplace in ${this.namespace}`,
      );
      return this.findAndModify(
        filter,
        options.sort,
        (doc) => this.replacementFor(doc, checked),
        options.upsert === true
          ? () => {
              const seed = seedFromFilter(filter);
              return withId({
                ...(seed['_id'] === undefined ? {} : { _id: seed['_id'] }),
                ...checked,
              });
            }
          : undefined,
        options.returnDocument === 'after',
        options.projection,
        'replace in',
      );
    } catch (error) {
      return Promise.reject(this.wrap('replace in')(error));
    }
  }

  findOneAndDelete(filter: Filter, options: FindOneAndDeleteOptions = {}): Promise<T | null> {
    return this.findAndModify(
      filter,
      options.sort,
      () => null,
      undefined,
      false,
      options.projection,
      'delete from',
    );
  }
}
