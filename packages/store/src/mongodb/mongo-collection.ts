import { StoreError, UsageError } from '@edx-data/core';
import type { ErrorCode } from '@edx-data/core';
import { ObjectId } from 'bson';
import { MongoBulkWriteError } from 'mongodb';
import type {
  AnyBulkWriteOperation,
  BulkWriteResult as DriverBulkWriteResult,
  Collection as DriverCollection,
  Db as DriverDb,
  Document as DriverDocument,
  FindOptions as DriverFindOptions,
  UpdateResult as DriverUpdateResult,
  WriteError,
} from 'mongodb';
import { validateCollectionName } from '../names.js';
import type {
  AggregateOptions,
  BulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  Collection,
  CreateIndexOptions,
  Cursor,
  DeleteResult,
  Document,
  DuplicateKey,
  Filter,
  FindOneAndDeleteOptions,
  FindOneAndReplaceOptions,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexInfo,
  IndexSpec,
  InsertManyOptions,
  InsertManyResult,
  Projection,
  RenameOptions,
  ReplaceOptions,
  SortSpec,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
} from '../types.js';
import { BulkWriteError } from '../bulk-write-error.js';
import { decodeDocument, decodeOptions, fromDriverValue } from './bson-bridge.js';
import { MongoCursor } from './mongo-cursor.js';
import {
  describeId,
  hasServerCode,
  isDuplicateKeyCode,
  NAMESPACE_NOT_FOUND,
  NOT_IMPLEMENTED,
  wrapError,
  writeErrorsOf,
} from './mongo-errors.js';
import type { Redactor } from './mongo-errors.js';

/** What a collection shares with its store: the redactor and the open/closed state. */
export interface MongoContext {
  readonly redactor: Redactor;
  /** @throws StoreError `E_STORE_CLOSED` once the store is closed */
  assertOpen(): void;
}

/** At most this many duplicates are kept in `InsertManyResult.duplicates`. */
const MAX_REPORTED_DUPLICATES = 1000;
const DEFAULT_BATCH_SIZE = 1000;

/** Driver options that keep every BSON type, for values re-decoded by `fromDriverValue`. */
const EXACT_VALUES = { promoteLongs: false, promoteValues: false } as const;

/** Give a document without `_id` (or with a null one, as the driver does) a new ObjectId, without touching the caller's object. */
function withId<T extends Document>(doc: T): T {
  if (doc['_id'] !== undefined && doc['_id'] !== null) return doc;
  const copy: Document = { _id: new ObjectId() };
  for (const [key, value] of Object.entries(doc)) {
    if (key !== '_id') copy[key] = value;
  }
  return copy as T;
}

/** True when a bulk write failed only because of duplicate keys (not a network or other error). */
function onlyDuplicates(err: MongoBulkWriteError, writeErrors: readonly WriteError[]): boolean {
  return (
    writeErrors.length > 0 &&
    writeErrors.every((writeError) => isDuplicateKeyCode(writeError.code)) &&
    err.err === undefined
  );
}

function normalizeBatchSize(batchSize: number | undefined): number {
  const size = batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new UsageError(
      'E_OPTION',
      `invalid batchSize ${String(size)}: expected a positive integer`,
    );
  }
  return size;
}

/** Reads ask for raw BSON, decoded by bson-bridge.ts. */
function toFindOptions(options: FindOptions): DriverFindOptions {
  const findOptions: DriverFindOptions = { raw: true };
  if (options.sort !== undefined) findOptions.sort = options.sort;
  if (options.projection !== undefined) findOptions.projection = options.projection;
  if (options.limit !== undefined) findOptions.limit = options.limit;
  if (options.skip !== undefined) findOptions.skip = options.skip;
  return findOptions;
}

function updateOptions(options: UpdateOptions): {
  upsert: boolean;
  arrayFilters?: Document[];
} {
  return {
    upsert: options.upsert ?? false,
    ...(options.arrayFilters === undefined ? {} : { arrayFilters: [...options.arrayFilters] }),
  };
}

function toUpdateResult(result: DriverUpdateResult | DriverDocument): UpdateResult {
  const r = result as DriverUpdateResult;
  return {
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    upsertedCount: r.upsertedCount,
    upsertedId: r.upsertedId === null ? null : fromDriverValue(r.upsertedId, decodeOptions({})),
  };
}

function findAndModifyOptions(options: FindOneAndReplaceOptions): {
  sort?: SortSpec;
  projection?: Projection;
  upsert: boolean;
  returnDocument: 'before' | 'after';
  promoteLongs: false;
  promoteValues: false;
} {
  return {
    ...(options.sort === undefined ? {} : { sort: options.sort }),
    ...(options.projection === undefined ? {} : { projection: options.projection }),
    upsert: options.upsert ?? false,
    returnDocument: options.returnDocument ?? 'before',
    // Every BSON type kept, then re-created with the ESM classes (bson-bridge.ts).
    ...EXACT_VALUES,
  };
}

