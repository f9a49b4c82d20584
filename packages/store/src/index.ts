export { openStore, DEFAULT_STORE_LOCATION } from './open-store.js';
/** The BSON ObjectId class both engines store and return (the `bson` package's ESM build). */
export { ObjectId } from 'bson';
export type { OpenStoreOptions } from './open-store.js';
export {
  courseDatabaseName,
  validateCollectionName,
  validateDatabaseName,
  MAX_DATABASE_NAME_BYTES,
} from './names.js';
export type {
  AggregateOptions,
  BulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  Collection,
  CollectionInfo,
  CreateIndexOptions,
  Cursor,
  Database,
  DatabaseInfo,
  DeleteResult,
  Document,
  DuplicateKey,
  EngineKind,
  Filter,
  FindOptions,
  IndexInfo,
  IndexSpec,
  InsertManyOptions,
  InsertManyResult,
  Projection,
  ReadOptions,
  RenameOptions,
  SortSpec,
  Store,
  UpdateDocument,
} from './types.js';
