/**
 * A collection of the embedded engine: documents in one SQLite table (BSON in `doc`, the
 * `_id` key in `id`, one extracted key column per indexed path), queried with mingo.
 */
import { update as applyUpdate } from 'mingo';
import { StoreError, UsageError } from '@edx-data/core';
import { decodeDocument, encodeDocument, idKey, isPlainObject, pathKey, withId } from './codec.js';
import { createAggregator, createMatcher, rememberBytes, shapeQuery } from './matcher.js';
import { planFilter, planSort } from './query-plan.js';
import type { KeyColumn, SqlCondition } from './query-plan.js';
import { storeErrorFrom } from './sqlite-file.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { IteratorCursor } from '../cursor.js';
import type { OpenedIterator } from '../cursor.js';
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
  DuplicateKey,
  Filter,
  FindOptions,
  IndexInfo,
  IndexSpec,
  InsertManyOptions,
  InsertManyResult,
  RenameOptions,
  UpdateDocument,
} from '../types.js';

/** What a collection needs from its database. */
export interface DatabaseHandle {
  readonly name: string;
  /** The database file; `create` makes it when missing, otherwise `null` means empty. */
  file(create: boolean): SqliteFile | null;
  collection<T extends Document>(name: string): Collection<T>;
}

const MAX_REPORTED_DUPLICATES = 1000;

/** A document ready for its row: `_id` key, BSON bytes and the key of each indexed path. */
interface EncodedDocument {
  readonly id: unknown;
  readonly idKey: string;
  readonly bytes: Buffer;
  keys: (string | null)[];
}

/** The indexed paths of a collection, in column order. */
interface KeyLayout {
  readonly signature: string;
  readonly paths: readonly { readonly segments: readonly string[]; readonly key: KeyColumn }[];
}

interface Inserter {
  readonly meta: CollectionMeta;
  readonly layout: KeyLayout;
  /** Insert one encoded document; false when its `_id` or a unique key already exists. */
  readonly insert: (doc: EncodedDocument) => boolean;
}

function keyLayout(meta: CollectionMeta | undefined): KeyLayout {
  if (!meta) return { signature: '', paths: [] };
  const paths = [...meta.columns.entries()].map(([path, key]) => ({
    segments: path.split('.'),
    key,
  }));
  return { signature: paths.map((p) => p.key.column).join(','), paths };
}

function encode(input: Document, layout: KeyLayout): EncodedDocument {
  const doc = withId(input);
  const id = doc['_id'];
  return {
    id,
    idKey: idKey(id),
    bytes: encodeDocument(doc),
    keys: layout.paths.map(({ segments }) => pathKey(doc, segments)),
  };
}

/** Default number of documents per write transaction of the embedded engine. */
const DEFAULT_BATCH_SIZE = 5000;
/** Unordered batches of at least this many documents are written by the writer thread. */
const BACKGROUND_MIN_BATCH = 500;
/** A batch is also written once its documents reach this many BSON bytes. */
const MAX_BATCH_BYTES = 16 * 2 ** 20;

/** Compute the index keys of encoded documents again, for another key layout. */
function rekey(docs: EncodedDocument[], layout: KeyLayout): void {
  for (const doc of docs) {
    const stored = decodeDocument(doc.bytes);
    doc.keys = layout.paths.map(({ segments }) => pathKey(stored, segments));
  }
}

interface Candidate {
  readonly rowid: number;
  readonly doc: Document;
}

function defaultIndexName(spec: IndexSpec): string {
  return Object.entries(spec)
    .map(([path, direction]) => `${path}_${direction}`)
    .join('_');
}

function describeId(id: unknown): string {
  if (typeof id === 'string') return JSON.stringify(id);
  if (id instanceof Date) return id.toISOString();
  return String(id);
}

export class EmbeddedCollection<T extends Document = Document> implements Collection<T> {
  readonly name: string;
  private inserter: Inserter | undefined;

  constructor(
    private readonly database: DatabaseHandle,
    name: string,
  ) {
    this.name = validateCollectionName(name);
  }

  get dbName(): string {
    return this.database.name;
  }

  private get namespace(): string {
    return `${this.database.name}.${this.name}`;
  }

