/**
 * The records of `@edx-data/edx-sql-parser`: typed rows of edX data-package tables (the
 * `.sql` files that are really TSV) and of real mysqldump files, and what could not be read.
 */

/** How a column's text is typed. */
export type ColumnType =
  /** Integer (`int(11)`, `bigint`, `smallint`): a JS number; beyond 2^53 a string. */
  | 'int'
  /** `0`/`1` (`tinyint(1)`): a boolean. */
  | 'bool'
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC: a Date. */
  | 'datetime'
  /** `YYYY-MM-DD`: a Date at 00:00 UTC. */
  | 'date'
  /** Fixed-point or floating-point number (`decimal`, `double`, `float`): a JS number. */
  | 'number'
  /** JSON text (`courseware_studentmodule.state`, `auth_userprofile.meta`): parsed; kept as text when it is not JSON. */
  | 'json'
  /** Text, kept as it is even when it looks numeric (usernames, ids in text columns). */
  | 'string';

/** A value of a typed row. `null` is SQL NULL; `''` stays `''`. */
export type RowValue =
  string | number | boolean | Date | null | Record<string, unknown> | unknown[];

/** The schema of a known table: its columns by header name. */
export interface TableSchema {
  /** The table name as in the file name (`auth_user`, `courseware_studentmodule`, …). */
  readonly table: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  /**
   * `courseware_studentmodule` is written by another program (edx-formats.md §2.4): its
   * fields are not unescaped, only `\\` in `state` is undoubled before JSON parsing.
   */
  readonly escaping?: 'tsv' | 'studentmodule';
  /**
   * Columns that only some eras of the file have (`user_id_map` has `id` or `user_id`): not
   * reported as missing in {@link SchemaDrift}.
   */
  readonly optionalColumns?: readonly string[];
}

/** One typed row. */
export interface SqlRow {
  readonly table: string;
  /** 1-based line of the file where the row starts. */
  readonly line: number;
  /** Values by column name (every column of the header, never dropped). */
  readonly values: Record<string, RowValue>;
}

/** A row that could not be read, kept with its position and reason. */
export interface RejectedRow {
  readonly file: string;
  readonly table: string;
  /** 1-based line where the row starts. */
  readonly line: number;
  /** 1-based field number, where the problem is in one field. */
  readonly column?: number;
  readonly reason: string;
  /**
   * What kind of problem it is, for counting (`summary.rejected.byReason`): `field-count`,
   * `bad-value`, `bad-escape`, `line-too-long`, `sql`.
   */
  readonly code?: RejectCode;
  /** The row's raw text (cut to 10,000 characters). */
  readonly raw: string;
}

/** The kinds of {@link RejectedRow}. */
export type RejectCode = 'field-count' | 'bad-value' | 'bad-escape' | 'line-too-long' | 'sql';

/** Columns and tables that the schemas do not know (loaded as strings). */
export interface SchemaDrift {
  readonly unknownTables: readonly string[];
  /** Columns present in the file that the table's schema does not have, by table. */
  readonly unknownColumns: Readonly<Record<string, readonly string[]>>;
  /** Columns of the schema that the file does not have, by table. */
  readonly missingColumns: Readonly<Record<string, readonly string[]>>;
}
