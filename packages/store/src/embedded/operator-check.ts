/**
 * What the embedded engine refuses before it runs anything (issue 12): a pipeline stage it
 * cannot run as MongoDB does, and any operator mingo does not implement, in a filter, a
 * pipeline or an update. Each is a `StoreError` `E_UNSUPPORTED` naming the stage or the
 * operator, so nothing is silently skipped or half-done.
 */
import { StoreError } from '@edx-data/core';
import { isPlainObject } from './codec.js';
import type { Document, Filter } from '../types.js';

/** Stages the embedded engine runs (with the BSON-aware operators of bson-operators.ts). */
const STAGES = new Set([
  '$addFields',
  '$bucket',
  '$count',
  '$facet',
  '$graphLookup',
  '$group',
  '$limit',
  '$lookup',
  '$match',
  '$project',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$set',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
]);

/** Stages that write their output (the last stage only), run by the collection itself. */
export const OUTPUT_STAGES = new Set(['$out', '$merge']);

/** Stages mingo has but runs otherwise than MongoDB; refused, with the reason. */
const UNFAITHFUL_STAGES: Readonly<Record<string, string>> = {
  $bucketAuto: 'its bucket boundaries are not computed as MongoDB computes them',
  $densify: 'it is not checked against MongoDB here',
  $fill: 'it is not checked against MongoDB here',
  $setWindowFields: 'its windows sort values with JS semantics, not BSON order',
  $documents: 'it needs a database-level aggregate',
};

/** Update operators (MongoDB's), and the modifiers allowed inside them. */
export const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$push',
  '$bit',
  '$setOnInsert',
]);
const UPDATE_MODIFIERS = new Set(['$each', '$slice', '$sort', '$position']);

/** Keys that go with an operator of a filter rather than being one. */
const QUERY_MODIFIERS = new Set(['$options']);

/** Operators whose operand is a literal value (not walked). */
const LITERAL_OPERANDS = new Set(['$literal']);
const QUERY_LITERAL_OPERANDS = new Set(['$eq', '$ne']);

function unsupported(what: string, reason?: string): StoreError {
  return new StoreError(
    'E_UNSUPPORTED',
    `the embedded engine does not support ${what}${reason === undefined ? '' : `: ${reason}`}`,
  );
}

/** Refuse any `$`-named key of `value` (at any depth) that is not a known operator. */
function walk(value: unknown, known: (name: string) => boolean, inQuery: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, known, inQuery);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, operand] of Object.entries(value)) {
    if (key.startsWith('$') && !key.startsWith('$$')) {
      if (!known(key) && !(inQuery && QUERY_MODIFIERS.has(key))) {
        throw unsupported(`the operator ${key}`);
      }
      if (LITERAL_OPERANDS.has(key)) continue;
      if (inQuery && QUERY_LITERAL_OPERANDS.has(key) && isPlainObject(operand)) continue;
      // `$expr` holds aggregation expressions; everything else in a filter is a query.
      walk(operand, known, inQuery && key !== '$expr');
    } else {
      walk(operand, known, inQuery);
    }
  }
}

/**
 * Check a filter: every operator in it is known.
 * @throws StoreError `E_UNSUPPORTED` naming the first unknown operator
 */
export function checkFilter(filter: Filter, known: (name: string) => boolean): void {
  walk(filter, known, true);
}

/** A pipeline split into the stages mingo runs and the output stage that ends it, if any. */
export interface CheckedPipeline {
  readonly stages: readonly Document[];
  readonly output: { readonly stage: '$out' | '$merge'; readonly spec: unknown } | undefined;
}

/**
 * Check a pipeline: each stage is one the engine runs, every operator in it is known, and an
 * output stage (`$out`, `$merge`) comes last.
 * @throws StoreError `E_UNSUPPORTED` naming the stage or operator
 * @throws UsageError-like StoreError `E_STORE` for a malformed pipeline
 */
export function checkPipeline(
  pipeline: readonly Document[],
  known: (name: string) => boolean,
): CheckedPipeline {
  let output: CheckedPipeline['output'];
  pipeline.forEach((stage, index) => {
    const keys = isPlainObject(stage) ? Object.keys(stage) : [];
    if (keys.length !== 1) {
      throw new StoreError(
        'E_STORE',
        `pipeline stage ${index} must be an object with exactly one field (the stage name)`,
      );
    }
    const name = keys[0] as string;
    if (OUTPUT_STAGES.has(name)) {
      if (index !== pipeline.length - 1) {
        throw new StoreError('E_STORE', `${name} can only be the final stage in the pipeline`);
      }
      output = { stage: name as '$out' | '$merge', spec: stage[name] };
      if (name === '$merge') {
        const spec = stage[name];
        if (isPlainObject(spec) && Array.isArray(spec['whenMatched'])) {
          checkUpdatePipeline(spec['whenMatched'] as Document[], known);
        }
      }
      return;
    }
    if (name in UNFAITHFUL_STAGES) throw unsupported(`the stage ${name}`, UNFAITHFUL_STAGES[name]);
    if (!STAGES.has(name)) throw unsupported(`the stage ${name}`);
    walk(stage[name], known, name === '$match');
  });
  return { stages: output ? pipeline.slice(0, -1) : pipeline, output };
}

/** Stages an update pipeline (and `$merge`'s `whenMatched`) may hold. */
const UPDATE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

/**
 * Check an update pipeline (an array of stages as the update of `updateOne` and kin).
 * @throws StoreError `E_UNSUPPORTED` for another stage or an unknown operator
 */
export function checkUpdatePipeline(
  pipeline: readonly Document[],
  known: (name: string) => boolean,
): void {
  for (const stage of pipeline) {
    const [name, ...more] = isPlainObject(stage) ? Object.keys(stage) : [];
    if (name === undefined || more.length > 0) {
      throw new StoreError(
        'E_STORE',
        'each stage of an update pipeline must have exactly one field',
      );
    }
    if (!UPDATE_STAGES.has(name)) {
      throw unsupported(
        `the stage ${name} in an update pipeline`,
        'only $addFields, $set, $project, $unset, $replaceRoot and $replaceWith are allowed',
      );
    }
    walk(stage[name], known, false);
  }
}

/**
 * Check an update document: operators only, each one MongoDB has, and what they hold.
 * @throws StoreError `E_UNSUPPORTED` naming an unknown update operator
 */
export function checkUpdateOperators(update: Document, known: (name: string) => boolean): void {
  for (const [name, fields] of Object.entries(update)) {
    if (!UPDATE_OPERATORS.has(name)) throw unsupported(`the update operator ${name}`);
    walk(fields, (key) => UPDATE_MODIFIERS.has(key) || known(key), true);
  }
}

/** Query operators mingo evaluates on JS numbers only (they need Longs as numbers). */
const NUMERIC_QUERY_OPERATORS = new Set([
  '$mod',
  '$bitsAllSet',
  '$bitsAllClear',
  '$bitsAnySet',
  '$bitsAnyClear',
]);

/** True when a filter uses an operator that sees numbers only (see {@link NUMERIC_QUERY_OPERATORS}). */
export function usesNumericOperators(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(usesNumericOperators);
  if (!isPlainObject(filter)) return false;
  return Object.entries(filter).some(
    ([key, value]) => NUMERIC_QUERY_OPERATORS.has(key) || usesNumericOperators(value),
  );
}