  /** The file and catalogue entry, refreshed; undefined when the collection does not exist. */
  private existing(): { file: SqliteFile; meta: CollectionMeta } | undefined {
    const file = this.database.file(false);
    if (!file) return undefined;
    file.refresh();
    const meta = file.collection(this.name);
    return meta ? { file, meta } : undefined;
  }

  private writable(): SqliteFile {
    const file = this.database.file(true);
    if (!file) throw new StoreError('E_STORE', `cannot create the database of ${this.namespace}`);
    file.refresh();
    return file;
  }

  private wrap(action: string): (error: unknown) => Error {
    return (error: unknown) => {
      if (error instanceof StoreError || error instanceof UsageError) return error;
      const file = this.database.file(false)?.path ?? this.namespace;
      return storeErrorFrom(error, file, `${action} ${this.namespace}`);
    };
  }

  // ---------------------------------------------------------------- writes

  private getInserter(file: SqliteFile, meta: CollectionMeta): Inserter {
    const layout = keyLayout(meta);
    const cached = this.inserter;
    if (cached?.meta === meta && cached.layout.signature === layout.signature) return cached;
    const placeholders = ['?', '?', ...layout.paths.map(() => '?')].join(', ');
    const columns = ['id', 'doc', ...layout.paths.map(({ key }) => `"${key.column}"`)].join(', ');
    const statement = file.writer.prepare(
      `INSERT INTO "${meta.table}" (${columns}) VALUES (${placeholders}) ON CONFLICT DO NOTHING`,
    );
    const insert = (doc: EncodedDocument): boolean => {
      for (let i = 0; i < doc.keys.length; i++) {
        if (doc.keys[i] === null)
          file.markHasNull(meta, (layout.paths[i] as KeyLayout['paths'][number]).key);
      }
      return statement.run(doc.idKey, doc.bytes, ...doc.keys).changes === 1;
    };
    this.inserter = { meta, layout, insert };
    return this.inserter;
  }

  /** Insert a plain document inside a write transaction. */
  private insertDocument(file: SqliteFile, meta: CollectionMeta, doc: Document): boolean {
    const inserter = this.getInserter(file, meta);
    return inserter.insert(encode(doc, inserter.layout));
  }

  private keyParams(
    meta: CollectionMeta,
    file: SqliteFile,
    doc: Document,
  ): { sets: string; params: unknown[] } {
    const sets: string[] = ['id = ?', 'doc = ?'];
    const params: unknown[] = [idKey(doc['_id']), encodeDocument(doc)];
    for (const [path, key] of meta.columns) {
      const k = pathKey(doc, path.split('.'));
      if (k === null) file.markHasNull(meta, key);
      sets.push(`"${key.column}" = ?`);
      params.push(k);
    }
    return { sets: sets.join(', '), params };
  }

