/**
 * What a report is: a typed definition (its question, parameters, columns with types and
 * descriptions, its exact definition in words) and a function from a course database to rows.
 *
 * Two kinds:
 * - a **query report** reads the course database's collections (tables, forum, structure,
 *   `problem_ids`) itself, with aggregation pipelines where they express it (server-side on
 *   MongoDB, through mingo on the embedded engine);
 * - a **tracking report** is a reducer over the course's events in learner and time order:
 *   every tracking report of an export shares one pass over the course's `tracking`
 *   collection (`runTrackingPass`), so exporting everything reads the events once.
 */
import type { IdentifierRole } from '@edx-data/core';
import type { Database, Document, Store } from '@edx-data/store';
import type { LearnerDirectory } from './learners.js';

export type { IdentifierRole };

/** The type of a column, as written in the data dictionary. */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'json';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  /** Set on a column that identifies a learner or may (see {@link IdentifierRole}). */
  readonly identifier?: IdentifierRole;
}

/** The type of a parameter, as given on the command line (`--param name=value`). */
export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'list';

export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  readonly description: string;
  /** The value when none is given; absent = no value (`undefined`), unless `required`. */
  readonly default?: string | number | boolean | readonly string[];
  readonly required?: boolean;
  /** The values allowed (a `string` or each item of a `list`), when there is a fixed set. */
  readonly choices?: readonly string[];
}

/** A parameter value, once parsed (`list` → string[], `date` → `YYYY-MM-DD` string). */
export type ParameterValue = string | number | boolean | readonly string[] | undefined;

/** A row of a report: column name → value (Date, number, string, boolean, null, JSON-able). */
export type Row = Readonly<Record<string, unknown>>;

/** The events window of an export: both days inclusive, in UTC (`--from`, `--to`). */
export interface EventWindow {
  /** Start of the first day (included), or null for no lower bound. */
  readonly from: Date | null;
  /** Start of the day after the last day (excluded), or null for no upper bound. */
  readonly toExclusive: Date | null;
}

/** What every report is given. */
export interface ReportContext {
  readonly store: Store;
  /** The course database. */
  readonly db: Database;
  /** Its name, and the canonical key of the course it was named after. */
  readonly database: string;
  readonly courseKey: string;
  /** This report's parameters, parsed and defaulted. */
  readonly params: Readonly<Record<string, ParameterValue>>;
  readonly window: EventWindow;
  /** user id ↔ username ↔ hash_id of the course's learners, loaded once per export. */
  readonly learners: LearnerDirectory;
}

interface ReportBase {
  /** `snake_case`, the file name of its CSV. */
  readonly name: string;
  /** The question it answers, in one line. */
  readonly question: string;
  /** The version of its definition: bumped whenever a figure could change. */
  readonly version: string;
  readonly parameters: readonly ParameterSpec[];
  readonly columns: readonly ColumnSpec[];
  /**
   * The exact definition (Markdown): which records count, which learners, how times and
   * windows are read. Goes to `docs/reports.md` and the data dictionary.
   */
  readonly definition: string;
  /** What changed from the McGill script it replaces, and why (Markdown). */
  readonly changes: string;
  /** The collections of the course database it reads (checked before it runs). */
  readonly reads: readonly string[];
}

export interface QueryReport extends ReportBase {
  readonly kind: 'query';
  rows(context: ReportContext): AsyncIterable<Row>;
}

/** Hands a report's rows to its writer (they are written in order, with backpressure). */
export type Emit = (row: Row) => void;

/**
 * A tracking report's state for one export. The pass calls `event` for every event in
 * learner order (`username`, then `_time`, then `_id`), `endLearner` after a learner's last
 * event, then `end` once; rows go out through `emit` at any of them.
 */
export interface TrackingReducer {
  event(event: Document, emit: Emit): void;
  endLearner?(username: string, emit: Emit): void;
  end?(emit: Emit): void | Promise<void>;
}

export interface TrackingReport extends ReportBase {
  readonly kind: 'tracking';
  /** Called once per export, before the pass (may read other collections). */
  start(context: ReportContext): TrackingReducer | Promise<TrackingReducer>;
}

export type ReportDefinition = QueryReport | TrackingReport;