function fromDriverDocument(doc: DriverDocument | null): Document | null {
  return doc === null ? null : (fromDriverValue(doc, decodeOptions({})) as Document);
}

function toBulkWriteResult(
  result: DriverBulkWriteResult | undefined,
  duplicateCount: number,
): BulkWriteResult {
  const upsertedIds: Record<number, unknown> = {};
  for (const [index, id] of Object.entries(result?.upsertedIds ?? {}) as [string, unknown][]) {
    upsertedIds[Number(index)] = fromDriverValue(id, decodeOptions({}));
  }
  return {
    insertedCount: result?.insertedCount ?? 0,
    matchedCount: result?.matchedCount ?? 0,
    modifiedCount: result?.modifiedCount ?? 0,
    deletedCount: result?.deletedCount ?? 0,
    upsertedCount: result?.upsertedCount ?? 0,
    upsertedIds,
    duplicateCount,
  };
}

/** A collection of the MongoDB engine: a thin pass-through to the driver's. */
export class MongoCollection<T extends Document = Document> implements Collection<T> {
  readonly name: string;
  readonly dbName: string;
  readonly #db: DriverDb;
  readonly #collection: DriverCollection;
  readonly #context: MongoContext;

  constructor(db: DriverDb, name: string, context: MongoContext) {
    this.name = validateCollectionName(name);
    this.dbName = db.databaseName;
    this.#db = db;
    this.#collection = db.collection(name);
    this.#context = context;
  }

