/**
 * The embedded engine: a folder of SQLite files, one per database, created mode 0700 (the
 * folder) and 0600 (the files), because the store holds personal data.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError, UsageError } from '@edx-data/core';
import { timeseriesSpec } from '../timeseries.js';
import { EmbeddedCollection } from './embedded-collection.js';
import type { DatabaseHandle } from './collection-handle.js';
import { isPlainObject } from './codec.js';
import { createMatcher } from './matcher.js';
import { SqliteFile } from './sqlite-file.js';
import type { CollectionValidator } from './sqlite-file.js';
import { validateCollectionName, validateDatabaseName } from '../names.js';
import type {
  Collection,
  CollectionInfo,
  CreateCollectionOptions,
  Database,
  DatabaseInfo,
  Document,
  Store,
} from '../types.js';

const FILE_SUFFIX = '.sqlite';

/** The options of `createCollection` the embedded engine implements. */
const VALIDATION_OPTIONS = new Set([
  'validator',
  'validationLevel',
  'validationAction',
  'timeseries',
]);

/**
 * The validator a collection is created with: a query filter, checked on every insert and
 * update when `validationLevel` is `strict` (the default) and `validationAction` is `error`
 * (the default); none with level `off` or action `warn` (which MongoDB only logs).
 * @throws StoreError `E_UNSUPPORTED` for any other option, level `moderate`, or a
 *   `$jsonSchema` validator
 */
function collectionValidation(options: CreateCollectionOptions): CollectionValidator | undefined {
  const refuse = (what: string): never => {
    throw new StoreError('E_UNSUPPORTED', `the embedded engine does not support ${what}`);
  };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !VALIDATION_OPTIONS.has(key))
      refuse(`the createCollection option ${key}`);
  }
  const { validator, validationLevel = 'strict', validationAction = 'error' } = options;
  if (validator === undefined) return undefined;
  if (!isPlainObject(validator)) throw new StoreError('E_STORE', 'a validator must be a document');
  if (JSON.stringify(validator).includes('"$jsonSchema"')) refuse('$jsonSchema validators');
  if (validationLevel === 'moderate') refuse('validationLevel moderate');
  if (validationLevel === 'off' || validationAction === 'warn') return undefined;
  createMatcher(validator); // unknown operators are refused now, not at the first write
  return { validator };
}

class EmbeddedDatabase implements Database, DatabaseHandle {
  private handle: SqliteFile | null = null;
  private readonly collections = new Map<string, EmbeddedCollection>();

  constructor(
    private readonly store: EmbeddedStore,
    readonly name: string,
    private readonly path: string,
  ) {}

