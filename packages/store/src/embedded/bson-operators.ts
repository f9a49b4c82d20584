/**
 * The operators the embedded engine gives mingo in place of its own (issue 12), so that
 * queries and pipelines compare, sort, group and compute over BSON values as MongoDB does
 * (bson-order.ts, bson-arithmetic.ts): mingo compares with JS semantics (a `Long` is an
 * object to it, documents are equal in any field order, Longs and ObjectIds sort after
 * Dates) and skips or refuses Longs in arithmetic.
 *
 * - query: `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`, `$all` (type
 *   bracketing, field-order-sensitive document equality, arrays matched by element);
 * - expression: comparisons and `$cmp`, `$in`, `$add`, `$subtract`, `$multiply`, `$divide`,
 *   `$abs`, `$minN`/`$maxN`, `$toLong`, `$toDecimal`, `$isNumber`, `$type`; the other
 *   numeric operators see Longs as numbers;
 * - accumulator: `$sum`, `$avg`, `$min`, `$max`, `$addToSet`, `$minN`, `$maxN`, `$top`,
 *   `$topN`, `$bottom`, `$bottomN`; statistics see Longs as numbers;
 * - pipeline: `$match` (sees the document as `find` does), `$sort`, `$group`, `$count`,
 *   `$sortByCount`, `$bucket`.
 */
import { Decimal128, Long } from 'bson';
import * as mingoAccumulators from 'mingo/operators/accumulator';
import * as mingoExpressions from 'mingo/operators/expression';
import * as mingoQuery from 'mingo/operators/query';
import { evalExpr } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import type { Iterator as LazyIterator } from 'mingo/lazy';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { absolute, arithmetic, average, divide, sum } from './bson-arithmetic.js';
import {
  bsonType,
  compareSortKeys,
  compareValues,
  equalityKey,
  equalValues,
  isNumeric,
  sortKey,
  toDouble,
  typeRank,
} from './bson-order.js';
import { isPlainObject } from './codec.js';
import { usesNumericOperators } from './operator-check.js';
import type { Document } from '../types.js';

type QueryOperator = (
  selector: string,
  operand: unknown,
  options: Options,
) => (doc: object) => boolean;
type ExpressionOperator = (obj: unknown, expr: unknown, options: Options) => unknown;
type AccumulatorOperator = (coll: unknown[], expr: unknown, options: Options) => unknown;
type PipelineOperator = (coll: LazyIterator, expr: unknown, options: Options) => LazyIterator;

/** Hooks the matcher provides: the view of a document that queries see. */
export interface MatchView {
  (doc: object): object;
}

// -------------------------------------------------------------------- values at a path

/**
 * The values a query compares at a dotted path: arrays on the way are walked element by
 * element, and an array at the end is a candidate itself and by each element. `undefined`
 * stands for "missing" (which equals null).
 */
export function queryValues(value: unknown, segments: readonly string[], from = 0): unknown[] {
  if (from === segments.length) {
    return Array.isArray(value) ? [value, ...(value as unknown[])] : [value];
  }
  const segment = segments[from] ?? '';
  if (Array.isArray(value)) {
    if (/^\d+$/u.test(segment)) return queryValues(value[Number(segment)], segments, from + 1);
    if (value.length === 0) return [undefined];
    return value.flatMap((item) =>
      isPlainObject(item) ? queryValues(item, segments, from) : [undefined],
    );
  }
  if (isPlainObject(value)) return queryValues(value[segment], segments, from + 1);
  return [undefined];
}

const isNullish = (value: unknown): boolean => value === null || value === undefined;

function matchesEq(values: readonly unknown[], operand: unknown): boolean {
  if (isNullish(operand)) return values.some(isNullish);
  return values.some((value) => value !== undefined && equalValues(value, operand));
}

function isRegex(value: unknown): value is RegExp {
  return value instanceof RegExp || bsonType(value) === 'BSONRegExp';
}

