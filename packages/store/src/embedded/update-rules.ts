/**
 * The update rules of the embedded engine's writes, as MongoDB has them: what an update may
 * hold (operators, or a pipeline of stages), how it is applied to a stored document (mingo's
 * updater, with the filter for the positional `$` and `arrayFilters`; `$inc`, `$mul`, `$min`
 * and `$max` on plain paths computed here over BSON numbers and BSON order), what an `_id`
 * may be, and the document an upsert starts from.
 */
import { StoreError, UsageError } from '@edx-data/core';
import { updateOne as mingoUpdateOne } from 'mingo/updater';
import type { Modifier, PipelineStage } from 'mingo/updater';
import { arithmetic } from './bson-arithmetic.js';
import { bsonType, compareValues, isNumeric } from './bson-order.js';
import { idKey, isPlainObject } from './codec.js';
import { isKnownOperator, mingoOptions } from './matcher.js';
import { checkUpdateOperators, checkUpdatePipeline } from './operator-check.js';
import type { Document, Filter, UpdateDocument, UpdateSpec } from '../types.js';

export function sameId(a: unknown, b: unknown): boolean {
  return idKey(a) === idKey(b);
}

/**
 * Refuse an `_id` MongoDB refuses: an array, a regular expression, or a document holding a
 * `$`-prefixed field (at any depth).
 * @throws StoreError `E_STORE`
 */
export function checkId(id: unknown): void {
  if (Array.isArray(id)) throw new StoreError('E_STORE', 'the _id cannot be an array');
  if (id instanceof RegExp || bsonType(id) === 'BSONRegExp') {
    throw new StoreError('E_STORE', 'the _id cannot be a regular expression');
  }
  const dollar = (value: unknown): string | undefined => {
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        const found = dollar(item);
        if (found !== undefined) return found;
      }
    } else if (isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key.startsWith('$')) return key;
        const found = dollar(inner);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const field = dollar(id);
  if (field !== undefined) {
    throw new StoreError(
      'E_STORE',
      `_id fields may not contain '$'-prefixed fields: ${field} is not valid for storage`,
    );
  }
}

/**
 * Check an update: a non-empty document of update operators, or a pipeline of update
 * stages (`$set`, `$unset`, …).
 * @throws UsageError `E_USAGE` for a replacement document given as an update
 * @throws StoreError `E_UNSUPPORTED` for an unknown operator or stage
 */
export function checkUpdate(update: UpdateSpec): UpdateSpec {
  if (Array.isArray(update)) {
    const pipeline = update as readonly Document[];
    checkUpdatePipeline(pipeline, isKnownOperator);
    return pipeline;
  }
  const keys = Object.keys(update);
  if (keys.length === 0 || !keys.every((key) => key.startsWith('$'))) {
    throw new UsageError(
      'E_USAGE',
      'an update must be a document of update operators ($set, $inc, …) or a pipeline; use replaceOne to replace a document',
    );
  }
  checkUpdateOperators(update as Document, isKnownOperator);
  return update;
}

/**
 * Check a replacement document: no update operator in it.
 * @throws UsageError `E_USAGE`
 */
export function checkReplacement(replacement: Document, what: string): Document {
  if (Object.keys(replacement).some((key) => key.startsWith('$'))) {
    throw new UsageError('E_USAGE', `${what}: the replacement must not contain update operators`);
  }
  return replacement;
}

/** The update without `$setOnInsert`, and what it sets on an insert (for upserts). */
export function splitSetOnInsert(update: UpdateSpec): {
  onMatch: UpdateSpec;
  onInsert: UpdateSpec;
} {
  if (Array.isArray(update)) return { onMatch: update, onInsert: update };
  const { $setOnInsert, ...onMatch } = update as UpdateDocument;
  return { onMatch, onInsert: mergeSetOnInsert(onMatch, $setOnInsert) };
}

function mergeSetOnInsert(update: UpdateDocument, setOnInsert: unknown): UpdateDocument {
  if (!isPlainObject(setOnInsert)) return update;
  const set = isPlainObject(update['$set']) ? update['$set'] : {};
  return { ...update, $set: { ...set, ...setOnInsert } };
}