  /** Replace the stored document of a row; false when it now collides with a unique key. */
  private rewrite(file: SqliteFile, meta: CollectionMeta, rowid: number, doc: Document): boolean {
    const { sets, params } = this.keyParams(meta, file, doc);
    try {
      file.writer
        .prepare(`UPDATE "${meta.table}" SET ${sets} WHERE rowid = ?`)
        .run(...params, rowid);
      return true;
    } catch (error) {
      if (
        (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' ||
        (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
      )
        return false;
      throw error;
    }
  }

  private duplicateError(
    file: SqliteFile,
    meta: CollectionMeta,
    id: unknown,
    index: number,
    inserted: number,
  ): StoreError {
    const byId =
      file.writer.prepare(`SELECT 1 FROM "${meta.table}" WHERE id = ?`).get(idKey(id)) !==
      undefined;
    const what = byId
      ? `_id ${describeId(id)} already exists`
      : `document with _id ${describeId(id)} repeats a unique index key`;
    return new StoreError(
      'E_DUPLICATE_KEY',
      `duplicate key in ${this.namespace}: ${what} (document ${index} of the input; ${inserted} inserted before it)`,
    );
  }

  async insertOne(doc: T): Promise<{ readonly insertedId: unknown }> {
    await this.insertMany([doc], { ordered: true });
    return { insertedId: doc['_id'] };
  }

  async insertMany(
    docs: Iterable<T> | AsyncIterable<T>,
    options: InsertManyOptions = {},
  ): Promise<InsertManyResult> {
    const ordered = options.ordered ?? true;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UsageError(
        'E_OPTION',
        `insertMany: batchSize must be a positive integer, got ${String(batchSize)}`,
      );
    }
    let insertedCount = 0;
    let duplicateCount = 0;
    const duplicates: DuplicateKey[] = [];
    let position = 0;
    // Documents are encoded as they arrive, so a batch holds bytes, not live objects.
    let layout = keyLayout(this.existing()?.meta);
    let batch: EncodedDocument[] = [];
    let batchBytes = 0;

    const report = (index: number, id: unknown): void => {
      duplicateCount++;
      const duplicate: DuplicateKey = { index, id };
      if (duplicates.length < MAX_REPORTED_DUPLICATES) duplicates.push(duplicate);
      options.onDuplicate?.(duplicate);
    };

    const flush = (): void => {
      if (batch.length === 0) return;
      const first = position - batch.length;
      const current = batch;
      batch = [];
      batchBytes = 0;
      const file = this.writable();
      let failure: StoreError | undefined;
      try {
        file.transaction(() => {
          const meta = file.createCollection(this.name);
          const inserter = this.getInserter(file, meta);
          if (inserter.layout.signature !== layout.signature) {
            // An index was created while this batch was being read: key it again.
            layout = inserter.layout;
            rekey(current, layout);
          }
          for (let i = 0; i < current.length; i++) {
            const doc = current[i] as EncodedDocument;
            if (inserter.insert(doc)) {
              insertedCount++;
              continue;
            }
            if (ordered) {
              failure = this.duplicateError(file, meta, doc.id, first + i, insertedCount);
              return;
            }
            report(first + i, doc.id);
          }
        });
      } catch (error) {
        throw this.wrap('insert into')(error);
      }
      if (failure) throw failure;
    };

    // Large unordered batches go to the database's writer thread; while it writes one batch,
    // this thread encodes the next (at most two batches in flight).
    const inFlight: Promise<void>[] = [];
    const flushInBackground = async (): Promise<void> => {
      const first = position - batch.length;
      const current = batch;
      batch = [];
      batchBytes = 0;
      const written = this.writeInBackground(current, layout).then((result) => {
        layout = result.layout;
        insertedCount += result.inserted;
        for (const i of result.refused) report(first + i, (current[i] as EncodedDocument).id);
      });
      inFlight.push(written);
      // Keep the rejection handled until it is awaited below.
      written.catch(() => undefined);
      if (inFlight.length >= 2) await inFlight.shift();
    };

    const background = !ordered;
    try {
      for await (const doc of docs) {
        if (!isPlainObject(doc)) {
          throw new UsageError(
            'E_USAGE',
            `insertMany into ${this.namespace}: document ${position} is not an object`,
          );
        }
        const encoded = encode(doc, layout);
        batch.push(encoded);
        batchBytes += encoded.bytes.length;
        position++;
        if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
          if (background && batch.length >= BACKGROUND_MIN_BATCH) await flushInBackground();
          else {
            // Batches are written in input order: the earlier ones first.
            await Promise.all(inFlight.splice(0));
            flush();
          }
        }
      }
      if (background && batch.length >= BACKGROUND_MIN_BATCH) await flushInBackground();
      else {
        await Promise.all(inFlight.splice(0));
        flush();
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
    await Promise.all(inFlight);
    return { insertedCount, duplicateCount, duplicates };
  }

  /**
   * Write a batch in one transaction of the writer thread. Returns how many rows were
   * inserted, the positions (in `current`) of those refused as duplicates, and the key
   * layout used (the batch is keyed again, and sent again, when an index appeared).
   */
  private async writeInBackground(
    current: EncodedDocument[],
    startLayout: KeyLayout,
  ): Promise<{ inserted: number; refused: number[]; layout: KeyLayout }> {
    let layout = startLayout;
    for (let attempt = 0; ; attempt++) {
      const file = this.writable();
      let meta = file.collection(this.name);
      if (!meta) meta = file.transaction(() => file.createCollection(this.name));
      const latest = keyLayout(meta);
      if (latest.signature !== layout.signature) {
        layout = latest;
        rekey(current, layout);
      }
      const total = current.reduce((sum, doc) => sum + doc.bytes.length, 0);
      // Its own memory (not Node's shared pool), so that it can be transferred.
      const bytes = new Uint8Array(new ArrayBuffer(total));
      const offsets = new Uint32Array(current.length + 1);
      const width = layout.paths.length;
      const keys: (string | null)[] = new Array<string | null>(current.length * width);
      const nullColumns = new Set<string>();
      let offset = 0;
      for (let i = 0; i < current.length; i++) {
        const doc = current[i] as EncodedDocument;
        bytes.set(doc.bytes, offset);
        offsets[i] = offset;
        offset += doc.bytes.length;
        for (let j = 0; j < width; j++) {
          const key = doc.keys[j] ?? null;
          keys[i * width + j] = key;
          const column = (layout.paths[j] as KeyLayout['paths'][number]).key;
          if (key === null && !column.hasNull) nullColumns.add(column.column);
        }
      }
      offsets[current.length] = offset;
      const outcome = await file
        .bulk()
        .insert({
          table: meta.table,
          columns: layout.paths.map(({ key }) => key.column),
          ids: current.map((doc) => doc.idKey),
          bytes,
          offsets,
          keys,
          nullColumns: [...nullColumns],
        })
        .catch((error: unknown) => {
          throw this.wrap('insert into')(error);
        });
      if (outcome.kind === 'done') {
        const refused: number[] = [];
        let inserted = 0;
        for (let i = 0; i < current.length; i++) {
          if (outcome.inserted[i] === 1) inserted++;
          else refused.push(i);
        }
        return { inserted, refused, layout };
      }
      if (attempt >= 3) {
        throw new StoreError('E_STORE', `the indexes of ${this.namespace} keep changing`);
      }
    }
  }

  private candidates(
    file: SqliteFile,
    meta: CollectionMeta,
    filter: Filter,
    limitOne: boolean,
  ): Candidate[] {
    const plan = planFilter(filter, meta.columns);
    const matcher = createMatcher(filter);
    const statement = file.writer.prepare<unknown[], { rowid: number; doc: Buffer }>(
      `SELECT rowid, doc FROM "${meta.table}" WHERE ${plan.sql} ORDER BY rowid`,
    );
    const out: Candidate[] = [];
    for (const row of statement.iterate(...plan.params)) {
      const doc = decodeDocument(row.doc);
      if (!matcher.test(doc, row.doc)) continue;
      out.push({ rowid: row.rowid, doc });
      if (limitOne) break;
    }
    return out;
  }

  async bulkWrite(
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
    const file = this.writable();
    let failure: StoreError | undefined;
    try {
      file.transaction(() => {
        const meta = file.createCollection(this.name);
        const duplicate = (doc: Document, index: number): boolean => {
          if (ordered) {
            failure = this.duplicateError(
              file,
              meta,
              doc['_id'],
              index,
              result.insertedCount + result.upsertedCount,
            );
            return true;
          }
          result.duplicateCount++;
          return false;
        };
        for (let index = 0; index < operations.length; index++) {
          const operation = operations[index] as BulkWriteOperation;
          if ('insertOne' in operation) {
            const doc = operation.insertOne.document;
            if (this.insertDocument(file, meta, doc)) result.insertedCount++;
            else if (duplicate(doc, index)) return;
          } else if ('updateOne' in operation || 'updateMany' in operation) {
            const spec = 'updateOne' in operation ? operation.updateOne : operation.updateMany;
            const many = 'updateMany' in operation;
            const { $setOnInsert, ...onMatch } = checkUpdate(spec.update);
            const matches = this.candidates(file, meta, spec.filter, !many);
            result.matchedCount += matches.length;
            for (const { rowid, doc } of matches) {
              const id = doc['_id'];
              const changed = applyUpdate(doc, onMatch);
              if (changed.length === 0) continue;
              if (!sameId(id, doc['_id'])) {
                throw new StoreError(
                  'E_STORE',
                  `update in ${this.namespace} would change the immutable field _id`,
                );
              }
              if (this.rewrite(file, meta, rowid, doc)) result.modifiedCount++;
              else if (duplicate(doc, index)) return;
            }
            if (matches.length === 0 && spec.upsert === true) {
              const doc = seedFromFilter(spec.filter);
              applyUpdate(doc, mergeSetOnInsert(onMatch, $setOnInsert));
              const stored = withId(doc);
              if (this.insertDocument(file, meta, stored)) {
                result.upsertedCount++;
                result.upsertedIds[index] = stored['_id'];
              } else if (duplicate(stored, index)) return;
            }
          } else if ('replaceOne' in operation) {
            const spec = operation.replaceOne;
            const replacement: Document = { ...spec.replacement };
            if (Object.keys(replacement).some((key) => key.startsWith('$'))) {
              throw new UsageError(
                'E_USAGE',
                `replaceOne in ${this.namespace}: the replacement must not contain update operators`,
              );
            }
            const [match] = this.candidates(file, meta, spec.filter, true);
            if (match) {
              result.matchedCount++;
              if (
                replacement['_id'] !== undefined &&
                !sameId(replacement['_id'], match.doc['_id'])
              ) {
                throw new StoreError(
                  'E_STORE',
                  `replaceOne in ${this.namespace} would change the immutable field _id`,
                );
              }
              const stored = { _id: match.doc['_id'], ...replacement };
              if (this.rewrite(file, meta, match.rowid, stored)) result.modifiedCount++;
              else if (duplicate(stored, index)) return;
            } else if (spec.upsert === true) {
              const seed = seedFromFilter(spec.filter);
              const stored = withId({
                ...(seed['_id'] === undefined ? {} : { _id: seed['_id'] }),
                ...replacement,
              });
              if (this.insertDocument(file, meta, stored)) {
                result.upsertedCount++;
                result.upsertedIds[index] = stored['_id'];
              } else if (duplicate(stored, index)) return;
            }
          } else if ('deleteOne' in operation || 'deleteMany' in operation) {
            const many = 'deleteMany' in operation;
            const filter =
              'deleteOne' in operation ? operation.deleteOne.filter : operation.deleteMany.filter;
            const matches = this.candidates(file, meta, filter, !many);
            const remove = file.writer.prepare(`DELETE FROM "${meta.table}" WHERE rowid = ?`);
            for (const { rowid } of matches) result.deletedCount += remove.run(rowid).changes;
          } else {
            throw new UsageError(
              'E_USAGE',
              `bulkWrite on ${this.namespace}: unknown operation ${Object.keys(operation).join(', ')}`,
            );
          }
        }
      });
    } catch (error) {
      throw this.wrap('write to')(error);
    }
    if (failure) throw failure;
    return Promise.resolve(result);
  }

  // ---------------------------------------------------------------- reads

  private static selectSql(
    meta: CollectionMeta,
    plan: SqlCondition,
    orderBy: string | null,
  ): string {
    // Without a sort, rows come in the order of the index that serves the query (or of
    // insertion for a scan), as on MongoDB; forcing rowid order would sort every match first.
    return `SELECT doc FROM "${meta.table}" WHERE ${plan.sql}${orderBy === null ? '' : ` ORDER BY ${orderBy}`}`;
  }

  /**
   * How the embedded engine would run a find: the SQL it sends to SQLite and SQLite's
   * `EXPLAIN QUERY PLAN` for it (to check that an index serves a query). Not part of the
   * engine-neutral API.
   */
  explain(
    filter: Filter = {},
    options: Pick<FindOptions, 'sort'> = {},
  ): { sql: string; plan: string[]; exact: boolean } {
    const found = this.existing();
    if (!found) return { sql: '', plan: [], exact: true };
    const { file, meta } = found;
    const plan = planFilter(filter, meta.columns);
    const orderBy = options.sort ? planSort(options.sort, meta.columns) : null;
    const sql = EmbeddedCollection.selectSql(meta, plan, orderBy);
    const rows = file.writer
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...plan.params);
    return { sql, plan: rows.map((row) => row.detail), exact: plan.exact };
  }

  private openRows(
    file: SqliteFile,
    meta: CollectionMeta,
    plan: SqlCondition,
    orderBy: string | null,
  ): OpenedIterator<Buffer> {
    const reader = file.acquireReader();
    try {
      const statement = reader
        .prepare<unknown[], Buffer>(EmbeddedCollection.selectSql(meta, plan, orderBy))
        .pluck();
      const iterator = statement.iterate(...plan.params);
      return {
        iterator,
        close: () => {
          file.releaseReader(reader);
        },
      };
    } catch (error) {
      file.releaseReader(reader);
      throw error;
    }
  }

  find(filter: Filter = {}, options: FindOptions = {}): Cursor<T> {
    return new IteratorCursor<T>(() => this.startFind(filter, options), this.wrap('read from'));
  }

  private startFind(filter: Filter, options: FindOptions): OpenedIterator<T> {
    const found = this.existing();
    if (!found) return { iterator: [][Symbol.iterator](), close: () => undefined };
    const { file, meta } = found;
    const promote = options.promoteValues ?? true;
    const plan = planFilter(filter, meta.columns);
    const sort = options.sort && Object.keys(options.sort).length > 0 ? options.sort : undefined;
    const orderBy = sort ? planSort(sort, meta.columns) : null;
    const projection =
      options.projection && Object.keys(options.projection).length > 0
        ? options.projection
        : undefined;
    const rows = this.openRows(file, meta, plan, orderBy);
    const matcher = createMatcher(filter);
    const exactPlan = plan.exact;
    const matching = function* (): Generator<Document, void, undefined> {
      for (;;) {
        const next = rows.iterator.next();
        if (next.done === true) return;
        const bytes = next.value;
        const doc = decodeDocument(bytes);
        if (exactPlan || matcher.test(doc, bytes))
          yield promote ? doc : decodeDocument(bytes, false);
      }
    };
    let results: Iterator<Document> = matching();
    if (projection || (sort && orderBy === null) || options.skip || options.limit) {
      let cursor = shapeQuery().find<Document>(asIterable(results), projection);
      if (sort && orderBy === null) cursor = cursor.sort(sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit) cursor = cursor.limit(options.limit);
      results = cursor[Symbol.iterator]() as unknown as Iterator<Document>;
    }
    return {
      iterator: results as Iterator<T>,
      close: () => {
        rows.iterator.return?.();
        rows.close();
      },
    };
  }

  async findOne(filter: Filter = {}, options: FindOptions = {}): Promise<T | null> {
    const cursor = this.find(filter, { ...options, limit: 1 });
    for await (const doc of cursor) return doc;
    return null;
  }

  aggregate<R extends Document = Document>(pipeline: readonly Document[]): Cursor<R> {
    return new IteratorCursor<R>(() => this.startAggregate(pipeline), this.wrap('aggregate'));
  }

  private startAggregate(pipeline: readonly Document[]): OpenedIterator<never> {
    const found = this.existing();
    const first = pipeline[0];
    const match = first && isPlainObject(first['$match']) ? first['$match'] : {};
    const lookups = new Map<string, Document[]>();
    const aggregator = createAggregator(pipeline, (name: string) => {
      let docs = lookups.get(name);
      if (!docs) {
        docs = this.allDocuments(validateCollectionName(name));
        lookups.set(name, docs);
      }
      return docs;
    });
    if (!found) {
      return {
        iterator: aggregator.stream([]) as unknown as Iterator<never>,
        close: () => undefined,
      };
    }
    const { file, meta } = found;
    const rows = this.openRows(file, meta, planFilter(match, meta.columns), null);
    const docs = mapIterator(rows.iterator, (bytes) => {
      const doc = decodeDocument(bytes);
      rememberBytes(doc, bytes);
      return doc;
    });
    const results = aggregator.stream(asIterable(docs)) as unknown as Iterator<never>;
    return {
      iterator: results,
      close: () => {
        rows.iterator.return?.();
        rows.close();
      },
    };
  }

  /** Every document of a sibling collection (for `$lookup`). */
  private allDocuments(name: string): Document[] {
    const file = this.database.file(false);
    const meta = file?.collection(name);
    if (!file || !meta) return [];
    return file.writer
      .prepare<[], Buffer>(`SELECT doc FROM "${meta.table}" ORDER BY rowid`)
      .pluck()
      .all()
      .map((bytes) => decodeDocument(bytes));
  }

  countDocuments(filter: Filter = {}): Promise<number> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve(0);
      const { file, meta } = found;
      const plan = planFilter(filter, meta.columns);
      if (plan.exact) {
        const row = file.writer
          .prepare<unknown[], { n: number }>(
            `SELECT count(*) AS n FROM "${meta.table}" WHERE ${plan.sql}`,
          )
          .get(...plan.params);
        return Promise.resolve(row?.n ?? 0);
      }
      const matcher = createMatcher(filter);
      let count = 0;
      const statement = file.writer
        .prepare<unknown[], Buffer>(`SELECT doc FROM "${meta.table}" WHERE ${plan.sql}`)
        .pluck();
      for (const bytes of statement.iterate(...plan.params))
        if (matcher.test(decodeDocument(bytes), bytes)) count++;
      return Promise.resolve(count);
    } catch (error) {
      return Promise.reject(this.wrap('count in')(error));
    }
  }

  async distinct(field: string, filter: Filter = {}): Promise<unknown[]> {
    const seen = new Map<string, unknown>();
    const segments = field.split('.');
    for await (const doc of this.find(filter)) {
      for (const value of valuesAtPath(doc, segments)) {
        const key = idKey(value);
        if (!seen.has(key)) seen.set(key, value);
      }
    }
    return [...seen.values()];
  }

  deleteMany(filter: Filter = {}): Promise<DeleteResult> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve({ deletedCount: 0 });
      const { file, meta } = found;
      const plan = planFilter(filter, meta.columns);
      const deletedCount = file.transaction(() => {
        if (plan.exact) {
          return file.writer
            .prepare(`DELETE FROM "${meta.table}" WHERE ${plan.sql}`)
            .run(...plan.params).changes;
        }
        const remove = file.writer.prepare(`DELETE FROM "${meta.table}" WHERE rowid = ?`);
        let n = 0;
        for (const { rowid } of this.candidates(file, meta, filter, false))
          n += remove.run(rowid).changes;
        return n;
      });
      return Promise.resolve({ deletedCount });
    } catch (error) {
      return Promise.reject(this.wrap('delete from')(error));
    }
  }

  // ---------------------------------------------------------------- indexes and lifecycle

  createIndex(spec: IndexSpec, options: CreateIndexOptions = {}): Promise<string> {
    try {
      const entries = Object.entries(spec);
      // Callers in plain JS can pass anything: check what the type promises.
      const directions: unknown[] = entries.map(([, d]) => d);
      if (entries.length === 0 || directions.some((d) => d !== 1 && d !== -1)) {
        throw new UsageError(
          'E_USAGE',
          `createIndex on ${this.namespace}: the key must map field names to 1 or -1`,
        );
      }
      const name = options.name ?? defaultIndexName(spec);
      const unique = options.unique ?? false;
      if (entries.length === 1 && entries[0]?.[0] === '_id') return Promise.resolve('_id_');
      const file = this.writable();
      file.transaction(() => {
        const meta = file.createCollection(this.name);
        const existing = meta.indexes.find((index) => index.name === name);
        if (existing) {
          if (JSON.stringify(existing.key) === JSON.stringify(spec) && existing.unique === unique)
            return;
          throw new StoreError(
            'E_STORE',
            `an index named ${name} with another key or options already exists on ${this.namespace}`,
          );
        }
        const fresh: [string, KeyColumn][] = [];
        const keys = entries.map(([path]) => {
          const known = meta.columns.get(path);
          if (known) return known;
          const key = file.addColumn(meta, path);
          fresh.push([path, key]);
          return key;
        });
        if (fresh.length > 0) this.backfill(file, meta, fresh);
        const sqlName = `${meta.table}_${keys.map((k) => k.column).join('_')}_${unique ? 'u' : 'i'}`;
        const columns = entries.map(
          ([, direction], i) => `"${keys[i]?.column ?? ''}" ${direction === -1 ? 'DESC' : 'ASC'}`,
        );
        try {
          file.writer.exec(
            `CREATE ${unique ? 'UNIQUE ' : ''}INDEX "${sqlName}" ON "${meta.table}" (${columns.join(', ')})`,
          );
        } catch (error) {
          if (String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreError(
              'E_DUPLICATE_KEY',
              `cannot create unique index ${name} on ${this.namespace}: existing documents repeat a key`,
              { cause: error },
            );
          }
          throw error;
        }
        file.recordIndex(meta, { name, key: { ...spec }, unique, sqlName });
      });
      return Promise.resolve(name);
    } catch (error) {
      return Promise.reject(this.wrap('create an index on')(error));
    }
  }

  /** Fill new key columns for the documents already stored (inside the transaction). */
  private backfill(
    file: SqliteFile,
    meta: CollectionMeta,
    fresh: readonly [string, KeyColumn][],
  ): void {
    const select = file.writer.prepare<[number], { rowid: number; doc: Buffer }>(
      `SELECT rowid, doc FROM "${meta.table}" WHERE rowid > ? ORDER BY rowid LIMIT 5000`,
    );
    const sets = fresh.map(([, key]) => `"${key.column}" = ?`).join(', ');
    const write = file.writer.prepare(`UPDATE "${meta.table}" SET ${sets} WHERE rowid = ?`);
    const segments = fresh.map(([path, key]) => ({ segments: path.split('.'), key }));
    let after = 0;
    for (;;) {
      const rows = select.all(after);
      if (rows.length === 0) return;
      for (const row of rows) {
        const doc = decodeDocument(row.doc);
        const params = segments.map(({ segments: s, key }) => {
          const k = pathKey(doc, s);
          if (k === null) file.markHasNull(meta, key);
          return k;
        });
        write.run(...params, row.rowid);
        after = row.rowid;
      }
    }
  }

  listIndexes(): Promise<IndexInfo[]> {
    const found = this.existing();
    const idIndex: IndexInfo = { name: '_id_', key: { _id: 1 }, unique: true };
    if (!found) return Promise.resolve([]);
    return Promise.resolve([
      idIndex,
      ...found.meta.indexes.map(({ name, key, unique }) => ({ name, key, unique })),
    ]);
  }

  drop(): Promise<boolean> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve(false);
      this.inserter = undefined;
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
      this.inserter = undefined;
      return Promise.resolve(this.database.collection<T>(newName));
    } catch (error) {
      return Promise.reject(this.wrap('rename')(error));
    }
  }
}

