/**
 * `$out` and `$merge` on the embedded engine (issue 12): the pipeline's results are written
 * into the target collection in one transaction (all or nothing), and the aggregation returns
 * no document, as on MongoDB. The options of `$merge` are MongoDB's: `into`, `on` (unique
 * fields of the target; `_id` by default), `let`, `whenMatched` (`merge`, `replace`,
 * `keepExisting`, `fail` or an update pipeline) and `whenNotMatched` (`insert`, `discard`,
 * `fail`).
 */
import { StoreError } from '@edx-data/core';
import { evalExpr } from 'mingo/core';
import { Aggregator } from 'mingo/aggregator';
import type { Options } from 'mingo/types';
import { isPlainObject, withId, withoutId } from './codec.js';
import type { CollectionWrites, RowWriter } from './collection-writes.js';
import { mingoOptions } from './matcher.js';
import { matchingRows } from './matching-rows.js';
import type { SqliteFile } from './sqlite-file.js';
import { sameId } from './update-rules.js';
import { validateCollectionName, validateDatabaseName } from '../names.js';
import type { Document } from '../types.js';

/** Where an output stage writes: a collection of this database or of another. */
export interface OutputTarget {
  readonly db: string | undefined;
  readonly coll: string;
}

function target(spec: unknown, stage: string): OutputTarget {
  if (typeof spec === 'string') return { db: undefined, coll: validateCollectionName(spec) };
  if (isPlainObject(spec) && typeof spec['coll'] === 'string') {
    const db = spec['db'];
    if (db !== undefined && typeof db !== 'string') {
      throw new StoreError('E_STORE', `${stage}: 'db' must be a string`);
    }
    return {
      db: db === undefined ? undefined : validateDatabaseName(db),
      coll: validateCollectionName(spec['coll']),
    };
  }
  throw new StoreError('E_STORE', `${stage} needs a collection name or { db, coll }`);
}

/** The target of `$out` (its specification: a name or `{ db, coll }`). */
export function outTarget(spec: unknown): OutputTarget {
  if (isPlainObject(spec) && 'timeseries' in spec) {
    throw new StoreError(
      'E_UNSUPPORTED',
      'the embedded engine does not support $out to a time series collection',
    );
  }
  return target(spec, '$out');
}

/** `$out`: the results replace the target's documents (its indexes stay). */
export function writeOut(writes: CollectionWrites, results: Iterable<Document>): void {
  writes.inTransaction((rows) => {
    rows.clear();
    for (const doc of results) {
      const stored = withId({ ...doc });
      if (!rows.insert(stored)) throw rows.duplicate(stored['_id']);
    }
  });
}

interface MergeSpec {
  readonly into: OutputTarget;
  readonly on: readonly string[];
  readonly let: Document | undefined;
  readonly whenMatched: 'merge' | 'replace' | 'keepExisting' | 'fail' | readonly Document[];
  readonly whenNotMatched: 'insert' | 'discard' | 'fail';
}

const WHEN_MATCHED = new Set(['merge', 'replace', 'keepExisting', 'fail']);
const WHEN_NOT_MATCHED = new Set(['insert', 'discard', 'fail']);

/** Check `$merge`'s specification (a collection name, or MongoDB's options document). */
export function mergeSpec(spec: unknown): MergeSpec {
  if (typeof spec === 'string' || (isPlainObject(spec) && !('into' in spec))) {
    return {
      into: target(spec, '$merge'),
      on: ['_id'],
      let: undefined,
      whenMatched: 'merge',
      whenNotMatched: 'insert',
    };
  }
  if (!isPlainObject(spec))
    throw new StoreError('E_STORE', '$merge needs a collection name or an options document');
  for (const key of Object.keys(spec)) {
    if (!['into', 'on', 'let', 'whenMatched', 'whenNotMatched'].includes(key)) {
      throw new StoreError('E_STORE', `$merge: unknown option '${key}'`);
    }
  }
  const on = spec['on'] ?? '_id';
  const fields = Array.isArray(on) ? on : [on];
  if (
    fields.length === 0 ||
    !fields.every((field) => typeof field === 'string' && field.length > 0)
  ) {
    throw new StoreError('E_STORE', "$merge: 'on' must be a field name or an array of field names");
  }
  const whenMatched = spec['whenMatched'] ?? 'merge';
  if (
    !Array.isArray(whenMatched) &&
    !(typeof whenMatched === 'string' && WHEN_MATCHED.has(whenMatched))
  ) {
    throw new StoreError('E_STORE', `$merge: unknown whenMatched ${JSON.stringify(whenMatched)}`);
  }
  const whenNotMatched = spec['whenNotMatched'] ?? 'insert';
  if (typeof whenNotMatched !== 'string' || !WHEN_NOT_MATCHED.has(whenNotMatched)) {
    throw new StoreError(
      'E_STORE',
      `$merge: unknown whenNotMatched ${JSON.stringify(whenNotMatched)}`,
    );
  }
  const letSpec = spec['let'];
  if (letSpec !== undefined && !isPlainObject(letSpec))
    throw new StoreError('E_STORE', "$merge: 'let' must be a document");
  return {
    into: target(spec['into'], '$merge'),
    on: fields as string[],
    let: letSpec,
    whenMatched: whenMatched as MergeSpec['whenMatched'],
    whenNotMatched: whenNotMatched as MergeSpec['whenNotMatched'],
  };
}

