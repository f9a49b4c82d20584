import type { Collection, Database, Document, Store } from '@edx-data/store';

function unsupported(): never {
  throw new Error('not supported by the fake store');
}

/** The documents of a fake store: database name → collection name → documents. */
export type FakeContents = Record<string, Record<string, readonly Document[]>>;

/** A store over in-memory documents: enough of the API for listing and counting. */
export function createFakeStore(
  contents: FakeContents,
  location = '/tmp/fake-store',
): Store & { closed: boolean } {
  const collection = (dbName: string, name: string): Collection => ({
    name,
    dbName,
    countDocuments: () => Promise.resolve(contents[dbName]?.[name]?.length ?? 0),
    insertOne: unsupported,
    insertMany: unsupported,
    bulkWrite: unsupported,
    find: unsupported,
    findOne: unsupported,
    aggregate: unsupported,
    distinct: unsupported,
    createIndex: unsupported,
    listIndexes: unsupported,
    deleteMany: unsupported,
    deleteOne: unsupported,
    updateOne: unsupported,
    updateMany: unsupported,
    replaceOne: unsupported,
    findOneAndUpdate: unsupported,
    findOneAndReplace: unsupported,
    findOneAndDelete: unsupported,
    estimatedDocumentCount: unsupported,
    drop: unsupported,
    rename: unsupported,
  });
  const db = (name: string): Database => ({
    name,
    collection: <T extends Document = Document>(collectionName: string) =>
      collection(name, collectionName) as unknown as Collection<T>,
    createCollection: unsupported,
    listCollections: () =>
      Promise.resolve(
        Object.keys(contents[name] ?? {}).map((collectionName) => ({ name: collectionName })),
      ),
  });
  const store = {
    engine: 'embedded' as const,
    location,
    closed: false,
    db,
    listDatabases: () => Promise.resolve(Object.keys(contents).map((name) => ({ name }))),
    dropDatabase: unsupported,
    close: () => {
      store.closed = true;
      return Promise.resolve();
    },
  };
  return store;
}