function regexMatches(pattern: unknown, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const regex =
    pattern instanceof RegExp
      ? pattern
      : new RegExp(
          (pattern as { pattern: string }).pattern,
          (pattern as { options: string }).options.replace(/[^gimsuy]/gu, ''),
        );
  regex.lastIndex = 0;
  return regex.test(value);
}

function matchesIn(values: readonly unknown[], operand: unknown): boolean {
  if (!Array.isArray(operand)) throw new Error('$in needs an array');
  return operand.some((item) =>
    isRegex(item) ? values.some((value) => regexMatches(item, value)) : matchesEq(values, item),
  );
}

/** A range predicate: only values of the operand's type are compared (type bracketing). */
function range(test: (c: number) => boolean, orEqualNull: boolean) {
  return (values: readonly unknown[], operand: unknown): boolean => {
    if (isNullish(operand)) return orEqualNull && values.some(isNullish);
    const rank = typeRank(operand);
    return values.some(
      (value) =>
        value !== undefined && typeRank(value) === rank && test(compareValues(value, operand)),
    );
  };
}

function queryOperator(
  predicate: (values: readonly unknown[], operand: unknown) => boolean,
): QueryOperator {
  return (selector, operand) => {
    const segments = selector.split('.');
    return (doc) => predicate(queryValues(doc, segments), operand);
  };
}

const hasElemMatch = (list: unknown): boolean =>
  Array.isArray(list) && list.some((item) => isPlainObject(item) && '$elemMatch' in item);

const $all: QueryOperator = (selector, operand, options) => {
  // `$all` of `$elemMatch` conditions: mingo's own.
  if (hasElemMatch(operand))
    return (mingoQuery.$all as unknown as QueryOperator)(selector, operand, options);
  const segments = selector.split('.');
  return (doc) => {
    if (!Array.isArray(operand) || operand.length === 0) return false;
    const values = queryValues(doc, segments);
    return operand.every((item) =>
      isRegex(item) ? values.some((value) => regexMatches(item, value)) : matchesEq(values, item),
    );
  };
};

export const QUERY_OPERATORS: Record<string, QueryOperator> = {
  $eq: queryOperator(matchesEq),
  $ne: queryOperator((values, operand) => !matchesEq(values, operand)),
  $gt: queryOperator(range((c) => c > 0, false)),
  $gte: queryOperator(range((c) => c >= 0, true)),
  $lt: queryOperator(range((c) => c < 0, false)),
  $lte: queryOperator(range((c) => c <= 0, true)),
  $in: queryOperator(matchesIn),
  $nin: queryOperator((values, operand) => !matchesIn(values, operand)),
  $all,
};

// -------------------------------------------------------------------- expressions

/** Aggregation comparison: a missing value is below every other, null included. */
function compareExpressionValues(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareValues(a, b);
}

function twoArguments(
  name: string,
  obj: unknown,
  expr: unknown,
  options: Options,
): [unknown, unknown] {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length !== 2) {
    throw new Error(`${name} needs exactly two arguments`);
  }
  return [args[0], args[1]];
}

function comparison(name: string, test: (c: number) => boolean): ExpressionOperator {
  return (obj, expr, options) => {
    const [a, b] = twoArguments(name, obj, expr, options);
    return test(compareExpressionValues(a, b));
  };
}

function argumentList(obj: unknown, expr: unknown, options: Options): unknown[] {
  const args = evalExpr(obj, expr, options);
  return Array.isArray(args) ? args : [args];
}

const $add: ExpressionOperator = (obj, expr, options) => {
  let total: unknown = 0;
  let date: Date | undefined;
  for (const value of argumentList(obj, expr, options)) {
    if (isNullish(value)) return null;
    if (value instanceof Date) {
      if (date) throw new Error('$add may only have one date');
      date = value;
    } else if (isNumeric(value)) {
      total = arithmetic('add', total, value);
    } else {
      throw new Error(`$add only supports numeric or date types, not ${typeName(value)}`);
    }
  }
  return date ? new Date(date.getTime() + toDouble(total)) : total;
};

