/**
 * Turn the indexable part of a MongoDB filter into an SQL condition over the extracted key
 * columns. The condition only narrows the candidates (it is a necessary condition); every
 * candidate is still judged by mingo, unless the plan is `exact` (every predicate was
 * translated exactly), in which case counts can be taken in SQL alone.
 */
import { idKey, indexKey, isPlainObject, typeUpperBound } from './codec.js';
import type { Filter, SortSpec } from '../types.js';

/** An extracted, indexed field of a collection. */
export interface KeyColumn {
  /** SQL column name. */
  readonly column: string;
  /** Some document has a value here that has no key (array, embedded document, …). */
  hasNull: boolean;
}

export interface SqlCondition {
  readonly sql: string;
  readonly params: unknown[];
  /** True when the SQL condition alone decides the filter. */
  readonly exact: boolean;
}

const ID_COLUMN: KeyColumn = { column: 'id', hasNull: false };
const RANGE_OPERATORS: Readonly<Record<string, string>> = {
  $gt: '>',
  $gte: '>=',
  $lt: '<',
  $lte: '<=',
};

function keyOf(path: string, value: unknown): string | null {
  if (path === '_id') {
    return Array.isArray(value) || value instanceof RegExp ? null : idKey(value);
  }
  return indexKey(value);
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

function fieldCondition(path: string, key: KeyColumn, condition: unknown): SqlCondition {
  const col = `"${key.column}"`;
  const parts: string[] = [];
  const params: unknown[] = [];
  let exact = true;
  if (isOperatorObject(condition)) {
    for (const [op, operand] of Object.entries(condition)) {
      if (op === '$eq') {
        const k = isPlainObject(operand) ? null : keyOf(path, operand);
        if (k === null) exact = false;
        else {
          parts.push(`${col} = ?`);
          params.push(k);
        }
      } else if (op === '$in' && Array.isArray(operand)) {
        const keys = operand.map((v) => (isPlainObject(v) ? null : keyOf(path, v)));
        if (keys.some((k) => k === null)) exact = false;
        else if (keys.length === 0) parts.push('0');
        else {
          parts.push(`${col} IN (${keys.map(() => '?').join(', ')})`);
          params.push(...keys);
        }
      } else if (op in RANGE_OPERATORS) {
        const k = operand === null || operand === undefined ? null : indexKey(operand);
        if (k === null || k.length < 2) {
          exact = false;
          continue;
        }
        const sqlOp = RANGE_OPERATORS[op] ?? '=';
        parts.push(`${col} ${sqlOp} ?`);
        params.push(k);
        // Type bracketing: a range over numbers matches only numbers, over Dates only Dates.
        if (sqlOp.startsWith('>')) {
          parts.push(`${col} < ?`);
          params.push(typeUpperBound(k));
        } else {
          parts.push(`${col} >= ?`);
          params.push(k.charAt(0));
        }
      } else {
        exact = false;
      }
    }
  } else if (isPlainObject(condition) || Array.isArray(condition) || condition instanceof RegExp) {
    exact = false;
  } else {
    const k = keyOf(path, condition);
    if (k === null) exact = false;
    else {
      parts.push(`${col} = ?`);
      params.push(k);
    }
  }
  if (parts.length === 0) return { sql: '', params: [], exact: false };
  const sql = parts.join(' AND ');
  if (key.hasNull) return { sql: `((${sql}) OR ${col} IS NULL)`, params, exact: false };
  return { sql: parts.length > 1 ? `(${sql})` : sql, params, exact };
}

/** Plan the SQL condition of a filter over the given key columns (by dotted path). */
export function planFilter(filter: Filter, columns: ReadonlyMap<string, KeyColumn>): SqlCondition {
  const parts: string[] = [];
  const params: unknown[] = [];
  let exact = true;
  const add = (condition: SqlCondition): void => {
    if (!condition.exact) exact = false;
    if (condition.sql !== '') {
      parts.push(condition.sql);
      params.push(...condition.params);
    }
  };
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const sub of condition) {
        if (isPlainObject(sub)) add(planFilter(sub, columns));
        else exact = false;
      }
    } else if (path === '$or' && Array.isArray(condition) && condition.length > 0) {
      const branches = condition.map((sub) =>
        isPlainObject(sub) ? planFilter(sub, columns) : { sql: '', params: [], exact: false },
      );
      if (branches.some((b) => b.sql === '')) exact = false;
      else {
        add({
          sql: `(${branches.map((b) => `(${b.sql})`).join(' OR ')})`,
          params: branches.flatMap((b) => b.params),
          exact: branches.every((b) => b.exact),
        });
      }
    } else if (path.startsWith('$')) {
      exact = false;
    } else {
      const key = path === '_id' ? ID_COLUMN : columns.get(path);
      if (key === undefined) exact = false;
      else add(fieldCondition(path, key, condition));
    }
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params, exact };
}

/**
 * An SQL `ORDER BY` list for a sort, when every sort field is `_id` or an indexed field
 * whose keys all sort in MongoDB's order (no document has an unkeyed value there);
 * otherwise `null` and the sort is done in memory.
 */
export function planSort(sort: SortSpec, columns: ReadonlyMap<string, KeyColumn>): string | null {
  const terms: string[] = [];
  for (const [path, direction] of Object.entries(sort)) {
    const key = path === '_id' ? ID_COLUMN : columns.get(path);
    if (key === undefined || key.hasNull) return null;
    terms.push(`"${key.column}" ${direction === -1 ? 'DESC' : 'ASC'}`);
  }
  return terms.length === 0 ? null : terms.join(', ');
}
