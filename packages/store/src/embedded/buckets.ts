/**
 * Bucketed collections of the embedded engine (`createCollection(name, { timeseries })`, after
 * MongoDB's time-series collections): documents grouped by their meta value and a span of
 * time into buckets, each bucket one SQLite row with the meta key, its min and max time, its
 * count and its records (bucket-codec.ts) deflated together; plus a table of the `_id`s, so
 * that `_id` stays unique as in any collection.
 *
 * Reads select the buckets whose meta key and time bounds can hold a match (the filter's
 * equality or `$in` on the meta field, its range on the time field), inflate them and give
 * every document to the full filter: the results are those of a plain collection.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { StoreError } from '@edx-data/core';
import type BetterSqlite3 from 'better-sqlite3';
import { decodeRecord } from './bucket-codec.js';
import { indexKey, isPlainObject } from './codec.js';
import type { TimeseriesSpec } from '../timeseries.js';
import type { Document, Filter } from '../types.js';

export type { TimeseriesSpec };

/** zlib level of the buckets: 1 (see docs/architecture.md: level 6 costs 1.5x the time for 0.8x the size). */
export const BUCKET_DEFLATE_LEVEL = 1;

/** The SQL that creates the tables of a bucketed collection `table`. */
export function bucketTablesSql(table: string): string {
  return `CREATE TABLE "${table}" (id INTEGER PRIMARY KEY, meta TEXT, tmin INTEGER NOT NULL,
      tmax INTEGER NOT NULL, n INTEGER NOT NULL, payload BLOB NOT NULL);
    CREATE INDEX "${table}_meta_tmin" ON "${table}" (meta, tmin);
    CREATE INDEX "${table}_tmin" ON "${table}" (tmin);
    CREATE TABLE "${table}_ids" (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;`;
}

/** The id table of a bucketed collection's table. */
export function idTable(table: string): string {
  return `${table}_ids`;
}

/**
 * The meta key of a document: the index key of its meta value (null and missing share one),
 * or null (SQL NULL) when the value has none (an array, a document): such buckets are read
 * by every query, which then judges their documents.
 */
export function metaKey(spec: TimeseriesSpec, doc: Document): string | null {
  if (spec.metaField === undefined) return null;
  const value = doc[spec.metaField];
  if (typeof value !== 'string') return indexKey(value);
  // Meta values repeat (a course id per event): one key string each, not one per document.
  let key = stringKeys.get(value);
  if (key === undefined) {
    if (stringKeys.size >= MAX_CACHED_KEYS) stringKeys.clear();
    key = indexKey(value) as string;
    stringKeys.set(value, key);
  }
  return key;
}

const stringKeys = new Map<string, string>();
const MAX_CACHED_KEYS = 10_000;

/** The time of a document, in ms. @throws StoreError when it is not a valid Date. */
export function timeOf(spec: TimeseriesSpec, doc: Document, namespace: string): number {
  const value = doc[spec.timeField];
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(ms)) {
    throw new StoreError(
      'E_STORE',
      `insert into ${namespace}: '${spec.timeField}' must be present and hold a valid Date (the collection's timeField)`,
    );
  }
  return ms;
}

/** The start of the window a time falls in. */
export function windowOf(spec: TimeseriesSpec, ms: number): number {
  return Math.floor(ms / spec.bucketSpanMs) * spec.bucketSpanMs;
}

interface Bounds {
  /** Meta keys a match can have, or undefined for any. */
  metaKeys: Set<string> | undefined;
  lo: number;
  hi: number;
}

function equalityValues(condition: unknown): unknown[] | undefined {
  if (!isPlainObject(condition)) return condition instanceof RegExp ? undefined : [condition];
  const keys = Object.keys(condition);
  if (keys.length === 0 || !keys.every((key) => key.startsWith('$'))) return [condition];
  let values: unknown[] | undefined;
  for (const key of keys) {
    const operand = condition[key];
    let these: unknown[] | undefined;
    if (key === '$eq') these = operand instanceof RegExp ? undefined : [operand];
    else if (key === '$in' && Array.isArray(operand)) {
      these = operand.some((v) => v instanceof RegExp) ? undefined : operand;
    }
    if (these === undefined) continue;
    // Either operator's values bound the matches (a JS intersection would compare Longs,
    // Dates and ObjectIds by identity); keep the fewer.
    if (values === undefined || these.length < values.length) values = these;
  }
  return values;
}

function narrowTime(bounds: Bounds, condition: unknown): void {
  if (condition instanceof Date) {
    const ms = condition.getTime();
    bounds.lo = Math.max(bounds.lo, ms);
    bounds.hi = Math.min(bounds.hi, ms);
    return;
  }
  if (!isPlainObject(condition)) return;
  for (const [op, operand] of Object.entries(condition)) {
    if (op === '$in' && Array.isArray(operand) && operand.length > 0) {
      if (!operand.every((v) => v instanceof Date)) continue;
      const times = operand.map((v) => v.getTime());
      bounds.lo = Math.max(bounds.lo, Math.min(...times));
      bounds.hi = Math.min(bounds.hi, Math.max(...times));
      continue;
    }
    if (!(operand instanceof Date)) continue;
    const ms = operand.getTime();
    if (op === '$eq') {
      bounds.lo = Math.max(bounds.lo, ms);
      bounds.hi = Math.min(bounds.hi, ms);
    } else if (op === '$gte' || op === '$gt') bounds.lo = Math.max(bounds.lo, ms);
    else if (op === '$lte' || op === '$lt') bounds.hi = Math.min(bounds.hi, ms);
  }
}

