/**
 * The reads of an embedded collection: find (with the SQL plan over the key columns, then
 * mingo on the candidates), aggregate, countDocuments, distinct and explain.
 */
import { bucketCondition, bucketDocuments } from './buckets.js';
import { decodeDocument, encodeDocument, idKey, isPlainObject } from './codec.js';
import { CollectionHandle } from './collection-handle.js';
import { sortDocuments } from './bson-operators.js';
import { CollectionWrites } from './collection-writes.js';
import {
  createAggregator,
  createMatcher,
  isKnownOperator,
  rememberBytes,
  shapeQuery,
} from './matcher.js';
import { checkPipeline } from './operator-check.js';
import type { CheckedPipeline } from './operator-check.js';
import { mergeSpec, outTarget, writeMerge, writeOut } from './output-stages.js';
import { planFilter, planSort } from './query-plan.js';
import type { SqlCondition } from './query-plan.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { IteratorCursor } from '../cursor.js';
import type { OpenedIterator } from '../cursor.js';
import { validateCollectionName } from '../names.js';
import type { Cursor, Document, Filter, FindOptions } from '../types.js';

export class CollectionReads<T extends Document = Document> extends CollectionHandle {
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
    if (meta.timeseries) {
      const condition = bucketCondition(meta.timeseries, filter);
      const sql = `SELECT id FROM "${meta.table}" WHERE ${condition.sql} ORDER BY id`;
      const rows = file.writer
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...condition.params);
      return { sql, plan: rows.map((row) => row.detail), exact: false };
    }
    const plan = planFilter(filter, meta.columns);
    const orderBy = options.sort ? planSort(options.sort, meta.columns) : null;
    const sql = CollectionReads.selectSql(meta, plan, orderBy);
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
        .prepare<unknown[], Buffer>(CollectionReads.selectSql(meta, plan, orderBy))
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

  /** The documents of the buckets that can hold a match of `filter` (the caller filters). */
  private openBuckets(
    file: SqliteFile,
    meta: CollectionMeta,
    filter: Filter,
  ): OpenedIterator<Document> {
    const spec = meta.timeseries;
    if (!spec) throw new Error(`${this.namespace} is not bucketed`);
    const reader = file.acquireReader();
    try {
      const iterator = bucketDocuments(reader, meta.table, spec, filter);
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
    const sort = options.sort && Object.keys(options.sort).length > 0 ? options.sort : undefined;
    const projection =
      options.projection && Object.keys(options.projection).length > 0
        ? options.projection
        : undefined;
    const matcher = createMatcher(filter);
    let orderBy: string | null = null;
    let rows: OpenedIterator<unknown>;
    let matching: () => Generator<Document, void, undefined>;
    if (meta.timeseries) {
      const docs = this.openBuckets(file, meta, filter);
      rows = docs;
      matching = function* () {
        for (;;) {
          const next = docs.iterator.next();
          if (next.done === true) return;
          const doc = next.value;
          if (matcher.test(doc)) yield promote ? doc : decodeDocument(encodeDocument(doc), false);
        }
      };
    } else {
      const plan = planFilter(filter, meta.columns);
      orderBy = sort ? planSort(sort, meta.columns) : null;
      const opened = this.openRows(file, meta, plan, orderBy);
      rows = opened;
      const exactPlan = plan.exact;
      matching = function* () {
        for (;;) {
          const next = opened.iterator.next();
          if (next.done === true) return;
          const bytes = next.value;
          const doc = decodeDocument(bytes);
          if (exactPlan || matcher.test(doc, bytes))
            yield promote ? doc : decodeDocument(bytes, false);
        }
      };
    }
    let results: Iterator<Document> = matching();
    if (sort && orderBy === null) {
      // No index serves the sort: MongoDB's order, in memory (bson-order.ts).
      results = sortDocuments([...asIterable(results)], sort)[Symbol.iterator]();
    }
    if (options.skip || options.limit) {
      // Ours, not mingo's: its `$limit` went on reading the source to its end.
      results = skipAndLimit(results, options.skip ?? 0, options.limit ?? 0);
    }
    if (projection) {
      const cursor = shapeQuery().find<Document>(asIterable(results), projection);
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
    const { stages, output } = checkPipeline(pipeline, isKnownOperator);
    const found = this.existing();
    const first = stages[0];
    const match = first && isPlainObject(first['$match']) ? first['$match'] : {};
    const lookups = new Map<string, Document[]>();
    const aggregator = createAggregator(stages, (name: string) => {
      let docs = lookups.get(name);
      if (!docs) {
        docs = this.allDocuments(validateCollectionName(name));
        lookups.set(name, docs);
      }
      return docs;
    });
    let rows: OpenedIterator<unknown> | undefined;
    let source: Iterable<Document> = [];
    if (found?.meta.timeseries) {
      const opened = this.openBuckets(found.file, found.meta, match);
      rows = opened;
      source = asIterable(opened.iterator);
    } else if (found) {
      const { file, meta } = found;
      const opened = this.openRows(file, meta, planFilter(match, meta.columns), null);
      rows = opened;
      source = asIterable(
        mapIterator(opened.iterator, (bytes) => {
          const doc = decodeDocument(bytes);
          rememberBytes(doc, bytes);
          return doc;
        }),
      );
    }
    const close = (): void => {
      rows?.iterator.return?.();
      rows?.close();
    };
    const results = aggregator.stream(source) as unknown as Iterator<Document>;
    if (output === undefined) return { iterator: results as Iterator<never>, close };
    // $out / $merge: the results go to their target, in one transaction; no document back.
    try {
      this.writeOutput(output, asIterable(results));
    } finally {
      close();
    }
    return { iterator: [][Symbol.iterator](), close: () => undefined };
  }

  private writeOutput(
    output: NonNullable<CheckedPipeline['output']>,
    results: Iterable<Document>,
  ): void {
    if (output.stage === '$out') {
      const into = outTarget(output.spec);
      writeOut(this.outputCollection(into.db, into.coll), results);
      return;
    }
    const spec = mergeSpec(output.spec);
    const db = spec.into.db ?? this.database.name;
    writeMerge(
      this.outputCollection(spec.into.db, spec.into.coll),
      spec,
      results,
      `${db}.${spec.into.coll}`,
    );
  }

  private outputCollection(db: string | undefined, coll: string): CollectionWrites {
    const database =
      db === undefined || db === this.database.name ? this.database : this.database.sibling(db);
    return new CollectionWrites(database, coll);
  }

  estimatedDocumentCount(): Promise<number> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve(0);
      const count = found.meta.timeseries ? 'coalesce(sum(n), 0)' : 'count(*)';
      const row = found.file.writer
        .prepare<[], { n: number }>(`SELECT ${count} AS n FROM "${found.meta.table}"`)
        .get();
      return Promise.resolve(row?.n ?? 0);
    } catch (error) {
      return Promise.reject(this.wrap('count in')(error));
    }
  }

  /** Every document of a sibling collection (for `$lookup`), as last committed. */
  private allDocuments(name: string): Document[] {
    const file = this.database.file(false);
    const meta = file?.collection(name);
    if (!file || !meta) return [];
    const reader = file.acquireReader();
    try {
      if (meta.timeseries) return [...bucketDocuments(reader, meta.table, meta.timeseries, {})];
      return reader
        .prepare<[], Buffer>(`SELECT doc FROM "${meta.table}" ORDER BY rowid`)
        .pluck()
        .all()
        .map((bytes) => decodeDocument(bytes));
    } finally {
      file.releaseReader(reader);
    }
  }

  countDocuments(filter: Filter = {}): Promise<number> {
    try {
      const found = this.existing();
      if (!found) return Promise.resolve(0);
      const { file, meta } = found;
      if (meta.timeseries) {
        const matcher = createMatcher(filter);
        let count = 0;
        for (const doc of bucketDocuments(file.writer, meta.table, meta.timeseries, filter))
          if (matcher.test(doc)) count++;
        return Promise.resolve(count);
      }
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
}

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

/** Values at a dotted path for `distinct`: arrays on the way and at the end are unwound. */
function valuesAtPath(doc: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return Array.isArray(doc) ? doc : doc === undefined ? [] : [doc];
  if (Array.isArray(doc)) return doc.flatMap((item) => valuesAtPath(item, segments));
  if (!isPlainObject(doc)) return [];
  const [head, ...rest] = segments;
  return valuesAtPath(doc[head ?? ''], rest);
}

/** `skip` documents, then at most `limit` (0: no limit); stops reading once it has them. */
function* skipAndLimit(
  source: Iterator<Document>,
  skip: number,
  limit: number,
): Generator<Document, void, undefined> {
  let skipped = 0;
  let given = 0;
  for (;;) {
    if (limit > 0 && given >= limit) return;
    const next = source.next();
    if (next.done === true) return;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    given++;
    yield next.value;
  }
}
