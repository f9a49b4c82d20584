/**
 * The store API: one small interface shaped after the subset of the official MongoDB driver
 * that the pipeline uses, so that the MongoDB engine is a thin pass-through and the embedded
 * engine behaves the same way. Filters, updates and pipelines are MongoDB's own languages.
 */

/** A stored document. `_id` is set by the store when absent (an ObjectId). */
export type Document = Record<string, unknown>;

/** A MongoDB query filter (`{ course_id: 'x', time: { $gte: d } }`). */
export type Filter = Record<string, unknown>;

/** A MongoDB update document (`{ $set: {...}, $inc: {...} }`). */
export type UpdateDocument = Record<string, unknown>;

/**
 * An update: a document of update operators, or a pipeline of update stages (`$set`,
 * `$unset`, `$addFields`, `$project`, `$replaceRoot`, `$replaceWith`) whose expressions see
 * the document being updated.
 */
export type UpdateSpec = UpdateDocument | readonly Document[];

/** A sort specification: `{ time: 1, _id: -1 }`. */
export type SortSpec = Record<string, 1 | -1>;

/** A projection: `{ username: 1, _id: 0 }`. */
export type Projection = Record<string, unknown>;

/** An index key specification: `{ course_id: 1, time: 1 }`. */
export type IndexSpec = Record<string, 1 | -1>;

/** How numbers are returned on reads, as in the driver. */
export interface ReadOptions {
  /**
   * When false, BSON int32 and double values are returned as `Int32` / `Double` objects
   * instead of JS numbers (as with the driver's option of the same name).
   * @default true
   */
  readonly promoteValues?: boolean;
}

export interface FindOptions extends ReadOptions {
  readonly sort?: SortSpec;
  readonly projection?: Projection;
  readonly limit?: number;
  readonly skip?: number;
}

/** Aggregation results are always returned with numbers promoted, as by default. */
export interface AggregateOptions {
  /** Allow stages to spill to disk (MongoDB engine). @default true */
  readonly allowDiskUse?: boolean;
}

/**
 * The result of a read: iterate it with `for await`, or collect it with `toArray()`.
 * Breaking out of the loop releases the cursor.
 */
export interface Cursor<T> extends AsyncIterable<T> {
  toArray(): Promise<T[]>;
  /** Release the cursor's resources early (also done when iteration ends or breaks). */
  close(): Promise<void>;
}

/** A duplicate rejected by `_id` or a unique index during an insert. */
export interface DuplicateKey {
  /** Position of the document in the input (0-based, over the whole iterable). */
  readonly index: number;
  /** The `_id` of the rejected document. */
  readonly id: unknown;
}

export interface InsertManyOptions {
  /**
   * `false`: every document is tried; duplicates on `_id` or a unique index are counted and
   * reported, and the rest are inserted. `true` (the driver's default): stop at the first
   * duplicate with a `StoreError` `E_DUPLICATE_KEY` (documents before it stay inserted).
   * @default true
   */
  readonly ordered?: boolean;
  /** Documents per write batch (one transaction on the embedded engine). @default 1000 */
  readonly batchSize?: number;
  /** Called for every duplicate, as it is found. */
  readonly onDuplicate?: (duplicate: DuplicateKey) => void;
}

export interface InsertManyResult {
  /** Documents written. */
  readonly insertedCount: number;
  /** Documents refused because their `_id` or a unique key already existed. */
  readonly duplicateCount: number;
  /**
   * The duplicates themselves (index and `_id`), at most the first 1000; all of them are
   * counted in `duplicateCount` and passed to `onDuplicate`.
   */
  readonly duplicates: readonly DuplicateKey[];
}

export type BulkWriteOperation<T extends Document = Document> =
  | { readonly insertOne: { readonly document: T } }
  | {
      readonly updateOne: {
        readonly filter: Filter;
        readonly update: UpdateSpec;
        readonly upsert?: boolean;
        readonly arrayFilters?: readonly Document[];
      };
    }
  | {
      readonly updateMany: {
        readonly filter: Filter;
        readonly update: UpdateSpec;
        readonly upsert?: boolean;
        readonly arrayFilters?: readonly Document[];
      };
    }
  | {
      readonly replaceOne: {
        readonly filter: Filter;
        readonly replacement: T;
        readonly upsert?: boolean;
      };
    }
  | { readonly deleteOne: { readonly filter: Filter } }
  | { readonly deleteMany: { readonly filter: Filter } };

export interface BulkWriteOptions {
  /**
   * `true` (the driver's default): stop at the first operation that fails, keeping the
   * operations before it, with a {@link BulkWriteError} saying which one failed and what
   * the others did. `false`: every operation is tried; duplicate keys are counted in
   * `duplicateCount`.
   * @default true
   */
  readonly ordered?: boolean;
}

export interface BulkWriteResult {
  readonly insertedCount: number;
  readonly matchedCount: number;
  readonly modifiedCount: number;
  readonly deletedCount: number;
  readonly upsertedCount: number;
  /** `_id` of each upserted document, by operation index. */
  readonly upsertedIds: Readonly<Record<number, unknown>>;
  /** Operations refused for a duplicate key (only with `ordered: false`). */
  readonly duplicateCount: number;
}

export interface DeleteResult {
  readonly deletedCount: number;
}

export interface UpdateOptions {
  /** Insert a document when none matches (built from the filter's equalities). @default false */
  readonly upsert?: boolean;
  /** Which array elements `$[id]` designates: `[{ 'id.field': { $gte: 3 } }]`. */
  readonly arrayFilters?: readonly Document[];
}

export interface ReplaceOptions {
  /** Insert the replacement when no document matches. @default false */
  readonly upsert?: boolean;
}

