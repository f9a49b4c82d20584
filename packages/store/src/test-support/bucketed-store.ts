/**
 * A store whose every collection is of the bucketed kind, so that the conformance suites'
 * query tests run on it unchanged: each collection is created with the `timeseries` option
 * ({@link HIDDEN_TIMESERIES}) before its first write, and each inserted document is given a
 * time and a meta value in two fields of its own (`__t`, `__m`: {@link hiddenFields}), which
 * reads project out again (merged into the test's own projection, or a `$project` after the
 * pipeline), so that a test sees its documents as it wrote them.
 *
 * On the embedded engine these are bucketed collections (buckets.ts; the wrapper checks that
 * `listCollections` says `timeseries`); on the MongoDB engine the option gives a plain
 * collection with a `{ __m: 1, __t: 1 }` index.
 */
import type {
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
  Store,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
} from '../types.js';

/** The time field the wrapper adds. */
export const TIME_FIELD = '__t';
/** The meta field the wrapper adds. */
export const META_FIELD = '__m';

/**
 * The `timeseries` option of every collection: one-day windows, at most 2 documents a bucket,
 * so that even the suites' six-document fixtures fill several buckets over several days and
 * split one.
 */
export const HIDDEN_TIMESERIES = {
  timeField: TIME_FIELD,
  metaField: META_FIELD,
  bucketMaxSpanSeconds: 86_400,
  bucketMaxCount: 2,
} as const;

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
/** The meta values, in turn: strings, and a document (which buckets cannot key). */
const META_VALUES: readonly (() => unknown)[] = [
  () => 'north',
  () => 'south',
  () => 'north',
  () => ({ r: 3 }),
];

/**
 * The hidden fields of the `position`-th document written to a collection: a time 5 hours
 * after the one before (about five a day), and the meta values in turn. Six documents written
 * at once make five buckets over two days: the day's first, third and fifth share `north`
 * and fill one bucket and start another.
 */
export function hiddenFields(position: number): { [TIME_FIELD]: Date; [META_FIELD]: unknown } {
  const meta = META_VALUES[position % META_VALUES.length] ?? (() => null);
  return { [TIME_FIELD]: new Date(T0 + position * 5 * HOUR), [META_FIELD]: meta() };
}

/** True when a projection includes fields (then the hidden ones are left out anyway). */
function isInclusion(projection: Projection): boolean {
  return Object.entries(projection).some(
    ([key, value]) => key !== '_id' && value !== 0 && value !== false,
  );
}

/** The test's projection, with the hidden fields excluded when it does not list what it wants. */
export function hidingProjection(projection: Projection | undefined): Projection {
  if (projection === undefined || Object.keys(projection).length === 0) {
    return { [TIME_FIELD]: 0, [META_FIELD]: 0 };
  }
  return isInclusion(projection) ? projection : { ...projection, [TIME_FIELD]: 0, [META_FIELD]: 0 };
}

/** Stages after which no field of the documents they were given is left. */
const RESHAPING = new Set([
  '$group',
  '$count',
  '$bucket',
  '$bucketAuto',
  '$facet',
  '$sortByCount',
  '$replaceRoot',
  '$replaceWith',
]);

/**
 * The test's pipeline followed by a `$project` that excludes the hidden fields wherever they
 * can still be: in the documents, unless a stage reshaped them; in the documents a `$lookup`
 * joined (its `as` field). None is added when no hidden field is left (FerretDB v1.24 closes
 * the connection on an exclusion `$project` after `$count` or an inclusion `$project`), nor
 * after `$out` or `$merge`.
 */