function collectBounds(spec: TimeseriesSpec, filter: Filter, bounds: Bounds): void {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) if (isPlainObject(part)) collectBounds(spec, part, bounds);
    } else if (field === spec.timeField) narrowTime(bounds, condition);
    else if (field === spec.metaField) {
      const values = equalityValues(condition);
      if (values === undefined) continue;
      const keys = new Set<string>();
      let keyed = true;
      for (const value of values) {
        const key = indexKey(value);
        if (key !== null) keys.add(key);
        // An array or a document equals only metas without a key; another value without one
        // (a Decimal128, a Long beyond 2^53) may equal numbers that have one: no bound.
        else if (!Array.isArray(value) && !isPlainObject(value)) keyed = false;
      }
      if (!keyed) continue;
      bounds.metaKeys =
        bounds.metaKeys === undefined
          ? keys
          : new Set([...bounds.metaKeys].filter((k) => keys.has(k)));
    }
  }
}

/** The SQL condition (and its parameters) on the buckets that can hold a match of `filter`. */
export function bucketCondition(
  spec: TimeseriesSpec,
  filter: Filter,
): { sql: string; params: unknown[] } {
  const bounds: Bounds = { metaKeys: undefined, lo: -Infinity, hi: Infinity };
  collectBounds(spec, filter, bounds);
  if (bounds.lo > bounds.hi) return { sql: '0', params: [] };
  const parts: string[] = [];
  const params: unknown[] = [];
  if (bounds.metaKeys !== undefined) {
    // Buckets of unkeyed meta values (arrays, documents) may hold a match too.
    const keys = [...bounds.metaKeys];
    parts.push(
      keys.length === 0
        ? 'meta IS NULL'
        : `(meta IN (${keys.map(() => '?').join(', ')}) OR meta IS NULL)`,
    );
    params.push(...keys);
  }
  if (Number.isFinite(bounds.lo)) {
    // A bucket lies in one window: its tmin is above lo - span when its tmax reaches lo.
    parts.push('tmax >= ? AND tmin > ?');
    params.push(Math.ceil(bounds.lo), Math.floor(bounds.lo) - spec.bucketSpanMs);
  }
  if (Number.isFinite(bounds.hi)) {
    parts.push('tmin <= ?');
    params.push(Math.floor(bounds.hi));
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

/** The records of a bucket's payload. */
export function bucketRecords(payload: Buffer): string[] {
  return inflateRawSync(payload).toString('utf8').split('\n');
}

/** A bucket's payload from its records. */
export function bucketPayload(records: readonly string[]): Buffer {
  return deflateRawSync(Buffer.from(records.join('\n'), 'utf8'), { level: BUCKET_DEFLATE_LEVEL });
}

/** A stored bucket: its row and records. */
export interface StoredBucket {
  readonly id: number;
  readonly records: string[];
}

/**
 * The buckets of `table` that can hold a match of `filter`, in the order they were written,
 * read through `connection` (a reader, or the writer inside its transaction).
 */
export function* candidateBuckets(
  connection: BetterSqlite3.Database,
  table: string,
  spec: TimeseriesSpec,
  filter: Filter,
): Generator<StoredBucket, void, undefined> {
  // The ids first, then each payload by its key: sorting the selected rows by id with their
  // payloads would copy every candidate bucket into a temporary B-tree before the first.
  const ids = candidateBucketIds(connection, table, spec, filter);
  const read = connection
    .prepare<[number], Buffer>(`SELECT payload FROM "${table}" WHERE id = ?`)
    .pluck();
  for (const id of ids) {
    const payload = read.get(id);
    if (payload !== undefined) yield { id, records: bucketRecords(payload) };
  }
}

/** The ids of the buckets that can hold a match of `filter`, in the order they were written. */
export function candidateBucketIds(
  connection: BetterSqlite3.Database,
  table: string,
  spec: TimeseriesSpec,
  filter: Filter,
): number[] {
  const condition = bucketCondition(spec, filter);
  return connection
    .prepare<unknown[], number>(`SELECT id FROM "${table}" WHERE ${condition.sql} ORDER BY id`)
    .pluck()
    .all(...condition.params);
}

/** Every document of the candidate buckets (the caller applies the filter). */
export function* bucketDocuments(
  connection: BetterSqlite3.Database,
  table: string,
  spec: TimeseriesSpec,
  filter: Filter,
): Generator<Document, void, undefined> {
  for (const bucket of candidateBuckets(connection, table, spec, filter)) {
    for (const record of bucket.records) yield decodeRecord(record);
  }
}