const $subtract: ExpressionOperator = (obj, expr, options) => {
  const [a, b] = twoArguments('$subtract', obj, expr, options);
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof Date && b instanceof Date) return Long.fromNumber(a.getTime() - b.getTime());
  if (a instanceof Date && isNumeric(b)) return new Date(a.getTime() - toDouble(b));
  if (isNumeric(a) && isNumeric(b)) return arithmetic('subtract', a, b);
  throw new Error(`can't $subtract ${typeName(b)} from ${typeName(a)}`);
};

const $multiply: ExpressionOperator = (obj, expr, options) => {
  let product: unknown = 1;
  for (const value of argumentList(obj, expr, options)) {
    if (isNullish(value)) return null;
    if (!isNumeric(value))
      throw new Error(`$multiply only supports numeric types, not ${typeName(value)}`);
    product = arithmetic('multiply', product, value);
  }
  return product;
};

const $divide: ExpressionOperator = (obj, expr, options) => {
  const [a, b] = twoArguments('$divide', obj, expr, options);
  if (isNullish(a) || isNullish(b)) return null;
  if (!isNumeric(a) || !isNumeric(b)) {
    throw new Error(`$divide only supports numeric types, not ${typeName(a)} and ${typeName(b)}`);
  }
  if (toDouble(b) === 0) throw new Error("can't $divide by zero");
  return divide(a, b);
};

const $abs: ExpressionOperator = (obj, expr, options) => {
  const value = evalExpr(obj, expr, options);
  const single = Array.isArray(value) && value.length === 1 ? (value as unknown[])[0] : value;
  if (isNullish(single)) return null;
  if (!isNumeric(single))
    throw new Error(`$abs only supports numeric types, not ${typeName(single)}`);
  return absolute(single);
};

const $in: ExpressionOperator = (obj, expr, options) => {
  const [value, list] = twoArguments('$in', obj, expr, options);
  if (!Array.isArray(list)) throw new Error('$in requires an array as a second argument');
  return list.some((item) => compareExpressionValues(value, item) === 0);
};

const $toLong: ExpressionOperator = (obj, expr, options) => {
  const value = evalExpr(obj, expr, options);
  if (isNullish(value)) return null;
  if (bsonType(value) === 'Long') return value;
  if (typeof value === 'boolean') return Long.fromNumber(value ? 1 : 0);
  if (value instanceof Date) return Long.fromNumber(value.getTime());
  if (typeof value === 'string') return Long.fromString(value.trim());
  if (isNumeric(value)) return Long.fromNumber(Math.trunc(toDouble(value)));
  throw new Error(`Unsupported conversion from ${typeName(value)} to long in $convert`);
};

const $toDecimal: ExpressionOperator = (obj, expr, options) => {
  const value = evalExpr(obj, expr, options);
  if (isNullish(value)) return null;
  if (bsonType(value) === 'Decimal128') return value;
  if (typeof value === 'boolean') return Decimal128.fromString(value ? '1' : '0');
  if (value instanceof Date) return Decimal128.fromString(String(value.getTime()));
  if (typeof value === 'string') return Decimal128.fromString(value.trim());
  if (bsonType(value) === 'Long') return Decimal128.fromString((value as Long).toString());
  if (isNumeric(value)) return Decimal128.fromString(String(toDouble(value)));
  throw new Error(`Unsupported conversion from ${typeName(value)} to decimal in $convert`);
};

/** The BSON type name MongoDB's `$type` gives a value (`missing` for none). */
export function typeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? 'int' : 'double';
    default:
      break;
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  switch (bsonType(value)) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
    case 'ObjectID':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    default:
      return 'object';
  }
}

function firstOrSingle(obj: unknown, expr: unknown, options: Options): unknown {
  const value = evalExpr(obj, expr, options);
  return Array.isArray(expr) && expr.length === 1 && Array.isArray(value)
    ? (value as unknown[])[0]
    : value;
}