  file(create: boolean): SqliteFile | null {
    this.store.assertOpen();
    if (this.handle) return this.handle;
    if (create) this.store.ensureFolder();
    this.handle = SqliteFile.open(this.path, create);
    return this.handle;
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new EmbeddedCollection(this, name);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  sibling(name: string): DatabaseHandle {
    return this.store.database(name);
  }

  createCollection<T extends Document = Document>(
    name: string,
    options: CreateCollectionOptions = {},
  ): Promise<Collection<T>> {
    try {
      validateCollectionName(name);
      const validation = collectionValidation(options);
      const timeseries =
        options['timeseries'] === undefined ? undefined : timeseriesSpec(options['timeseries']);
      const file = this.file(true);
      if (!file) throw new StoreError('E_STORE', `cannot create the database ${this.name}`);
      file.refresh();
      file.transaction(() => {
        if (file.collection(name)) {
          throw new StoreError('E_STORE', `collection ${this.name}.${name} already exists`);
        }
        file.createCollection(name, validation, timeseries);
      });
      return Promise.resolve(this.collection<T>(name));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  listCollections(): Promise<CollectionInfo[]> {
    try {
      const file = this.file(false);
      if (!file) return Promise.resolve([]);
      file.refresh();
      return Promise.resolve(
        file.collectionNames().map((name) => ({
          name,
          type: file.collection(name)?.timeseries
            ? ('timeseries' as const)
            : ('collection' as const),
        })),
      );
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Close the file (the store is closing), after the writer thread has finished. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.collections.clear();
    await handle?.closeAsync();
  }

  async destroy(): Promise<boolean> {
    await this.handle?.bulkIdle();
    const existed = existsSync(this.path);
    const file = this.handle ?? (existed ? SqliteFile.open(this.path, false) : null);
    this.handle = null;
    this.collections.clear();
    file?.destroy();
    return existed;
  }
}

export class EmbeddedStore implements Store {
  readonly engine = 'embedded' as const;
  readonly location: string;
  private readonly databases = new Map<string, EmbeddedDatabase>();
  private closed = false;

  constructor(folder: string) {
    this.location = resolve(folder);
  }

  assertOpen(): void {
    if (this.closed)
      throw new StoreError('E_STORE_CLOSED', `the store at ${this.location} is closed`);
  }

  /** Create the store folder (mode 0700) when it does not exist. */
  ensureFolder(): void {
    if (existsSync(this.location)) {
      if (!statSync(this.location).isDirectory()) {
        throw new StoreError(
          'E_STORE',
          `the store location ${this.location} exists and is not a folder`,
        );
      }
      return;
    }
    try {
      mkdirSync(this.location, { recursive: true, mode: 0o700 });
      chmodSync(this.location, 0o700);
    } catch (error) {
      throw new StoreError(
        'E_STORE',
        `cannot create the store folder ${this.location}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  db(name: string): Database {
    return this.database(name);
  }

  /** The database of this name (the engine's own view of it). */
  database(name: string): EmbeddedDatabase {
    this.assertOpen();
    validateDatabaseName(name);
    let database = this.databases.get(name);
    if (!database) {
      database = new EmbeddedDatabase(this, name, join(this.location, name + FILE_SUFFIX));
      this.databases.set(name, database);
    }
    return database;
  }

  listDatabases(): Promise<DatabaseInfo[]> {
    this.assertOpen();
    if (!existsSync(this.location)) return Promise.resolve([]);
    const out: DatabaseInfo[] = [];
    for (const entry of readdirSync(this.location)) {
      if (!entry.endsWith(FILE_SUFFIX)) continue;
      const name = entry.slice(0, -FILE_SUFFIX.length);
      let sizeOnDisk = 0;
      for (const suffix of ['', '-wal']) {
        try {
          sizeOnDisk += statSync(join(this.location, entry + suffix)).size;
        } catch {
          // no WAL file at the moment
        }
      }
      out.push({ name, sizeOnDisk });
    }
    return Promise.resolve(out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }

  dropDatabase(name: string): Promise<boolean> {
    this.assertOpen();
    validateDatabaseName(name);
    const database =
      this.databases.get(name) ??
      new EmbeddedDatabase(this, name, join(this.location, name + FILE_SUFFIX));
    this.databases.delete(name);
    return database.destroy();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const databases = [...this.databases.values()];
    this.databases.clear();
    await Promise.all(databases.map((database) => database.close()));
  }
}

/** The first bytes of every SQLite database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** True when `path` is a regular file that starts as an SQLite database does. */
function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Refuse a location that holds no store: one that does not exist, a file, or a folder with
 * no database of ours (`<name>.sqlite`, an SQLite file) in it.
 * @throws UsageError `E_STORE_NOT_FOUND`, saying what is there
 */
function assertStoreExists(location: string): void {
  const refuse = (found: string): never => {
    throw new UsageError('E_STORE_NOT_FOUND', `no store at ${location}: ${found}`);
  };
  let isFolder: boolean;
  try {
    isFolder = statSync(location).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse('no such folder');
    return refuse(`it cannot be read (${(error as Error).message})`);
  }
  if (!isFolder) return refuse('it is a file, not a store folder');
  const entries = readdirSync(location);
  const databases = entries.filter(
    (entry) =>
      entry.endsWith(FILE_SUFFIX) &&
      entry.length > FILE_SUFFIX.length &&
      isSqliteFile(join(location, entry)),
  );
  if (databases.length > 0) return;
  refuse(
    entries.length === 0
      ? 'an empty folder'
      : `a folder with ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} but no store databases (*${FILE_SUFFIX})`,
  );
}

export interface OpenEmbeddedStoreOptions {
  /** `false`: the folder must already hold a store (see `OpenStoreOptions.create`). */
  readonly create?: boolean;
}

/** Open the embedded engine in a folder (created on the first write unless `create: false`). */
export function openEmbeddedStore(
  folder: string,
  options: OpenEmbeddedStoreOptions = {},
): Promise<Store> {
  try {
    const store = new EmbeddedStore(folder);
    if (options.create === false) assertStoreExists(store.location);
    return Promise.resolve(store);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
