/**
 * A collection of the embedded engine: documents in one SQLite table (BSON in `doc`, the
 * `_id` key in `id`, one extracted key column per indexed path), queried with mingo.
 *
 * This class is the engine-neutral `Collection`: it delegates to one part per concern —
 * inserts (collection-writes.ts), updates and deletes (collection-updates.ts), reads and
 * aggregation (collection-reads.ts), indexes (collection-indexes.ts) — and keeps the
 * lifecycle (drop, rename) itself.
 */
import { StoreError } from '@edx-data/core';
import { CollectionHandle } from './collection-handle.js';
import type { DatabaseHandle } from './collection-handle.js';
import { CollectionIndexes } from './collection-indexes.js';
import { CollectionReads } from './collection-reads.js';
import { CollectionUpdates } from './collection-updates.js';
import { CollectionWrites } from './collection-writes.js';
import { validateCollectionName } from '../names.js';
import type {
  BulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  Collection,
  CreateIndexOptions,
  Cursor,
  DeleteResult,
  Document,
  Filter,
  FindOneAndDeleteOptions,
  FindOneAndReplaceOptions,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexInfo,
  IndexSpec,
  InsertManyOptions,
  InsertManyResult,
  RenameOptions,
  ReplaceOptions,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
} from '../types.js';

export class EmbeddedCollection<T extends Document = Document>
  extends CollectionHandle
  implements Collection<T>
{
  private readonly writes: CollectionWrites<T>;
  private readonly updates: CollectionUpdates<T>;
  private readonly reads: CollectionReads<T>;
  private readonly indexes: CollectionIndexes;

  constructor(database: DatabaseHandle, name: string) {
    super(database, validateCollectionName(name));
    this.writes = new CollectionWrites<T>(database, name);
    this.updates = new CollectionUpdates<T>(database, name, this.writes);
    this.reads = new CollectionReads<T>(database, name);
    this.indexes = new CollectionIndexes(database, name);
  }

  // ---------------------------------------------------------------- writes

  insertOne(doc: T): Promise<{ readonly insertedId: unknown }> {
    return this.writes.insertOne(doc);
  }

  insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options?: InsertManyOptions,
  ): Promise<InsertManyResult> {
    return this.writes.insertMany(docs, options);
  }

  bulkWrite(
    operations: readonly BulkWriteOperation<T>[],
    options?: BulkWriteOptions,
  ): Promise<BulkWriteResult> {
    return this.updates.bulkWrite(operations, options);
  }

  updateOne(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult> {
    return this.updates.updateOne(filter, update, options);
  }

  updateMany(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult> {
    return this.updates.updateMany(filter, update, options);
  }

  replaceOne(filter: Filter, replacement: T, options?: ReplaceOptions): Promise<UpdateResult> {
    return this.updates.replaceOne(filter, replacement, options);
  }

  deleteOne(filter?: Filter): Promise<DeleteResult> {
    return this.updates.deleteOne(filter);
  }

  deleteMany(filter?: Filter): Promise<DeleteResult> {
    return this.updates.deleteMany(filter);
  }

  findOneAndUpdate(
    filter: Filter,
    update: UpdateSpec,
    options?: FindOneAndUpdateOptions,
  ): Promise<T | null> {
    return this.updates.findOneAndUpdate(filter, update, options);
  }

  findOneAndReplace(
    filter: Filter,
    replacement: T,
    options?: FindOneAndReplaceOptions,
  ): Promise<T | null> {
    return this.updates.findOneAndReplace(filter, replacement, options);
  }

  findOneAndDelete(filter: Filter, options?: FindOneAndDeleteOptions): Promise<T | null> {
    return this.updates.findOneAndDelete(filter, options);
  }

  // ---------------------------------------------------------------- reads

  find(filter?: Filter, options?: FindOptions): Cursor<T> {
    return this.reads.find(filter, options);
  }

  findOne(filter?: Filter, options?: FindOptions): Promise<T | null> {
    return this.reads.findOne(filter, options);
  }

  aggregate<R extends Document = Document>(pipeline: readonly Document[]): Cursor<R> {
    return this.reads.aggregate<R>(pipeline);
  }

  countDocuments(filter?: Filter): Promise<number> {
    return this.reads.countDocuments(filter);
  }

  estimatedDocumentCount(): Promise<number> {
    return this.reads.estimatedDocumentCount();
  }

  distinct(field: string, filter?: Filter): Promise<unknown[]> {
    return this.reads.distinct(field, filter);
  }

  /**
   * How the embedded engine would run a find: the SQL it sends to SQLite and SQLite's
   * `EXPLAIN QUERY PLAN` for it (to check that an index serves a query). Not part of the
   * engine-neutral API.
   */
  explain(
    filter?: Filter,
    options?: Pick<FindOptions, 'sort'>,
  ): { sql: string; plan: string[]; exact: boolean } {
    return this.reads.explain(filter, options);
  }

  // ---------------------------------------------------------------- indexes and lifecycle

  createIndex(spec: IndexSpec, options?: CreateIndexOptions): Promise<string> {
    return this.indexes.createIndex(spec, options);
  }

  listIndexes(): Promise<IndexInfo[]> {
    return this.indexes.listIndexes();
  }

  drop(): Promise<boolean> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve(false);
      this.writes.forgetInserter();
      return Promise.resolve(found.file.transaction(() => found.file.dropCollection(this.name)));
    } catch (error) {
      return Promise.reject(this.wrap('drop')(error));
    }
  }

  rename(newName: string, options: RenameOptions = {}): Promise<Collection<T>> {
    try {
      validateCollectionName(newName);
      const found = this.existing();
      if (!found)
        throw new StoreError(
          'E_STORE',
          `cannot rename ${this.namespace}: the collection does not exist`,
        );
      if (newName === this.name)
        throw new StoreError('E_STORE', `cannot rename ${this.namespace} to itself`);
      const { file } = found;
      file.transaction(() => {
        if (file.collection(newName)) {
          if (options.dropTarget !== true) {
            throw new StoreError(
              'E_STORE',
              `cannot rename ${this.namespace} to ${newName}: the target exists (use dropTarget)`,
            );
          }
          file.dropCollection(newName);
        }
        file.renameCollection(this.name, newName);
      });
      this.writes.forgetInserter();
      return Promise.resolve(this.database.collection<T>(newName));
    } catch (error) {
      return Promise.reject(this.wrap('rename')(error));
    }
  }
}