/** The n smallest (or largest) non-null values, in that order. */
function extremes(
  values: readonly unknown[],
  n: unknown,
  largest: boolean,
  name: string,
): unknown[] {
  const count = toDouble(n);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`${name} 'n' must be a positive integer`);
  return values
    .filter((value) => !isNullish(value))
    .sort((a, b) => (largest ? compareValues(b, a) : compareValues(a, b)))
    .slice(0, count);
}

function extremesExpression(name: string, largest: boolean): ExpressionOperator {
  return (obj, expr, options) => {
    const { input, n } = evalExpr(obj, expr, options) as { input: unknown; n: unknown };
    if (isNullish(input)) return null;
    if (!Array.isArray(input)) throw new Error(`${name} 'input' must be an array`);
    return extremes(input, n, largest, name);
  };
}

export const EXPRESSION_OPERATORS: Record<string, ExpressionOperator> = {
  $eq: comparison('$eq', (c) => c === 0),
  $ne: comparison('$ne', (c) => c !== 0),
  $gt: comparison('$gt', (c) => c > 0),
  $gte: comparison('$gte', (c) => c >= 0),
  $lt: comparison('$lt', (c) => c < 0),
  $lte: comparison('$lte', (c) => c <= 0),
  $cmp: (obj, expr, options) => {
    const [a, b] = twoArguments('$cmp', obj, expr, options);
    return Math.sign(compareExpressionValues(a, b));
  },
  $in,
  $add,
  $subtract,
  $multiply,
  $divide,
  $abs,
  $toLong,
  $toDecimal,
  $isNumber: (obj, expr, options) => isNumeric(firstOrSingle(obj, expr, options)),
  $type: (obj, expr, options) => typeName(firstOrSingle(obj, expr, options)),
  $minN: extremesExpression('$minN', false),
  $maxN: extremesExpression('$maxN', true),
};

// -------------------------------------------------------------------- numeric views

/** Operators that work on JS numbers only: they see Longs and decimals as numbers. */
const NUMERIC_EXPRESSIONS = [
  '$ceil',
  '$floor',
  '$round',
  '$trunc',
  '$mod',
  '$pow',
  '$sqrt',
  '$exp',
  '$ln',
  '$log',
  '$log10',
  '$sigmoid',
  '$toInt',
  '$toDouble',
  '$toBool',
  '$convert',
  '$bitAnd',
  '$bitOr',
  '$bitXor',
  '$bitNot',
  '$range',
  '$sin',
  '$cos',
  '$tan',
  '$asin',
  '$acos',
  '$atan',
  '$atan2',
  '$asinh',
  '$acosh',
  '$atanh',
  '$sinh',
  '$cosh',
  '$tanh',
  '$degreesToRadians',
  '$radiansToDegrees',
] as const;
const NUMERIC_ACCUMULATORS = [
  '$stdDevPop',
  '$stdDevSamp',
  '$median',
  '$percentile',
  '$covariancePop',
  '$covarianceSamp',
] as const;

/** Wrap mingo's numeric operators so that they see `numericView`s (Long → number). */
export function numericOperators(numericView: <V>(value: V) => V): {
  expression: Record<string, ExpressionOperator>;
  accumulator: Record<string, AccumulatorOperator>;
} {
  const expressions = mingoExpressions as unknown as Record<string, ExpressionOperator>;
  const accumulators = mingoAccumulators as unknown as Record<string, AccumulatorOperator>;
  const expression: Record<string, ExpressionOperator> = {};
  for (const name of NUMERIC_EXPRESSIONS) {
    const operator = expressions[name];
    if (operator)
      expression[name] = (obj, expr, options) =>
        operator(numericView(obj), numericView(expr), options);
  }
  const accumulator: Record<string, AccumulatorOperator> = {};
  for (const name of NUMERIC_ACCUMULATORS) {
    const operator = accumulators[name];
    if (operator)
      accumulator[name] = (coll, expr, options) =>
        operator(
          coll.map((doc) => numericView(doc)),
          numericView(expr),
          options,
        );
  }
  return { expression, accumulator };
}

// -------------------------------------------------------------------- accumulators

const push = mingoAccumulators.$push as unknown as AccumulatorOperator;

