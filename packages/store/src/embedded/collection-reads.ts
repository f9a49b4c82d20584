/**
 * The reads of an embedded collection: find (with the SQL plan over the key columns, then
 * mingo on the candidates), aggregate, countDocuments, distinct and explain.
 */
import { decodeDocument, idKey, isPlainObject } from './codec.js';
import { CollectionHandle } from './collection-handle.js';
import { createAggregator, createMatcher, rememberBytes, shapeQuery } from './matcher.js';
import { planFilter, planSort } from './query-plan.js';
import type { SqlCondition } from './query-plan.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { IteratorCursor } from '../cursor.js';
import type { OpenedIterator } from '../cursor.js';
import { validateCollectionName } from '../names.js';
import type { Cursor, Document, Filter, FindOptions } from '../types.js';

/** A stored document matching a filter, with its row. */
export interface Candidate {
  readonly rowid: number;
  readonly doc: Document;
}

/**
 * The documents matching a filter, in insertion order, read through the writer connection
 * (inside the caller's write transaction); only the first with `limitOne`.
 */
export function matchingRows(
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
