import { timeseriesSpec } from '../timeseries.js';
import { redactUri, StoreError, UsageError } from '@edx-data/core';
import { MongoClient, MongoServerError } from 'mongodb';
import type { Db as DriverDb } from 'mongodb';
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
import { MongoCollection } from './mongo-collection.js';
import type { MongoContext } from './mongo-collection.js';
import { Redactor, wrapError } from './mongo-errors.js';

export interface OpenMongoStoreOptions {
  /** How long to look for a server (and to wait for a TCP connection) before giving up, in ms. */
  readonly serverSelectionTimeoutMS: number;
}

/** Databases that belong to the server, not to the user: never listed. */
const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

class MongoDatabase implements Database {
  readonly name: string;
  readonly #db: DriverDb;
  readonly #context: MongoContext;

  constructor(db: DriverDb, context: MongoContext) {
    this.name = db.databaseName;
    this.#db = db;
    this.#context = context;
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    return new MongoCollection<T>(this.#db, name, this.#context);
  }

  async createCollection<T extends Document = Document>(
    name: string,
    options: CreateCollectionOptions = {},
  ): Promise<Collection<T>> {
    this.#context.assertOpen();
    validateCollectionName(name);
    const { timeseries, ...rest } = options;
    try {
      if (timeseries === undefined) await this.#db.createCollection(name, { ...rest });
      else {
        // A plain collection indexed by meta and time: MongoDB's own time-series collections do
        // not keep `_id` unique, which the embedded engine's bucketed collections do (README).
        const spec = timeseriesSpec(timeseries);
        await this.#db.createCollection(name, { ...rest });
        await this.#db
          .collection(name)
          .createIndex(
            spec.metaField === undefined
              ? { [spec.timeField]: 1 }
              : { [spec.metaField]: 1, [spec.timeField]: 1 },
          );
      }
    } catch (err) {
      throw wrapError(err, this.#context.redactor, `createCollection ${this.name}.${name}`);
    }
    return this.collection<T>(name);
  }

  async listCollections(): Promise<CollectionInfo[]> {
    this.#context.assertOpen();
    try {
      const collections = await this.#db.listCollections({}, { nameOnly: true }).toArray();
      return collections
        .map((info) => ({
          name: info.name,
          type: info.type === 'timeseries' ? ('timeseries' as const) : ('collection' as const),
        }))
        .filter((info) => !info.name.startsWith('system.'))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      throw wrapError(err, this.#context.redactor, `listCollections of ${this.name}`);
    }
  }
}

class MongoStore implements Store, MongoContext {
  readonly engine = 'mongodb';
  readonly location: string;
  readonly redactor: Redactor;
  readonly #client: MongoClient;
  #closed = false;

  constructor(client: MongoClient, location: string, redactor: Redactor) {
    this.#client = client;
    this.location = location;
    this.redactor = redactor;
  }

  assertOpen(): void {
    if (this.#closed)
      throw new StoreError('E_STORE_CLOSED', `the store at ${this.location} is closed`);
  }

  db(name: string): Database {
    return new MongoDatabase(this.#client.db(validateDatabaseName(name)), this);
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    this.assertOpen();
    try {
      const { databases } = await this.#client.db('admin').admin().listDatabases();
      return databases
        .filter((info) => !SYSTEM_DATABASES.has(info.name))
        .map((info) =>
          typeof info.sizeOnDisk === 'number'
            ? { name: info.name, sizeOnDisk: info.sizeOnDisk }
            : { name: info.name },
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      throw wrapError(err, this.redactor, 'listDatabases');
    }
  }

  async dropDatabase(name: string): Promise<boolean> {
    this.assertOpen();
    validateDatabaseName(name);
    try {
      const { databases } = await this.#client
        .db('admin')
        .admin()
        .listDatabases({ nameOnly: true });
      const existed = databases.some((info) => info.name === name);
      if (existed) await this.#client.db(name).dropDatabase();
      return existed;
    } catch (err) {
      throw wrapError(err, this.redactor, `dropDatabase ${name}`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#client.close();
    } catch (err) {
      throw wrapError(err, this.redactor, 'close');
    }
  }
}

/**
 * Open the MongoDB engine: connect to `uri` now, so an unreachable server fails here,
 * within `serverSelectionTimeoutMS`. The store is a thin pass-through to the official driver.
 * @throws UsageError `E_STORE_URI` for a URI the driver cannot parse
 * @throws StoreError `E_STORE_UNREACHABLE` when no server answered in time, `E_STORE` when
 *   the server refused the connection (authentication, TLS)
 */
export async function openMongoStore(uri: string, options: OpenMongoStoreOptions): Promise<Store> {
  const redactor = new Redactor(uri);
  const location = redactor.text(redactUri(uri));
  const timeout = options.serverSelectionTimeoutMS;
  let client: MongoClient;
  try {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: timeout, connectTimeoutMS: timeout });
  } catch (err) {
    redactor.error(err);
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(
      'E_STORE_URI',
      `invalid MongoDB URI ${location}: ${redactor.text(reason)}`,
      { cause: err },
    );
  }
  try {
    await client.connect();
  } catch (err) {
    await client.close().catch(() => undefined);
    redactor.error(err);
    const reason = redactor.text(err instanceof Error ? err.message : String(err));
    if (err instanceof MongoServerError) {
      throw new StoreError('E_STORE', `MongoDB at ${location} refused the connection: ${reason}`, {
        cause: err,
      });
    }
    throw new StoreError(
      'E_STORE_UNREACHABLE',
      `cannot reach MongoDB at ${location} (gave up after ${timeout / 1000} s): ${reason}`,
      { cause: err },
    );
  }
  return new MongoStore(client, location, redactor);
}
