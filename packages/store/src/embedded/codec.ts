/**
 * How documents and indexed values are stored by the embedded engine.
 *
 * Documents are stored as BSON (the `bson` package, the same one the MongoDB driver uses),
 * so every BSON type survives a round trip exactly as it would through MongoDB. Indexed
 * values are stored as text keys that sort in MongoDB's order within and across types
 * (null < numbers < strings < ObjectId < booleans < Dates), so that SQLite's own indexes
 * can answer equality, range and `$in` queries, and sorts.
 */
import { BSON, Double, Int32, Long, ObjectId } from 'bson';
import type { Document } from '../types.js';

const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: false } as const;

/** Serialize a document to BSON bytes (as a Buffer, which SQLite binds as a BLOB). */
export function encodeDocument(doc: Document): Buffer {
  const bytes = BSON.serialize(doc, SERIALIZE_OPTIONS);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Deserialize stored BSON bytes. `promoteValues: false` keeps Int32/Double wrappers. */
export function decodeDocument(bytes: Uint8Array, promoteValues = true): Document {
  return BSON.deserialize(bytes, { promoteLongs: false, promoteValues, promoteBuffers: false });
}

/** Put `_id` first (as MongoDB does), generating an ObjectId when it is missing. */
export function withId(doc: Document): Document {
  if (doc['_id'] === undefined) {
    // The driver sets `_id` on the caller's object too; do the same.
    doc['_id'] = new ObjectId();
  }
  const first = Object.keys(doc)[0];
  if (first === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/** A copy of a document without its `_id`. */
export function withoutId(doc: Document): Document {
  const copy: Document = { ...doc };
  delete copy['_id'];
  return copy;
}

// Type prefixes, in MongoDB's comparison order of BSON types.
const NULL_KEY = 'a';
const NAN_KEY = 'b';
const NUMBER = 'c';
const STRING = 'd';
const OBJECT_ID = 'g';
const BOOLEAN = 'h';
const DATE = 'i';

/** The first character after each type prefix: the exclusive upper bound of that type. */
export function typeUpperBound(key: string): string {
  return String.fromCharCode(key.charCodeAt(0) + 1);
}

const scratch = Buffer.alloc(8);

/** Hex text of a double that sorts like the number (IEEE 754 with the sign bit folded). */
function sortableDouble(x: number): string {
  scratch.writeDoubleBE(x === 0 ? 0 : x);
  if ((scratch[0] ?? 0) & 0x80) {
    for (let i = 0; i < 8; i++) scratch[i] = ~(scratch[i] ?? 0) & 0xff;
  } else {
    scratch[0] = (scratch[0] ?? 0) | 0x80;
  }
  return scratch.toString('hex');
}

function numberKey(x: number): string {
  return Number.isNaN(x) ? NAN_KEY : NUMBER + sortableDouble(x);
}

/**
 * The index key of a value, or `null` when the value cannot be indexed this way (arrays,
 * embedded documents, binary data, regular expressions, Decimal128, Longs beyond 2^53):
 * such documents are always kept as candidates and judged by the full query.
 * `undefined` (a missing field) and `null` share one key, as they do in MongoDB indexes.
 */
export function indexKey(value: unknown): string | null {
  if (value === undefined || value === null) return NULL_KEY;
  switch (typeof value) {
    case 'string':
      return STRING + value;
    case 'number':
      return numberKey(value);
    case 'boolean':
      return value ? `${BOOLEAN}1` : `${BOOLEAN}0`;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : DATE + sortableDouble(ms);
  }
  if (value instanceof ObjectId) return OBJECT_ID + value.toHexString();
  if (value instanceof Int32 || value instanceof Double) return numberKey(value.value);
  if (value instanceof Long) {
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? numberKey(n) : null;
  }
  return null;
}

/**
 * The primary-key text of an `_id`: its index key when it has one, otherwise its canonical
 * extended JSON (embedded documents, binary data, …), so that equal `_id`s collide.
 */
export function idKey(id: unknown): string {
  const key = indexKey(id);
  if (key !== null) return key;
  return `x${BSON.EJSON.stringify(id, { relaxed: false })}`;
}

/** True when the value is a plain object (not an array, Date or BSON value). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const UNINDEXABLE = Symbol('unindexable');

/** The value at a dotted path; arrays on the way make it unindexable. */
function valueAtPath(doc: Document, segments: readonly string[]): unknown {
  let current: unknown = doc;
  for (const segment of segments) {
    if (Array.isArray(current)) return UNINDEXABLE;
    if (!isPlainObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/** The index key of the value at a dotted path of a document (see {@link indexKey}). */
export function pathKey(doc: Document, segments: readonly string[]): string | null {
  const value = valueAtPath(doc, segments);
  return value === UNINDEXABLE ? null : indexKey(value);
}