  get #namespace(): string {
    return `${this.dbName}.${this.name}`;
  }

  #fail(err: unknown, what: string, code?: ErrorCode): Error {
    return wrapError(err, this.#context.redactor, `${what} on ${this.#namespace}`, code);
  }

  async insertOne(doc: T): Promise<{ readonly insertedId: unknown }> {
    this.#context.assertOpen();
    const document = withId(doc);
    try {
      await this.#collection.insertOne(document);
    } catch (err) {
      throw this.#fail(err, `insertOne of _id ${describeId(document['_id'])}`);
    }
    return { insertedId: document['_id'] };
  }

  async insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options: InsertManyOptions = {},
  ): Promise<InsertManyResult> {
    this.#context.assertOpen();
    const ordered = options.ordered ?? true;
    const batchSize = normalizeBatchSize(options.batchSize);
    const onDuplicate = options.onDuplicate;
    const duplicates: DuplicateKey[] = [];
    let insertedCount = 0;
    let duplicateCount = 0;
    const report = (duplicate: DuplicateKey): void => {
      duplicateCount += 1;
      if (duplicates.length < MAX_REPORTED_DUPLICATES) duplicates.push(duplicate);
      onDuplicate?.(duplicate);
    };

    let batch: Document[] = [];
    let batchStart = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const current = batch;
      const start = batchStart;
      batch = [];
      batchStart += current.length;
      insertedCount += await this.#insertBatch(current, start, ordered, insertedCount, report);
    };

    for await (const doc of docs) {
      batch.push(withId(doc));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return { insertedCount, duplicateCount, duplicates };
  }

  /** Insert one batch; returns how many documents were written. */
  async #insertBatch(
    batch: Document[],
    start: number,
    ordered: boolean,
    insertedBefore: number,
    report: (duplicate: DuplicateKey) => void,
  ): Promise<number> {
    this.#context.assertOpen();
    try {
      const result = await this.#collection.insertMany(batch, { ordered });
      return result.insertedCount;
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw this.#fail(err, 'insertMany');
      const writeErrors = writeErrorsOf(err);
      if (!onlyDuplicates(err, writeErrors)) throw this.#fail(err, 'insertMany');
      if (ordered) {
        const first = writeErrors[0];
        const index = start + (first?.index ?? 0);
        const id = batch[first?.index ?? 0]?.['_id'];
        throw new StoreError(
          'E_DUPLICATE_KEY',
          `insertMany on ${this.#namespace}: duplicate key for the document at index ${index} (_id ${describeId(id)}); ` +
            `${insertedBefore + err.insertedCount} documents before it were inserted: ${this.#context.redactor.text(first?.errmsg ?? err.message)}`,
          { cause: this.#context.redactor.error(err) },
        );
      }
      for (const writeError of [...writeErrors].sort((a, b) => a.index - b.index)) {
        report({ index: start + writeError.index, id: batch[writeError.index]?.['_id'] });
      }
      return err.insertedCount;
    }
  }

  async bulkWrite(
    operations: readonly BulkWriteOperation<T>[],
    options: BulkWriteOptions = {},
  ): Promise<BulkWriteResult> {
    this.#context.assertOpen();
    if (operations.length === 0) return toBulkWriteResult(undefined, 0);
    const ordered = options.ordered ?? true;
    const driverOperations = operations.map((operation) =>
      'insertOne' in operation
        ? { insertOne: { document: withId(operation.insertOne.document) } }
        : operation,
    ) as AnyBulkWriteOperation[];
    try {
      return toBulkWriteResult(await this.#collection.bulkWrite(driverOperations, { ordered }), 0);
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || err.err !== undefined) {
        throw this.#fail(err, 'bulkWrite');
      }
      const writeErrors = writeErrorsOf(err).sort((a, b) => a.index - b.index);
      const duplicates = writeErrors.filter((writeError) => isDuplicateKeyCode(writeError.code));
      // Unordered: duplicates are counted; any other failure is reported as ordered ones are.
      const failed = ordered
        ? writeErrors[0]
        : writeErrors.find((e) => !isDuplicateKeyCode(e.code));
      const result = toBulkWriteResult(err.result, ordered ? 0 : duplicates.length);
      if (failed === undefined) return result;
      const duplicate = isDuplicateKeyCode(failed.code);
      throw new BulkWriteError(
        duplicate ? 'E_DUPLICATE_KEY' : 'E_STORE',
        `bulkWrite on ${this.#namespace}: operation ${failed.index} failed: ${this.#context.redactor.text(failed.errmsg ?? err.message)}`,
        failed.index,
        result,
        { cause: this.#context.redactor.error(err) },
      );
    }
  }

  async #update(
    method: 'updateOne' | 'updateMany',
    filter: Filter,
    update: UpdateSpec,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    this.#context.assertOpen();
    try {
      return toUpdateResult(await this.#collection[method](filter, update, updateOptions(options)));
    } catch (err) {
      throw this.#fail(err, method);
    }
  }

  updateOne(
    filter: Filter,
    update: UpdateSpec,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.#update('updateOne', filter, update, options);
  }

  updateMany(
    filter: Filter,
    update: UpdateSpec,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.#update('updateMany', filter, update, options);
  }

  async replaceOne(
    filter: Filter,
    replacement: T,
    options: ReplaceOptions = {},
  ): Promise<UpdateResult> {
    this.#context.assertOpen();
    try {
      return toUpdateResult(
        await this.#collection.replaceOne(filter, replacement, { upsert: options.upsert ?? false }),
      );
    } catch (err) {
      throw this.#fail(err, 'replaceOne');
    }
  }

  async deleteOne(filter: Filter = {}): Promise<DeleteResult> {
    this.#context.assertOpen();
    try {
      const result = await this.#collection.deleteOne(filter);
      return { deletedCount: result.deletedCount };
    } catch (err) {
      throw this.#fail(err, 'deleteOne');
    }
  }

  async findOneAndUpdate(
    filter: Filter,
    update: UpdateSpec,
    options: FindOneAndUpdateOptions = {},
  ): Promise<T | null> {
    this.#context.assertOpen();
    try {
      const doc = await this.#collection.findOneAndUpdate(filter, update, {
        ...findAndModifyOptions(options),
        ...(options.arrayFilters === undefined ? {} : { arrayFilters: [...options.arrayFilters] }),
      });
      return fromDriverDocument(doc) as T | null;
    } catch (err) {
      throw this.#fail(err, 'findOneAndUpdate');
    }
  }

  async findOneAndReplace(
    filter: Filter,
    replacement: T,
    options: FindOneAndReplaceOptions = {},
  ): Promise<T | null> {
    this.#context.assertOpen();
    try {
      const doc = await this.#collection.findOneAndReplace(
        filter,
        replacement,
        findAndModifyOptions(options),
      );
      return fromDriverDocument(doc) as T | null;
    } catch (err) {
      throw this.#fail(err, 'findOneAndReplace');
    }
  }

  async findOneAndDelete(filter: Filter, options: FindOneAndDeleteOptions = {}): Promise<T | null> {
    this.#context.assertOpen();
    try {
      const doc = await this.#collection.findOneAndDelete(filter, findAndModifyOptions(options));
      return fromDriverDocument(doc) as T | null;
    } catch (err) {
      throw this.#fail(err, 'findOneAndDelete');
    }
  }

  async estimatedDocumentCount(): Promise<number> {
    this.#context.assertOpen();
    try {
      return await this.#collection.estimatedDocumentCount();
    } catch (err) {
      if (hasServerCode(err, NAMESPACE_NOT_FOUND)) return 0;
      throw this.#fail(err, 'estimatedDocumentCount');
    }
  }

  find(filter: Filter = {}, options: FindOptions = {}): Cursor<T> {
    const findOptions = toFindOptions(options);
    return new MongoCursor<T>(
      () => {
        this.#context.assertOpen();
        return this.#collection.find<Uint8Array>(filter, findOptions);
      },
      decodeOptions(options),
      this.#context.redactor,
      `find on ${this.#namespace}`,
    );
  }

  async findOne(filter: Filter = {}, options: FindOptions = {}): Promise<T | null> {
    this.#context.assertOpen();
    try {
      const raw = await this.#collection.findOne<Uint8Array>(filter, toFindOptions(options));
      return raw === null ? null : (decodeDocument(raw, decodeOptions(options)) as T);
    } catch (err) {
      throw this.#fail(err, 'findOne');
    }
  }

  aggregate<R extends Document = Document>(
    pipeline: readonly Document[],
    options: AggregateOptions = {},
  ): Cursor<R> {
    const aggregateOptions = { raw: true, allowDiskUse: options.allowDiskUse ?? true };
    return new MongoCursor<R>(
      () => {
        this.#context.assertOpen();
        return this.#collection.aggregate<Uint8Array>([...pipeline], aggregateOptions);
      },
      decodeOptions({}),
      this.#context.redactor,
      `aggregate on ${this.#namespace}`,
    );
  }

  async countDocuments(filter: Filter = {}): Promise<number> {
    this.#context.assertOpen();
    try {
      return await this.#collection.countDocuments(filter);
    } catch (err) {
      throw this.#fail(err, 'countDocuments');
    }
  }

  async distinct(field: string, filter: Filter = {}): Promise<unknown[]> {
    this.#context.assertOpen();
    try {
      const values: unknown[] = await this.#collection.distinct(field, filter, EXACT_VALUES);
      return fromDriverValue(values, decodeOptions({})) as unknown[];
    } catch (err) {
      throw this.#fail(err, `distinct "${field}"`);
    }
  }

  async createIndex(spec: IndexSpec, options: CreateIndexOptions = {}): Promise<string> {
    this.#context.assertOpen();
    const indexOptions: { unique?: boolean; name?: string } = {};
    if (options.unique !== undefined) indexOptions.unique = options.unique;
    if (options.name !== undefined) indexOptions.name = options.name;
    try {
      return await this.#collection.createIndex(spec, indexOptions, undefined);
    } catch (err) {
      throw this.#fail(err, 'createIndex');
    }
  }

  async listIndexes(): Promise<IndexInfo[]> {
    this.#context.assertOpen();
    try {
      const indexes = (await this.#collection.listIndexes().toArray()) as {
        readonly name?: string;
        readonly key: IndexSpec;
        readonly unique?: boolean;
      }[];
      return indexes.map((index) => ({
        name: index.name ?? '',
        key: { ...index.key },
        // the `_id` index is unique, though the server does not say so
        unique: index.unique === true || index.name === '_id_',
      }));
    } catch (err) {
      if (hasServerCode(err, NAMESPACE_NOT_FOUND)) return [];
      throw this.#fail(err, 'listIndexes');
    }
  }

  async deleteMany(filter: Filter = {}): Promise<DeleteResult> {
    this.#context.assertOpen();
    try {
      const result = await this.#collection.deleteMany(filter);
      return { deletedCount: result.deletedCount };
    } catch (err) {
      throw this.#fail(err, 'deleteMany');
    }
  }

  async drop(): Promise<boolean> {
    this.#context.assertOpen();
    try {
      // MongoDB 7+ answers "ok" for a collection that does not exist: ask first
      const existing = await this.#db
        .listCollections({ name: this.name }, { nameOnly: true })
        .toArray();
      if (existing.length === 0) return false;
      await this.#collection.drop();
      return true;
    } catch (err) {
      if (hasServerCode(err, NAMESPACE_NOT_FOUND)) return false;
      throw this.#fail(err, 'drop');
    }
  }

  async rename(newName: string, options: RenameOptions = {}): Promise<Collection<T>> {
    this.#context.assertOpen();
    validateCollectionName(newName);
    try {
      await this.#collection.rename(newName, { dropTarget: options.dropTarget ?? false });
    } catch (err) {
      if (options.dropTarget === true && hasServerCode(err, NOT_IMPLEMENTED)) {
        // FerretDB v1 and some MongoDB-compatible services: the caller may drop, then rename
        throw this.#fail(err, `rename to "${newName}" with dropTarget`, 'E_UNSUPPORTED');
      }
      throw this.#fail(err, `rename to "${newName}"`);
    }
    return new MongoCollection<T>(this.#db, newName, this.#context);
  }
}
