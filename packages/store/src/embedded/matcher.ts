/**
 * mingo, set up for documents read back from BSON:
 *
 * - comparisons, sorts, grouping and arithmetic are the BSON-aware operators of
 *   bson-operators.ts (MongoDB's type order, Longs as numbers, documents equal only in the
 *   same field order);
 * - `$type` answers with the BSON type that is stored (int, long, double, decimal,
 *   objectId, binData, …), read from the document's own bytes, where mingo alone only sees
 *   JS values (every number looks alike once int32 and double are promoted);
 * - filters (in `find` and in `$match` alike) see a view of the document in which Longs that
 *   fit a double and decimals are JS numbers, so that mingo's other query operators (`$mod`,
 *   `$bitsAllSet`, …) take them as numbers too;
 * - an operator mingo does not know is refused before anything runs (operator-check.ts).
 */
import {
  Binary,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';
import { Context, OpType } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as mingoPipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Aggregator } from 'mingo/aggregator';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import {
  ACCUMULATOR_OPERATORS,
  EXPRESSION_OPERATORS,
  numericOperators,
  pipelineOperators,
  QUERY_OPERATORS,
} from './bson-operators.js';
import { StoreError } from '@edx-data/core';
import { decodeDocument, isPlainObject } from './codec.js';
import type { CollectionMeta } from './sqlite-file.js';
import { checkFilter, usesNumericOperators } from './operator-check.js';
import type { Document, Filter } from '../types.js';

const rawBytes = new WeakMap<object, Uint8Array>();
const exactDocs = new WeakMap<object, Document>();

/** Remember the stored bytes of a decoded document (and of its matching view). */
export function rememberBytes(doc: object, bytes: Uint8Array): void {
  rawBytes.set(doc, bytes);
}

function exactDocument(doc: object): Document | undefined {
  const cached = exactDocs.get(doc);
  if (cached) return cached;
  const bytes = rawBytes.get(doc);
  if (!bytes) return undefined;
  const exact = decodeDocument(bytes, false);
  exactDocs.set(doc, exact);
  return exact;
}

/** BSON type names and numbers of a value, as `$type` knows them. */
function typeNames(value: unknown): readonly (string | number)[] {
  if (value === null) return ['null', 10];
  if (value === undefined) return ['undefined', 6];
  if (typeof value === 'string') return ['string', 2];
  if (typeof value === 'boolean') return ['bool', 8];
  if (typeof value === 'number') {
    // A JS number is stored as int32 when it is an integer in range, otherwise as a double.
    return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
      ? ['int', 16, 'number']
      : ['double', 1, 'number'];
  }
  if (Array.isArray(value)) return ['array', 4];
  if (value instanceof Date) return ['date', 9];
  if (value instanceof Int32) return ['int', 16, 'number'];
  if (value instanceof Double) return ['double', 1, 'number'];
  if (value instanceof Long) return ['long', 18, 'number'];
  if (value instanceof Decimal128) return ['decimal', 19, 'number'];
  if (value instanceof ObjectId) return ['objectId', 7];
  if (value instanceof Binary) return ['binData', 5];
  if (value instanceof RegExp || value instanceof BSONRegExp) return ['regex', 11];
  if (value instanceof Timestamp) return ['timestamp', 17];
  if (value instanceof Code) return ['javascript', 13];
  if (value instanceof MinKey) return ['minKey', -1];
  if (value instanceof MaxKey) return ['maxKey', 127];
  return ['object', 3];
}

/** Values at a dotted path, walking into arrays on the way (not at the end). */
function valuesAt(value: unknown, segments: readonly string[], from = 0): unknown[] {
  if (from === segments.length) return [value];
  const segment = segments[from] ?? '';
  if (Array.isArray(value)) {
    if (/^\d+$/u.test(segment)) return valuesAt(value[Number(segment)], segments, from + 1);
    return value.flatMap((item) => (isPlainObject(item) ? valuesAt(item, segments, from) : []));
  }
  if (!isPlainObject(value) || !(segment in value)) return [];
  return valuesAt(value[segment], segments, from + 1);
}

function typeMatches(value: unknown, wanted: readonly unknown[]): boolean {
  const matches = (v: unknown): boolean => typeNames(v).some((name) => wanted.includes(name));
  if (matches(value)) return true;
  return Array.isArray(value) && value.some(matches);
}

/** `$type` on the stored BSON types (falls back to the JS value inside `$elemMatch`). */
function $type(selector: string, value: unknown): (obj: object) => boolean {
  const wanted = Array.isArray(value) ? value : [value];
  const segments = selector.split('.');
  return (obj: object) => {
    const source = exactDocument(obj) ?? obj;
    return valuesAt(source, segments).some((v) => typeMatches(v, wanted));
  };
}

