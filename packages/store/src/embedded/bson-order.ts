/**
 * MongoDB's comparison of BSON values, for the embedded engine (issue 12): the one order
 * used by sorts, query comparisons, `$min`/`$max`, `$cmp` and group keys, in queries and in
 * pipelines alike. From MongoDB's "Comparison/Sort Order":
 *
 * - types, lowest first: MinKey, null (and a missing field), numbers (int, long, double,
 *   decimal, compared by value across types), strings (and symbols), objects, arrays,
 *   BinData, ObjectId, booleans, Dates, Timestamps, regular expressions, code, MaxKey;
 * - strings by their UTF-8 bytes; objects pair by pair in field order (the value's type,
 *   then the field name, then the value), so two documents with the same fields in another
 *   order differ; arrays element by element; BinData by length, subtype, then bytes;
 * - in a sort, an array field sorts by its smallest element ascending and its largest
 *   descending, and an empty array before null.
 *
 * Values are told apart by `_bsontype`, not `instanceof`, so that a value made with another
 * copy of the `bson` package (the driver's CommonJS one) compares the same. Pure functions:
 * no I/O.
 */
import type { Decimal128, Long } from 'bson';
import { isPlainObject } from './codec.js';

/** Type ranks, in MongoDB's order. */
const MIN_KEY = 1;
const NULL = 3;
const NUMBER = 4;
const STRING = 5;
const OBJECT = 6;
const ARRAY = 7;
const BINARY = 8;
const OBJECT_ID = 9;
const BOOLEAN = 10;
const DATE = 11;
const TIMESTAMP = 12;
const REGEX = 13;
const CODE = 14;
const MAX_KEY = 16;
/** An empty array in a sort: before null (MongoDB's rule for sort keys). */
const EMPTY_ARRAY_SORT_KEY = 2;

/** The `_bsontype` of a BSON class instance, or undefined. */
export function bsonType(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tag = (value as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** The rank of a value's type in MongoDB's comparison order. */
export function typeRank(value: unknown): number {
  switch (typeof value) {
    case 'undefined':
      return NULL;
    case 'number':
    case 'bigint':
      return NUMBER;
    case 'string':
      return STRING;
    case 'boolean':
      return BOOLEAN;
    case 'object':
      break;
    default:
      return OBJECT;
  }
  if (value === null) return NULL;
  if (Array.isArray(value)) return ARRAY;
  if (value instanceof Date) return DATE;
  if (value instanceof RegExp) return REGEX;
  switch (bsonType(value)) {
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return NUMBER;
    case 'BSONSymbol':
    case 'Symbol':
      return STRING;
    case 'Binary':
      return BINARY;
    case 'ObjectId':
    case 'ObjectID':
      return OBJECT_ID;
    case 'Timestamp':
      return TIMESTAMP;
    case 'BSONRegExp':
      return REGEX;
    case 'Code':
      return CODE;
    case 'MinKey':
      return MIN_KEY;
    case 'MaxKey':
      return MAX_KEY;
    default:
      return ArrayBuffer.isView(value) ? BINARY : OBJECT;
  }
}

/** True for every BSON number: JS numbers, Int32, Double, Long and Decimal128. */
export function isNumeric(value: unknown): boolean {
  return typeRank(value) === NUMBER;
}

/** A number as a JS double (Long and Decimal128 rounded to the nearest double). */
export function toDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  switch (bsonType(value)) {
    case 'Long':
      return (value as Long).toNumber();
    case 'Decimal128':
      return Number((value as Decimal128).toString());
    case 'Int32':
    case 'Double':
      return (value as { value: number }).value;
    default:
      return Number.NaN;
  }
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** An integral number as a bigint when it is one exactly (a Long, or a JS integer). */
function exactInteger(value: unknown): bigint | undefined {
  if (bsonType(value) === 'Long') return BigInt((value as Long).toString());
  if (typeof value === 'bigint') return value;
  const n = toDouble(value);
  return Number.isInteger(n) && bsonType(value) !== 'Decimal128' ? BigInt(n) : undefined;
}

/** Compare two numbers of any BSON numeric type by value; NaN is below every number. */
export function compareNumbers(a: unknown, b: unknown): number {
  const bigA = bsonType(a) === 'Long' ? exactInteger(a) : undefined;
  const bigB = bsonType(b) === 'Long' ? exactInteger(b) : undefined;
  if (bigA !== undefined || bigB !== undefined) {
    // A Long against anything: exactly, whatever its size (a double has no exact image of
    // every Long beyond 2^53).
    const left = bigA ?? exactInteger(a);
    const right = bigB ?? exactInteger(b);
    if (left !== undefined && right !== undefined) return left < right ? -1 : left > right ? 1 : 0;
    const [big, other, flip] = left === undefined ? [right, a, -1] : [left, b, 1];
    const x = toDouble(other);
    if (Number.isNaN(x)) return flip;
    if (!Number.isFinite(x)) return x > 0 ? -flip : flip;
    const floor = BigInt(Math.floor(x));
    // `big` against a non-integral x: below when big <= floor(x), above otherwise.
    return (big as bigint) <= floor ? -flip : flip;
  }
  const x = toDouble(a);
  const y = toDouble(b);
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Strings by code point, which is the order of their UTF-8 bytes (MongoDB's). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a code point above U+FFFF) sorts after every other UTF-16 unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function bytesOf(value: unknown): Uint8Array {
  if (bsonType(value) === 'Binary') {
    const binary = value as { buffer: Uint8Array; position?: number };
    return binary.buffer.subarray(0, binary.position ?? binary.buffer.length);
  }
  if (bsonType(value) === 'ObjectId' || bsonType(value) === 'ObjectID') {
    return (value as { id: Uint8Array }).id;
  }
  const view = value as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return sign(d);
  }
  return sign(x.length - y.length);
}

function regexParts(value: unknown): [string, string] {
  if (value instanceof RegExp) return [value.source, value.flags];
  const regex = value as { pattern: string; options: string };
  return [regex.pattern, regex.options];
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  const n = Math.min(keysA.length, keysB.length);
  for (let i = 0; i < n; i++) {
    const ka = keysA[i] as string;
    const kb = keysB[i] as string;
    const va = a[ka];
    const vb = b[kb];
    const byType = typeRank(va) - typeRank(vb);
    if (byType !== 0) return sign(byType);
    const byName = compareStrings(ka, kb);
    if (byName !== 0) return byName;
    const byValue = compareValues(va, vb);
    if (byValue !== 0) return byValue;
  }
  return sign(keysA.length - keysB.length);
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const byType = typeRank(a[i]) - typeRank(b[i]);
    if (byType !== 0) return sign(byType);
    const byValue = compareValues(a[i], b[i]);
    if (byValue !== 0) return byValue;
  }
  return sign(a.length - b.length);
}

/**
 * Compare two BSON values in MongoDB's order: negative, zero or positive. Whole values:
 * an array is compared as an array (sorts use {@link sortKey} first).
 */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return sign(ra - rb);
  switch (ra) {
    case NULL:
    case MIN_KEY:
    case MAX_KEY:
      return 0;
    case NUMBER:
      return compareNumbers(a, b);
    case STRING:
      return compareStrings(String(a), String(b));
    case OBJECT:
      return isPlainObject(a) && isPlainObject(b)
        ? compareObjects(a, b)
        : compareObjects({ ...(a as object) }, { ...(b as object) });
    case ARRAY:
      return compareArrays(a as unknown[], b as unknown[]);
    case BINARY: {
      const x = bytesOf(a);
      const y = bytesOf(b);
      if (x.length !== y.length) return sign(x.length - y.length);
      const subtypes =
        ((a as { sub_type?: number }).sub_type ?? 0) - ((b as { sub_type?: number }).sub_type ?? 0);
      return subtypes !== 0 ? sign(subtypes) : compareBytes(x, y);
    }
    case OBJECT_ID:
      return compareBytes(bytesOf(a), bytesOf(b));
    case BOOLEAN:
      return a === b ? 0 : a === false ? -1 : 1;
    case DATE:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case TIMESTAMP: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? sign(x.t - y.t) : sign(x.i - y.i);
    }
    case REGEX: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    case CODE:
      return compareStrings(
        String((a as { code: unknown }).code),
        String((b as { code: unknown }).code),
      );
    default:
      return 0;
  }
}