/** The value at a plain dotted path (no array walking), or undefined. */
function valueAt(doc: Document, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/u.test(segment)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** A path with a positional operator: `$`, `$[]` or `$[id]`. */
const POSITIONAL = /(^|\.)\$(\[[^\]]*\])?(\.|$)/u;
/** A path with the positional `$` (the element the filter matched). */
const FIRST_MATCH = /(^|\.)\$(\.|$)/u;

/**
 * `$inc`, `$mul`, `$min` and `$max` on paths without a positional operator, computed over
 * BSON numbers and in BSON order and turned into a `$set` (mingo's own skip Longs and order
 * values with JS semantics); the rest of the update as it was.
 */
function typedNumericUpdate(doc: Document, update: UpdateDocument): UpdateDocument {
  const out: UpdateDocument = {};
  const set: Record<string, unknown> = isPlainObject(update['$set']) ? { ...update['$set'] } : {};
  for (const [operator, fields] of Object.entries(update)) {
    if (!['$inc', '$mul', '$min', '$max'].includes(operator) || !isPlainObject(fields)) {
      if (operator !== '$set') out[operator] = fields;
      continue;
    }
    const kept: Record<string, unknown> = {};
    for (const [path, operand] of Object.entries(fields)) {
      if (POSITIONAL.test(path)) {
        kept[path] = operand;
        continue;
      }
      if (path in set) {
        throw new StoreError(
          'E_STORE',
          `Updating the path '${path}' would create a conflict at '${path}'`,
        );
      }
      const current = valueAt(doc, path);
      if (operator === '$inc' || operator === '$mul') {
        if (!isNumeric(operand)) {
          throw new StoreError(
            'E_STORE',
            `Cannot ${operator === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${String(operand)}}`,
          );
        }
        if (current !== undefined && !isNumeric(current)) {
          throw new StoreError(
            'E_STORE',
            `Cannot apply ${operator} to a value of non-numeric type (field ${path})`,
          );
        }
        if (operator === '$inc')
          set[path] = current === undefined ? operand : arithmetic('add', current, operand);
        else
          set[path] =
            current === undefined
              ? arithmetic('multiply', 0, operand)
              : arithmetic('multiply', current, operand);
      } else {
        const c = current === undefined ? 0 : compareValues(operand, current);
        if (current === undefined || (operator === '$min' ? c < 0 : c > 0)) set[path] = operand;
      }
    }
    if (Object.keys(kept).length > 0) out[operator] = kept;
  }
  if (Object.keys(set).length > 0) out['$set'] = set;
  return out;
}

/**
 * Apply an update (operators or pipeline) to a copy of a stored document, as MongoDB would:
 * the filter locates the positional `$`, `arrayFilters` the `$[id]` elements. Returns the
 * new document, or undefined when nothing changed.
 * @throws StoreError `E_STORE` when the update would change `_id`, or MongoDB would refuse it
 */
export function applyUpdate(
  doc: Document,
  filter: Filter,
  update: UpdateSpec,
  arrayFilters: readonly Document[] | undefined,
  namespace: string,
): Document | undefined {
  const id = doc['_id'];
  let modifier: Modifier<Document> | PipelineStage[];
  let condition: Filter = {};
  if (Array.isArray(update)) {
    modifier = update as PipelineStage[];
  } else {
    const typed = typedNumericUpdate(doc, update as UpdateDocument);
    if (Object.keys(typed).length === 0) return undefined;
    modifier = typed;
    // The filter only locates a positional `$` (mingo tests it again, on the raw document).
    const paths = Object.values(typed).flatMap((fields) =>
      isPlainObject(fields) ? Object.keys(fields) : [],
    );
    if (paths.some((path) => FIRST_MATCH.test(path))) condition = filter;
  }
  const docs = [doc];
  const result = mingoUpdateOne(
    docs,
    condition,
    modifier,
    arrayFilters === undefined ? {} : { arrayFilters: [...arrayFilters] },
    mingoOptions(),
  );
  if (result.modifiedCount === 0) return undefined;
  const updated = docs[0] as Document;
  if (!sameId(id, updated['_id'])) {
    throw new StoreError(
      'E_STORE',
      `Performing an update on the path '_id' would modify the immutable field '_id' (in ${namespace})`,
    );
  }
  return updated;
}

/** The document an upsert starts from: the filter's equality conditions. */
export function seedFromFilter(filter: Filter): Document {
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