function valueAt(doc: Document, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/** The target must have a unique index on exactly the `on` fields (MongoDB's rule). */
function checkOnFields(rows: RowWriter, on: readonly string[], namespace: string): void {
  if (on.length === 1 && on[0] === '_id') return;
  const wanted = [...on].sort().join(',');
  const unique = rows.meta.indexes.some(
    (index) => index.unique && Object.keys(index.key).sort().join(',') === wanted,
  );
  if (!unique) {
    throw new StoreError(
      'E_STORE',
      `$merge into ${namespace}: cannot find a unique index on the 'on' fields (${on.join(', ')}) of the target collection`,
    );
  }
}

function matchedDocument(
  spec: MergeSpec,
  existing: Document,
  incoming: Document,
  namespace: string,
): Document | undefined {
  const keepId = (doc: Document): Document => {
    if (doc['_id'] !== undefined && !sameId(doc['_id'], existing['_id'])) {
      throw new StoreError(
        'E_STORE',
        `$merge into ${namespace} failed to update the matching document: it would modify the immutable field '_id'`,
      );
    }
    return { _id: existing['_id'], ...withoutId(doc) };
  };
  const { whenMatched } = spec;
  if (Array.isArray(whenMatched)) {
    const options = mingoOptions();
    const variables = {
      new: incoming,
      ...(spec.let === undefined
        ? {}
        : (evalExpr(incoming, spec.let, options as Options) as Document)),
    };
    const [result] = new Aggregator([...(whenMatched as Document[])], {
      ...options,
      variables,
    }).run([existing]);
    return keepId(result as Document);
  }
  switch (whenMatched) {
    case 'keepExisting':
      return undefined;
    case 'fail':
      throw new StoreError(
        'E_DUPLICATE_KEY',
        `$merge into ${namespace} (whenMatched: fail) found an existing document with the same values for the 'on' fields`,
      );
    case 'replace':
      return keepId(incoming);
    default:
      return keepId({ ...existing, ...incoming });
  }
}

/** `$merge`: each result is merged into the target as `spec` says, in one transaction. */
export function writeMerge(
  writes: CollectionWrites,
  spec: MergeSpec,
  results: Iterable<Document>,
  namespace: string,
): void {
  writes.inTransaction((rows: RowWriter, file: SqliteFile) => {
    checkOnFields(rows, spec.on, namespace);
    for (const incoming of results) {
      const key: Document = {};
      for (const field of spec.on) {
        const value = valueAt(incoming, field);
        if (field === '_id' && value === undefined) continue;
        if (value === undefined || value === null || Array.isArray(value)) {
          throw new StoreError(
            'E_STORE',
            `$merge into ${namespace}: the 'on' field '${field}' of a result is missing, null or an array`,
          );
        }
        key[field] = value;
      }
      const [match] =
        Object.keys(key).length === spec.on.length ? matchingRows(file, rows.meta, key, true) : [];
      if (match) {
        const next = matchedDocument(spec, match.doc, incoming, namespace);
        if (next !== undefined && !rows.replace(match.rowid, next))
          throw rows.duplicate(next['_id']);
        continue;
      }
      if (spec.whenNotMatched === 'discard') continue;
      if (spec.whenNotMatched === 'fail') {
        throw new StoreError(
          'E_STORE',
          `$merge into ${namespace} (whenNotMatched: fail) could not find a matching document in the target collection for a result`,
        );
      }
      const stored = withId({ ...incoming });
      if (!rows.insert(stored)) throw rows.duplicate(stored['_id']);
    }
  });
}