export function hidingPipeline(pipeline: readonly Document[]): Document[] {
  let hidden: string[] = [TIME_FIELD, META_FIELD];
  for (const stage of pipeline) {
    const [name] = Object.keys(stage);
    const spec = name === undefined ? undefined : stage[name];
    if (name === '$out' || name === '$merge') return [...pipeline];
    if (name !== undefined && RESHAPING.has(name)) hidden = [];
    else if (name === '$project' && isRecord(spec) && isInclusion(spec)) {
      hidden = hidden.filter((path) => {
        const top = spec[path.split('.')[0] ?? ''];
        return top !== undefined && top !== 0 && top !== false;
      });
    } else if (name === '$lookup' && isRecord(spec) && typeof spec['as'] === 'string') {
      hidden.push(`${spec['as']}.${TIME_FIELD}`, `${spec['as']}.${META_FIELD}`);
    }
  }
  if (hidden.length === 0) return [...pipeline];
  return [...pipeline, { $project: Object.fromEntries(hidden.map((path) => [path, 0])) }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How many documents each collection (`db.coll`) was given, for {@link hiddenFields}. */
type Positions = Map<string, number>;

class BucketedCollection<T extends Document> implements Collection<T> {
  constructor(
    private readonly inner: Collection<T>,
    private readonly db: BucketedDatabase,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get dbName(): string {
    return this.inner.dbName;
  }

  private withHidden(doc: T): T {
    const key = `${this.dbName}.${this.name}`;
    const position = this.db.positions.get(key) ?? 0;
    this.db.positions.set(key, position + 1);
    return { ...doc, ...hiddenFields(position) };
  }

  private async *hiddenAsync(docs: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const doc of docs) yield this.withHidden(doc);
  }

  private *hiddenSync(docs: Iterable<T>): Generator<T> {
    for (const doc of docs) yield this.withHidden(doc);
  }

  async insertOne(doc: T): Promise<{ readonly insertedId: unknown }> {
    await this.db.ensureBucketed(this.name);
    return this.inner.insertOne(this.withHidden(doc));
  }

  async insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options?: InsertManyOptions,
  ): Promise<InsertManyResult> {
    await this.db.ensureBucketed(this.name);
    const hidden = Symbol.asyncIterator in docs ? this.hiddenAsync(docs) : this.hiddenSync(docs);
    return this.inner.insertMany(hidden, options);
  }

  async bulkWrite(
    operations: readonly BulkWriteOperation<T>[],
    options?: BulkWriteOptions,
  ): Promise<BulkWriteResult> {
    await this.db.ensureBucketed(this.name);
    const hidden = operations.map((op) =>
      'insertOne' in op ? { insertOne: { document: this.withHidden(op.insertOne.document) } } : op,
    );
    return this.inner.bulkWrite(hidden, options);
  }

  find(filter?: Filter, options: FindOptions = {}): Cursor<T> {
    return this.inner.find(filter, {
      ...options,
      projection: hidingProjection(options.projection),
    });
  }

  findOne(filter?: Filter, options: FindOptions = {}): Promise<T | null> {
    return this.inner.findOne(filter, {
      ...options,
      projection: hidingProjection(options.projection),
    });
  }

  aggregate<R extends Document = Document>(
    pipeline: readonly Document[],
    options?: AggregateOptions,
  ): Cursor<R> {
    return this.inner.aggregate<R>(hidingPipeline(pipeline), options);
  }

  countDocuments(filter?: Filter): Promise<number> {
    return this.inner.countDocuments(filter);
  }

  distinct(field: string, filter?: Filter): Promise<unknown[]> {
    return this.inner.distinct(field, filter);
  }

  async createIndex(spec: IndexSpec, options?: CreateIndexOptions): Promise<string> {
    await this.db.ensureBucketed(this.name);
    return this.inner.createIndex(spec, options);
  }

  listIndexes(): Promise<IndexInfo[]> {
    return this.inner.listIndexes();
  }

  deleteMany(filter?: Filter): Promise<DeleteResult> {
    return this.inner.deleteMany(filter);
  }

  deleteOne(filter?: Filter): Promise<DeleteResult> {
    return this.inner.deleteOne(filter);
  }

  updateOne(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult> {
    return this.inner.updateOne(filter, update, options);
  }

  updateMany(filter: Filter, update: UpdateSpec, options?: UpdateOptions): Promise<UpdateResult> {
    return this.inner.updateMany(filter, update, options);
  }

  replaceOne(filter: Filter, replacement: T, options?: ReplaceOptions): Promise<UpdateResult> {
    return this.inner.replaceOne(filter, replacement, options);
  }

  findOneAndUpdate(
    filter: Filter,
    update: UpdateSpec,
    options: FindOneAndUpdateOptions = {},
  ): Promise<T | null> {
    return this.inner.findOneAndUpdate(filter, update, {
      ...options,
      projection: hidingProjection(options.projection),
    });
  }

  findOneAndReplace(
    filter: Filter,
    replacement: T,
    options: FindOneAndReplaceOptions = {},
  ): Promise<T | null> {
    return this.inner.findOneAndReplace(filter, replacement, {
      ...options,
      projection: hidingProjection(options.projection),
    });
  }

  findOneAndDelete(filter: Filter, options: FindOneAndDeleteOptions = {}): Promise<T | null> {
    return this.inner.findOneAndDelete(filter, {
      ...options,
      projection: hidingProjection(options.projection),
    });
  }

  estimatedDocumentCount(): Promise<number> {
    return this.inner.estimatedDocumentCount();
  }

  drop(): Promise<boolean> {
    return this.inner.drop();
  }

  async rename(newName: string, options?: RenameOptions): Promise<Collection<T>> {
    return new BucketedCollection(await this.inner.rename(newName, options), this.db);
  }
}

class BucketedDatabase implements Database {
  constructor(
    private readonly inner: Database,
    private readonly engine: Store['engine'],
    readonly positions: Positions,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  /**
   * Create the collection with the `timeseries` option unless it exists; on the embedded
   * engine, fail when it exists as a plain collection (the test would not be on buckets).
   */
  async ensureBucketed(name: string): Promise<void> {
    const info = (await this.inner.listCollections()).find((c) => c.name === name);
    if (info === undefined) {
      await this.inner.createCollection(name, { timeseries: HIDDEN_TIMESERIES });
    } else if (this.engine === 'embedded' && info.type !== 'timeseries') {
      throw new Error(`${this.name}.${name} is not a bucketed collection (${String(info.type)})`);
    }
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    return new BucketedCollection<T>(this.inner.collection<T>(name), this);
  }

  listCollections(): Promise<CollectionInfo[]> {
    return this.inner.listCollections();
  }

  async createCollection<T extends Document = Document>(
    name: string,
    options: CreateCollectionOptions = {},
  ): Promise<Collection<T>> {
    const made = await this.inner.createCollection<T>(name, {
      ...options,
      timeseries: HIDDEN_TIMESERIES,
    });
    return new BucketedCollection<T>(made, this);
  }
}

/** `store`, whose collections are all of the bucketed kind (see the module's comment). */
export function bucketedStore(store: Store): Store {
  const positions: Positions = new Map();
  return {
    engine: store.engine,
    location: store.location,
    db: (name: string): Database => new BucketedDatabase(store.db(name), store.engine, positions),
    listDatabases: (): Promise<DatabaseInfo[]> => store.listDatabases(),
    dropDatabase: (name: string): Promise<boolean> => store.dropDatabase(name),
    close: (): Promise<void> => store.close(),
  };
}