// -------------------------------------------------------------------- helpers

function* mapIterator<A, B>(
  iterator: Iterator<A>,
  fn: (value: A) => B,
): Generator<B, void, undefined> {
  try {
    for (;;) {
      const result = iterator.next();
      if (result.done === true) return;
      yield fn(result.value);
    }
  } finally {
    iterator.return?.();
  }
}

function asIterable<X>(iterator: Iterator<X>): Iterable<X> {
  return { [Symbol.iterator]: () => iterator };
}

function sameId(a: unknown, b: unknown): boolean {
  return idKey(a) === idKey(b);
}

function checkUpdate(update: UpdateDocument): UpdateDocument {
  const keys = Object.keys(update);
  if (Array.isArray(update) || keys.length === 0 || !keys.every((key) => key.startsWith('$'))) {
    throw new UsageError(
      'E_USAGE',
      'an update must be a document of update operators ($set, $inc, …); use replaceOne to replace a document',
    );
  }
  return update;
}

function mergeSetOnInsert(update: UpdateDocument, setOnInsert: unknown): UpdateDocument {
  if (!isPlainObject(setOnInsert)) return update;
  const set = isPlainObject(update['$set']) ? update['$set'] : {};
  return { ...update, $set: { ...set, ...setOnInsert } };
}

