export { openStore, DEFAULT_STORE_LOCATION } from './open-store.js';
export { BulkWriteError } from './bulk-write-error.js';
/** The BSON ObjectId class both engines store and return (the `bson` package's ESM build). */
export { ObjectId } from 'bson';
export type { OpenStoreOptions } from './open-store.js';
export { validateCollectionName, validateDatabaseName } from './names.js';
export {
  isTemporaryCollection,
  removeLeftoverCollections,
  replaceCollections,
} from './loading/replace-collections.js';
export type {
  ReplaceCollectionsOptions,
  ReplaceCollectionsResult,
} from './loading/replace-collections.js';
export {
  MAX_REJECTED_RAW_BYTES,
  RejectWriter,
  rejectedRecord,
} from './loading/rejected-records.js';
export type {
  RejectedInput,
  RejectedRecord,
  RejectWriterOptions,
} from './loading/rejected-records.js';
export type {
  AggregateOptions,
  BulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  Collection,
  CollectionInfo,
  CreateCollectionOptions,
  CreateIndexOptions,
  Cursor,
  Database,
  DatabaseInfo,
  DeleteResult,
  Document,
  DuplicateKey,
  EngineKind,
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
  ReadOptions,
  RenameOptions,
  ReplaceOptions,
  SortSpec,
  Store,
  UpdateDocument,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
} from './types.js';