/** MongoDB's equality of BSON values: numbers across types, documents in field order. */
export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return compareValues(a, b) === 0;
}

/**
 * What a sort compares for a value: an array sorts by its smallest element ascending and
 * its largest descending (an empty array before null); anything else as itself.
 */
export function sortKey(value: unknown, direction: 1 | -1): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return EMPTY_ARRAY;
  let best: unknown = value[0];
  for (let i = 1; i < value.length; i++) {
    const c = compareValues(value[i], best);
    if (direction === 1 ? c < 0 : c > 0) best = value[i];
  }
  return best;
}

/** The sort key of an empty array: a type of its own, below null. */
const EMPTY_ARRAY = Object.freeze({ _bsontype: 'EmptyArraySortKey' });

/** {@link compareValues} for sort keys (which may be the empty-array key). */
export function compareSortKeys(a: unknown, b: unknown): number {
  const ea = a === EMPTY_ARRAY;
  const eb = b === EMPTY_ARRAY;
  if (ea || eb)
    return ea && eb
      ? 0
      : ea
        ? sign(EMPTY_ARRAY_SORT_KEY - typeRank(b))
        : sign(typeRank(a) - EMPTY_ARRAY_SORT_KEY);
  return compareValues(a, b);
}

/**
 * A text key equal for values MongoDB holds equal (numbers across types, documents only in
 * the same field order), for grouping and distinct sets.
 */
export function equalityKey(value: unknown): string {
  const rank = typeRank(value);
  switch (rank) {
    case NULL:
      return 'n';
    case NUMBER: {
      const x = toDouble(value);
      const big = exactInteger(value) ?? (Number.isInteger(x) ? BigInt(x) : undefined);
      if (big !== undefined) return `i${big.toString()}`;
      return Number.isNaN(x) ? 'nan' : `f${String(x)}`;
    }
    case STRING:
      return `s${JSON.stringify(String(value))}`;
    case BOOLEAN:
      return value === true ? 't' : 'F';
    case DATE:
      return `d${String((value as Date).getTime())}`;
    case ARRAY:
      return `[${(value as unknown[]).map(equalityKey).join(',')}]`;
    case OBJECT: {
      const entries = Object.entries(value as Record<string, unknown>);
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${equalityKey(v)}`).join(',')}}`;
    }
    case OBJECT_ID:
    case BINARY:
      return `${String(rank)}:${Buffer.from(bytesOf(value)).toString('hex')}:${String((value as { sub_type?: number }).sub_type ?? '')}`;
    case TIMESTAMP: {
      const ts = value as { t: number; i: number };
      return `T${String(ts.t)}:${String(ts.i)}`;
    }
    case REGEX: {
      const [pattern, flags] = regexParts(value);
      return `r${JSON.stringify(pattern)}/${flags}`;
    }
    default:
      return `${String(rank)}:${JSON.stringify(String(value))}`;
  }
}