/** The document an upsert starts from: the filter's equality conditions. */
function seedFromFilter(filter: Filter): Document {
  const doc: Document = {};
  const assign = (path: string, value: unknown): void => {
    const segments = path.split('.');
    let target: Document = doc;
    for (const segment of segments.slice(0, -1)) {
      const next = target[segment];
      if (isPlainObject(next)) target = next;
      else {
        const created: Document = {};
        target[segment] = created;
        target = created;
      }
    }
    target[segments[segments.length - 1] ?? path] = value;
  };
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const sub of condition) if (isPlainObject(sub)) Object.assign(doc, seedFromFilter(sub));
    } else if (path.startsWith('$')) {
      continue;
    } else if (
      isPlainObject(condition) &&
      Object.keys(condition).some((key) => key.startsWith('$'))
    ) {
      if ('$eq' in condition) assign(path, condition['$eq']);
    } else {
      assign(path, condition);
    }
  }
  return doc;
}

/** Values at a dotted path for `distinct`: arrays on the way and at the end are unwound. */
function valuesAtPath(doc: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return Array.isArray(doc) ? doc : doc === undefined ? [] : [doc];
  if (Array.isArray(doc)) return doc.flatMap((item) => valuesAtPath(item, segments));
  if (!isPlainObject(doc)) return [];
  const [head, ...rest] = segments;
  return valuesAtPath(doc[head ?? ''], rest);
}