/** The result of `updateOne`, `updateMany` and `replaceOne`, as the driver's. */
export interface UpdateResult {
  readonly matchedCount: number;
  readonly modifiedCount: number;
  readonly upsertedCount: number;
  /** The `_id` of the inserted document, or null when none was. */
  readonly upsertedId: unknown;
}

/** Options of `findOneAndDelete`: which document when several match, and its fields. */
export interface FindOneAndDeleteOptions {
  readonly sort?: SortSpec;
  readonly projection?: Projection;
}

export interface FindOneAndReplaceOptions extends FindOneAndDeleteOptions {
  readonly upsert?: boolean;
  /** Return the document as it was (`'before'`, the driver's default) or as it is now. */
  readonly returnDocument?: 'before' | 'after';
}

export interface FindOneAndUpdateOptions extends FindOneAndReplaceOptions {
  readonly arrayFilters?: readonly Document[];
}

/**
 * Options of `createCollection`, as the driver's: passed to the server by the MongoDB
 * engine. The embedded engine keeps a `validator` (a query filter every inserted or updated
 * document must match, else `E_STORE` "Document failed validation"; none with
 * `validationLevel: 'off'` or `validationAction: 'warn'`) and refuses every other option
 * (`capped`, `collation`, `timeseries`, a `$jsonSchema` validator, level `moderate`, …) with
 * `E_UNSUPPORTED`.
 */
export interface CreateCollectionOptions {
  readonly validator?: Filter;
  readonly validationLevel?: 'off' | 'strict' | 'moderate';
  readonly validationAction?: 'error' | 'warn';
  readonly [option: string]: unknown;
}

export interface CreateIndexOptions {
  readonly unique?: boolean;
  /** Index name. @default the driver's (`course_id_1_time_1`) */
  readonly name?: string;
}

export interface RenameOptions {
  /** Replace an existing collection of the new name, atomically. @default false */
  readonly dropTarget?: boolean;
}

export interface CollectionInfo {
  readonly name: string;
  /**
   * `timeseries` for a bucketed collection of the embedded engine (created with the
   * `timeseries` option; on MongoDB that option gives a plain collection: see the README).
   */
  readonly type?: 'collection' | 'timeseries';
}

export interface DatabaseInfo {
  readonly name: string;
  /** Bytes on disk, where the engine knows it. */
  readonly sizeOnDisk?: number;
}

export interface IndexInfo {
  readonly name: string;
  readonly key: IndexSpec;
  readonly unique: boolean;
}

/** One collection of documents of type `T`. */
export interface Collection<T extends Document = Document> {
  readonly name: string;
  readonly dbName: string;
  insertOne(doc: T): Promise<{ readonly insertedId: unknown }>;
  insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options?: InsertManyOptions,
  ): Promise<InsertManyResult>;
  bulkWrite(
    operations: readonly BulkWriteOperation<T>[],
    options?: BulkWriteOptions,
  ): Promise<BulkWriteResult>;
  find(filter?: Filter, options?: FindOptions): Cursor<T>;
  findOne(filter?: Filter, options?: FindOptions): Promise<T | null>;
  aggregate<R extends Document = Document>(
    pipeline: readonly Document[],
    options?: AggregateOptions,
  ): Cursor<R>;
  countDocuments(filter?: Filter): Promise<number>;
  distinct(field: string, filter?: Filter): Promise<unknown[]>;
  createIndex(spec: IndexSpec, options?: CreateIndexOptions): Promise<string>;
  listIndexes(): Promise<IndexInfo[]>;
  deleteMany(filter?: Filter): Promise<DeleteResult>;
  deleteOne(filter?: Filter): Promise<DeleteResult>;
  updateOne(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult>;
  updateMany(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult>;
  replaceOne(filter: Filter, replacement: T, options?: ReplaceOptions): Promise<UpdateResult>;
  /** Update the first match (in `sort` order) and return it, before or after. */
  findOneAndUpdate(
    filter: Filter,
    update: UpdateSpec,
    options?: FindOneAndUpdateOptions,
  ): Promise<T | null>;
  findOneAndReplace(
    filter: Filter,
    replacement: T,
    options?: FindOneAndReplaceOptions,
  ): Promise<T | null>;
  findOneAndDelete(filter: Filter, options?: FindOneAndDeleteOptions): Promise<T | null>;
  /** The number of documents, from the collection's metadata (no filter). */
  estimatedDocumentCount(): Promise<number>;
  /** Remove the collection. Returns false when it did not exist. */
  drop(): Promise<boolean>;
  /** Give the collection a new name (`dropTarget` swaps a freshly loaded one in). */
  rename(newName: string, options?: RenameOptions): Promise<Collection<T>>;
}

/** One database: a set of named collections. */
export interface Database {
  readonly name: string;
  collection<T extends Document = Document>(name: string): Collection<T>;
  listCollections(): Promise<CollectionInfo[]>;
  /**
   * Create an empty collection now, with options. Fails when it exists.
   * @throws StoreError `E_STORE` when the collection exists; `E_UNSUPPORTED` (embedded
   *   engine) for an option it does not implement
   */
  createCollection<T extends Document = Document>(
    name: string,
    options?: CreateCollectionOptions,
  ): Promise<Collection<T>>;
}

/** Which engine a store runs on. */
export type EngineKind = 'embedded' | 'mongodb';

/** A connection to a set of databases. */
export interface Store {
  readonly engine: EngineKind;
  /** Where the store is, with any password redacted (a folder, or a MongoDB URI). */
  readonly location: string;
  db(name: string): Database;
  listDatabases(): Promise<DatabaseInfo[]>;
  /** Remove a database and all its collections. Returns false when it did not exist. */
  dropDatabase(name: string): Promise<boolean>;
  close(): Promise<void>;
}