/** The values an accumulator works on: the collection itself in an expression. */
function accumulated(coll: unknown[], expr: unknown, options: Options): unknown[] {
  return expr === null || expr === undefined ? coll : (push(coll, expr, options) as unknown[]);
}

function extreme(largest: boolean): AccumulatorOperator {
  return (coll, expr, options) => {
    let best: unknown = null;
    for (const value of accumulated(coll, expr, options)) {
      if (isNullish(value)) continue;
      if (
        best === null ||
        (largest ? compareValues(value, best) > 0 : compareValues(value, best) < 0)
      )
        best = value;
    }
    return best;
  };
}

interface OrderedSpec {
  readonly n?: unknown;
  readonly sortBy: Record<string, 1 | -1>;
  readonly output: unknown;
}

function ordered(name: string, fromEnd: boolean, single: boolean): AccumulatorOperator {
  return (coll, expr, options) => {
    const spec = expr as OrderedSpec;
    const n = single ? 1 : toDouble(evalExpr(null, spec.n, options));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} 'n' must be a positive integer`);
    const sorted = sortDocuments(coll as Document[], spec.sortBy);
    const chosen = fromEnd ? sorted.slice(-n) : sorted.slice(0, n);
    const outputs = push(chosen, spec.output, options) as unknown[];
    return single ? outputs[0] : outputs;
  };
}

function extremesAccumulator(name: string, largest: boolean): AccumulatorOperator {
  return (coll, expr, options) => {
    const spec = expr as { input: unknown; n: unknown };
    return extremes(
      push(coll, spec.input, options) as unknown[],
      evalExpr(null, spec.n, options),
      largest,
      name,
    );
  };
}

export const ACCUMULATOR_OPERATORS: Record<string, AccumulatorOperator> = {
  $sum: (coll, expr, options) =>
    isNumeric(expr) ? sum(coll.map(() => expr)) : sum(accumulated(coll, expr, options)),
  $avg: (coll, expr, options) => average(accumulated(coll, expr, options)),
  $min: extreme(false),
  $max: extreme(true),
  $addToSet: (coll, expr, options) => {
    const seen = new Map<string, unknown>();
    for (const value of accumulated(coll, expr, options)) {
      if (value === undefined) continue;
      const key = equalityKey(value);
      if (!seen.has(key)) seen.set(key, value);
    }
    return [...seen.values()];
  },
  $minN: extremesAccumulator('$minN', false),
  $maxN: extremesAccumulator('$maxN', true),
  $top: ordered('$top', false, true),
  $topN: ordered('$topN', false, false),
  $bottom: ordered('$bottom', true, true),
  $bottomN: ordered('$bottomN', true, false),
};

// -------------------------------------------------------------------- sorting

/** The values a sort looks at, at a dotted path (arrays on the way and at the end unwound). */
function sortValues(
  value: unknown,
  segments: readonly string[],
  from: number,
  out: unknown[],
): void {
  if (from === segments.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(EMPTY);
      else out.push(...(value as unknown[]));
    } else {
      out.push(value);
    }
    return;
  }
  const segment = segments[from] ?? '';
  if (Array.isArray(value)) {
    if (/^\d+$/u.test(segment)) {
      sortValues(value[Number(segment)], segments, from + 1, out);
      return;
    }
    if (value.length === 0) out.push(undefined);
    for (const item of value as unknown[]) {
      if (isPlainObject(item)) sortValues(item, segments, from, out);
      else out.push(undefined);
    }
    return;
  }
  sortValues(isPlainObject(value) ? value[segment] : undefined, segments, from + 1, out);
}

const EMPTY: unknown[] = [];

/** The key a document sorts by on one field: its smallest value ascending, largest descending. */
function documentSortKey(doc: unknown, segments: readonly string[], direction: 1 | -1): unknown {
  const values: unknown[] = [];
  sortValues(doc, segments, 0, values);
  if (values.length === 1 && values[0] === EMPTY) return sortKey([], direction);
  return sortKey(
    values.filter((value) => value !== EMPTY),
    direction,
  );
}

const sortDirection = (direction: unknown): 1 | -1 => (direction === -1 ? -1 : 1);

/** Sort documents as MongoDB does (stable: ties keep their input order). */
export function sortDocuments<D>(docs: readonly D[], spec: Readonly<Record<string, unknown>>): D[] {
  const fields = Object.entries(spec).map(([path, direction]) => ({
    segments: path.split('.'),
    direction: sortDirection(direction),
  }));
  const keyed = docs.map((doc, index) => ({
    doc,
    index,
    keys: fields.map(({ segments, direction }) => documentSortKey(doc, segments, direction)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const c = compareSortKeys(a.keys[i], b.keys[i]);
      if (c !== 0) return c * (fields[i]?.direction ?? 1);
    }
    return a.index - b.index;
  });
  return keyed.map((entry) => entry.doc);
}

// -------------------------------------------------------------------- stages

const $sort: PipelineOperator = (coll, expr) => {
  if (!isPlainObject(expr) || Object.keys(expr).length === 0)
    throw new Error('$sort needs a sort specification');
  return coll.transform((docs: Document[]) => Lazy(sortDocuments(docs, expr)));
};

/**
 * Accumulators whose operand is one expression evaluated per document: a group keeps the
 * operand's values (in input order) rather than the documents, and applies the accumulator
 * to them at the end, through the same operator, so results are the same and memory is a
 * value per document instead of the document.
 */
const VALUE_ACCUMULATORS = new Set([
  '$sum',
  '$avg',
  '$min',
  '$max',
  '$first',
  '$last',
  '$push',
  '$addToSet',
  '$stdDevPop',
  '$stdDevSamp',
  '$mergeObjects',
]);

/** `{ $op: operand }` with a value accumulator and a plain operand, or null. */
function valueAccumulator(spec: unknown): { op: string; operand: unknown } | null {
  if (!isPlainObject(spec)) return null;
  const keys = Object.keys(spec);
  if (keys.length !== 1) return null;
  const op = keys[0] ?? '';
  if (!VALUE_ACCUMULATORS.has(op)) return null;
  const operand = spec[op];
  // `$$ROOT`/`$$CURRENT` keep the document anyway; an operand object may hold accumulator args
  if (operand === '$$ROOT' || operand === '$$CURRENT') return null;
  return { op, operand };
}

interface GroupEntry {
  readonly id: unknown;
  /** Per field: the operand values (value accumulators), or the documents (any other). */
  readonly values: unknown[][];
  readonly docs: Document[];
}

function group(coll: LazyIterator, expr: unknown, options: Options): LazyIterator {
  if (!isPlainObject(expr) || !('_id' in expr))
    throw new Error("a $group specification must include an '_id'");
  const idExpr = expr['_id'];
  const fields = Object.keys(expr).filter((key) => key !== '_id');
  const plans = fields.map((field) => valueAccumulator(expr[field]));
  const needDocs = plans.some((plan) => plan === null);
  let results: Document[] | undefined;
  let next = 0;
  // Reads its input one document at a time (no materialised array), then yields the groups.
  return Lazy(() => {
    if (results === undefined) {
      const groups = new Map<string, GroupEntry>();
      for (let item = coll.next(); !item.done; item = coll.next()) {
        const doc = item.value as Document;
        const id = evalExpr(doc, idExpr, options) ?? null;
        const key = equalityKey(id);
        let entry = groups.get(key);
        if (!entry) {
          entry = { id, values: plans.map(() => []), docs: [] };
          groups.set(key, entry);
        }
        if (needDocs) entry.docs.push(doc);
        for (const [i, plan] of plans.entries()) {
          if (plan !== null) entry.values[i]?.push(evalExpr(doc, plan.operand, options));
        }
      }
      results = [...groups.values()].map(({ id, values, docs }) => {
        const out: Document = { _id: id };
        for (const [i, field] of fields.entries()) {
          const plan = plans[i];
          if (plan === null || plan === undefined) {
            out[field] = evalExpr(docs, expr[field], options);
          } else {
            // the values as documents `{ v }` (a missing value stays missing)
            const members = (values[i] ?? []).map((v) => (v === undefined ? {} : { v }));
            out[field] = evalExpr(members, { [plan.op]: '$v' }, options);
          }
        }
        return out;
      });
    }
    if (next < results.length) return { value: results[next++], done: false };
    return { done: true };
  });
}

const $count: PipelineOperator = (coll, expr) => {
  if (typeof expr !== 'string' || expr.length === 0 || expr.startsWith('$') || expr.includes('.')) {
    throw new Error('the $count field must be a non-empty string without "$" or "."');
  }
  // No document in: no document out (MongoDB's $count returns nothing, not 0).
  return coll.transform((docs: unknown[]) =>
    Lazy(docs.length === 0 ? [] : [{ [expr]: docs.length }]),
  );
};

const $sortByCount: PipelineOperator = (coll, expr, options) =>
  $sort(group(coll, { _id: expr, count: { $sum: 1 } }, options), { count: -1 }, options);

const $bucket: PipelineOperator = (coll, expr, options) => {
  const spec = expr as {
    groupBy: unknown;
    boundaries: unknown;
    default?: unknown;
    output?: unknown;
  };
  const bounds = spec.boundaries;
  if (!Array.isArray(bounds) || bounds.length < 2)
    throw new Error('$bucket needs at least two boundaries');
  const rank = typeRank(bounds[0]);
  for (let i = 1; i < bounds.length; i++) {
    if (typeRank(bounds[i]) !== rank || compareValues(bounds[i], bounds[i - 1]) <= 0) {
      throw new Error("the $bucket 'boundaries' must be of one type and in ascending order");
    }
  }
  const hasDefault = 'default' in spec;
  const lower: unknown = bounds[0];
  const upper: unknown = bounds[bounds.length - 1];
  if (
    hasDefault &&
    typeRank(spec.default) === rank &&
    compareValues(spec.default, lower) >= 0 &&
    compareValues(spec.default, upper) < 0
  ) {
    throw new Error("the $bucket 'default' must be outside the boundaries");
  }
  const output = isPlainObject(spec.output) ? spec.output : { count: { $sum: 1 } };
  return coll.transform((docs: Document[]) => {
    const buckets: Document[][] = bounds.slice(0, -1).map(() => []);
    const fallback: Document[] = [];
    for (const doc of docs) {
      const key = evalExpr(doc, spec.groupBy, options);
      if (
        typeRank(key) === rank &&
        compareValues(key, lower) >= 0 &&
        compareValues(key, upper) < 0
      ) {
        let i = bounds.length - 2;
        while (i > 0 && compareValues(key, bounds[i]) < 0) i--;
        buckets[i]?.push(doc);
      } else if (hasDefault) {
        fallback.push(doc);
      } else {
        throw new Error(
          '$bucket could not find a matching branch for an input, and no default was specified',
        );
      }
    }
    const out: Document[] = [];
    const emit = (id: unknown, members: Document[]): void => {
      if (members.length === 0) return;
      const row: Document = { _id: id };
      for (const [field, accumulator] of Object.entries(output))
        row[field] = evalExpr(members, accumulator, options);
      out.push(row);
    };
    buckets.forEach((members, i) => {
      emit(bounds[i], members);
    });
    emit(spec.default, fallback);
    return Lazy(out);
  });
};

/** The pipeline stages replaced; `$match` needs the view documents are matched on. */
export function pipelineOperators(
  matchView: MatchView,
  numericView: <V>(value: V) => V,
): Record<string, PipelineOperator> {
  return {
    $match: (coll, expr, options) => {
      const query = new Query(numericView(expr as Record<string, unknown>), options);
      if (!usesNumericOperators(expr)) return coll.filter((doc: Document) => query.test(doc));
      return coll.filter((doc: object) => query.test(matchView(doc) as Record<string, unknown>));
    },
    $sort,
    $group: group,
    $count,
    $sortByCount,
    $bucket,
  };
}