function numeric(value: unknown): unknown {
  if (value instanceof Long) {
    // Beyond 2^53 a Long has no exact number: it stays a Long (equality still works).
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (value instanceof Decimal128) return Number(value.toString());
  if (value instanceof Int32 || value instanceof Double) return value.value;
  return undefined;
}

/**
 * A copy of a value with `Long`, `Decimal128`, `Int32` and `Double` replaced by JS numbers;
 * the value itself when it holds none (no copy is made then).
 */
export function numericView<V>(value: V): V {
  const n = numeric(value);
  if (n !== undefined) return n as V;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const view = numericView(item);
      if (view !== item) {
        copy ??= value.slice();
        copy[i] = view;
      }
    }
    return (copy ?? value) as V;
  }
  if (isPlainObject(value)) {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      const item = value[key];
      const view = numericView(item);
      if (view !== item) {
        copy ??= { ...value };
        copy[key] = view;
      }
    }
    return (copy ?? value) as V;
  }
  return value;
}

/** The views of documents queries see (cached: a document is matched by several stages). */
const views = new WeakMap<object, object>();

/**
 * The document as a query sees it: its numeric view, linked to the stored bytes of the
 * document (for `$type`).
 */
function matchView(doc: object): object {
  let view = views.get(doc);
  if (view === undefined) {
    view = numericView(doc);
    const bytes = rawBytes.get(doc);
    if (bytes && view !== doc) rememberBytes(view, bytes);
    views.set(doc, view);
  }
  return view;
}

const numericOps = numericOperators(numericView);

const CONTEXT = Context.init({
  accumulator: {
    ...accumulatorOperators,
    ...numericOps.accumulator,
    ...ACCUMULATOR_OPERATORS,
  },
  expression: {
    ...expressionOperators,
    ...numericOps.expression,
    ...EXPRESSION_OPERATORS,
  },
  pipeline: {
    ...mingoPipelineOperators,
    ...pipelineOperators(matchView, numericView),
  },
  projection: projectionOperators,
  query: { ...queryOperators, ...QUERY_OPERATORS, $type } as unknown as typeof queryOperators,
  window: windowOperators,
});

const OPTIONS: Partial<Options> = { context: CONTEXT };

/** True when mingo, as set up here, knows `name` as an operator of any kind. */
export function isKnownOperator(name: string): boolean {
  return Object.values(OpType).some((type) => CONTEXT.getOperator(type, name) !== null);
}

/** A filter, ready to test documents read from the store. */
export interface Matcher {
  /** True when the stored document (with its bytes) matches. */
  test(doc: Document, bytes?: Uint8Array): boolean;
  readonly matchesAll: boolean;
}

export function createMatcher(filter: Filter): Matcher {
  checkFilter(filter, isKnownOperator);
  const matchesAll = Object.keys(filter).length === 0;
  const query = new Query(numericView(filter), OPTIONS);
  // The comparison operators take BSON numbers as they are; only $mod and the $bits
  // operators need the numeric view of the document.
  const view = usesNumericOperators(filter);
  return {
    matchesAll,
    test(doc, bytes) {
      if (matchesAll) return true;
      if (!view) {
        if (bytes) rememberBytes(doc, bytes);
        return query.test(doc);
      }
      const seen = numericView(doc);
      if (bytes) {
        rememberBytes(seen, bytes);
        if (seen !== doc) exactDocs.delete(seen);
      }
      return query.test(seen);
    },
  };
}

const validators = new WeakMap<CollectionMeta, (doc: Document) => void>();

/**
 * The check of a collection's validator (`createCollection`), or undefined when it has none.
 * @throws StoreError `E_STORE` "Document failed validation", as MongoDB says it
 */
export function validatorOf(
  meta: CollectionMeta | undefined,
): ((doc: Document) => void) | undefined {
  const validation = meta?.validation;
  if (meta === undefined || validation === undefined) return undefined;
  let validate = validators.get(meta);
  if (validate === undefined) {
    const matcher = createMatcher(validation.validator);
    validate = (doc) => {
      if (!matcher.test(doc)) {
        throw new StoreError('E_STORE', `Document failed validation (collection ${meta.name})`);
      }
    };
    validators.set(meta, validate);
  }
  return validate;
}

/** A mingo Query without a filter, for skip, limit and projection. */
export function shapeQuery(): Query {
  return new Query({}, OPTIONS);
}

/** mingo's options as set up here (for its updater). */
export function mingoOptions(): Partial<Options> {
  return OPTIONS;
}

export function createAggregator(
  pipeline: readonly Document[],
  collectionResolver: (name: string) => Document[],
): Aggregator {
  return new Aggregator([...pipeline], { ...OPTIONS, collectionResolver });
}
