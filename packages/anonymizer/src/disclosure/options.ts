import { UsageError } from '@edx-data/core';
import { COURSE_SET_LEVELS, HIERARCHY_NAMES, valueHierarchy } from './hierarchies.js';
import type { HierarchyName, ValueHierarchy } from './hierarchies.js';

/** A column that, with others, could single a learner out, and how to generalise it. */
export interface QuasiIdentifier {
  readonly column: string;
  readonly hierarchy: HierarchyName;
}

/** What {@link DisclosureControl} must reach, over which columns. */
export interface DisclosureOptions {
  /** Smallest number of units (learners) that may share one combination of QI values; ≥ 1. */
  readonly k: number;
  readonly quasiIdentifiers: readonly QuasiIdentifier[];
  /**
   * Column that identifies the learner (already pseudonymised): k counts distinct learners, and
   * a learner's rows are one unit (generalised alike, suppressed together). Without it, rows are
   * units.
   */
  readonly learnerColumn?: string;
  /**
   * For 'course_set': the column holding the course of a row (the QI value of a learner is the
   * set of its courses in the file). It is the course_set QI's own column, which is the default;
   * the generalised set is written there.
   */
  readonly courseColumn?: string;
  /** Largest share of units that may be suppressed instead of generalising further. @default 0.05 */
  readonly maxSuppression?: number;
  /** l-diversity: at least `l` distinct values of `column` in every equivalence class. */
  readonly sensitive?: { readonly column: string; readonly l: number };
}

/** One quasi-identifier with its hierarchy resolved. */
export interface ResolvedQuasiIdentifier {
  readonly column: string;
  readonly hierarchy: HierarchyName;
  /** The hierarchy of single values; `undefined` for `course_set`. */
  readonly values: ValueHierarchy | undefined;
  readonly levelNames: readonly string[];
  /** The highest level (`*`). */
  readonly top: number;
}

/** {@link DisclosureOptions} validated, with defaults filled in. */
export interface NormalizedDisclosureOptions {
  readonly k: number;
  readonly quasiIdentifiers: readonly ResolvedQuasiIdentifier[];
  readonly learnerColumn: string | undefined;
  readonly maxSuppression: number;
  readonly sensitive: { readonly column: string; readonly l: number } | undefined;
}

export const DEFAULT_MAX_SUPPRESSION = 0.05;

function optionError(message: string): UsageError {
  return new UsageError('E_OPTION', `disclosure control: ${message}`);
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw optionError(`${name} must be a whole number ≥ 1, got ${String(value)}`);
  }
  return value;
}

function resolve(qi: QuasiIdentifier): ResolvedQuasiIdentifier {
  if (typeof qi.column !== 'string' || qi.column === '') {
    throw optionError('every quasi-identifier needs a column name');
  }
  const hierarchyName: string = qi.hierarchy;
  if (hierarchyName === 'course_set') {
    return {
      column: qi.column,
      hierarchy: 'course_set',
      values: undefined,
      levelNames: COURSE_SET_LEVELS,
      top: COURSE_SET_LEVELS.length - 1,
    };
  }
  const values = valueHierarchy(hierarchyName);
  if (values === undefined) {
    throw optionError(
      `unknown hierarchy "${hierarchyName}" for column "${qi.column}"; expected one of ${HIERARCHY_NAMES.join(', ')}`,
    );
  }
  return {
    column: qi.column,
    hierarchy: values.name,
    values,
    levelNames: values.levelNames,
    top: values.levelNames.length - 1,
  };
}

/** Validates `options` (throwing a {@link UsageError} `E_OPTION`) and fills in defaults. */
export function normalizeDisclosureOptions(
  options: DisclosureOptions,
): NormalizedDisclosureOptions {
  const k = positiveInteger(options.k, 'k');
  if (options.quasiIdentifiers.length === 0) {
    throw optionError('at least one quasi-identifier is needed');
  }
  const quasiIdentifiers = options.quasiIdentifiers.map(resolve);
  const columns = new Set<string>();
  for (const qi of quasiIdentifiers) {
    if (columns.has(qi.column)) throw optionError(`column "${qi.column}" is declared twice`);
    columns.add(qi.column);
  }
  const courseSets = quasiIdentifiers.filter((qi) => qi.hierarchy === 'course_set');
  if (courseSets.length > 1) throw optionError('only one quasi-identifier can be a course_set');
  const courseSet = courseSets[0];
  if (
    courseSet !== undefined &&
    options.courseColumn !== undefined &&
    options.courseColumn !== courseSet.column
  ) {
    throw optionError(
      `courseColumn "${options.courseColumn}" differs from the course_set column "${courseSet.column}"; the set is generalised in the course column itself, so declare the course_set on "${options.courseColumn}"`,
    );
  }
  const learnerColumn = options.learnerColumn;
  if (learnerColumn !== undefined && columns.has(learnerColumn)) {
    throw optionError(`the learner column "${learnerColumn}" cannot be a quasi-identifier`);
  }
  const maxSuppression = options.maxSuppression ?? DEFAULT_MAX_SUPPRESSION;
  if (typeof maxSuppression !== 'number' || !(maxSuppression >= 0 && maxSuppression <= 1)) {
    throw optionError(`maxSuppression must be between 0 and 1, got ${String(maxSuppression)}`);
  }
  let sensitive: NormalizedDisclosureOptions['sensitive'];
  if (options.sensitive !== undefined) {
    const { column } = options.sensitive;
    const l = positiveInteger(options.sensitive.l, 'sensitive.l');
    if (columns.has(column) || column === learnerColumn) {
      throw optionError(
        `the sensitive column "${column}" cannot be a quasi-identifier or the learner`,
      );
    }
    sensitive = { column, l };
  }
  return { k, quasiIdentifiers, learnerColumn, maxSuppression, sensitive };
}
