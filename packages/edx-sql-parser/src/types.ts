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

/**
 * The key of {@link SqlRow.values} that holds the original text of the row's invalid cells
 * (`{ column: text }`); present only on rows that have some.
 */
export const INVALID_CELLS_KEY = '_invalid';

/** One typed row. */
export interface SqlRow {
  readonly table: string;
  /** 1-based line of the file where the row starts. */
  readonly line: number;
  /**
   * Values by column name (every column of the header, never dropped). A cell whose text is
   * not a value of its column's type ({@link InvalidCell}) is `null` here, and its original
   * text is kept under `_invalid` (`values._invalid = { last_activity_at: '2015-09-31
   * 21:32:17' }`), so that the row still loads and nothing is lost.
   */
  readonly values: Record<string, RowValue>;
}

/** What kind of problem an invalid cell has. */
export type InvalidCellCode =
  /** `''` in a column that cannot hold it (`int`, `number`, `bool`, `date`, `datetime`). */
  | 'empty'
  /** The right form, but no such value: `2015-09-31`, `0000-00-00`, `24:00:00`, a boolean `2`. */
  | 'out-of-range'
  /** Not of the column type's form: `12a` for an integer, `2015-1-31` for a date. */
  | 'malformed';

/**
 * A cell whose text is not a value of its column's type. The row is still loaded, with
 * `null` in that column and the text under `values._invalid[name]`.
 */
export interface InvalidCell {
  readonly file: string;
  readonly table: string;
  /** 1-based line where the row starts. */
  readonly line: number;
  /** 1-based field number. */
  readonly column: number;
  /** The column's name (header name). */
  readonly name: string;
  readonly code: InvalidCellCode;
  /** What was expected and what was found, with the column's name. */
  readonly reason: string;
  /** The cell's original text, as in the file (for mysqldump, the literal's value as text). */
  readonly text: string;
}

/**
 * A row that could not be read, kept with its position and reason: only rows that cannot be
 * split into the header's fields (a value that does not fit its column is an
 * {@link InvalidCell}; its row still loads).
 */
export interface RejectedRow {
  readonly file: string;
  readonly table: string;
  /** 1-based line where the row starts. */
  readonly line: number;
  /** 1-based field number, where the problem is in one field. */
  readonly column?: number;
  /** That field's column name, when known. */
  readonly columnName?: string;
  readonly reason: string;
  /**
   * What kind of problem it is, for counting (`summary.rejected.byReason`): `field-count`,
   * `bad-escape`, `line-too-long`, `sql`.
   */
  readonly code?: RejectCode;
  /**
   * The row's whole text as read (bounded by `maxLineBytes`; for mysqldump, the tuples or
   * statement not read, or the first 10,000 characters of a statement too long to be read).
   * Keep a bounded part if you keep many: `loadTable` stores up to 64 KiB of it.
   */
  readonly raw: string;
}

/** The kinds of {@link RejectedRow}. */
export type RejectCode = 'field-count' | 'bad-escape' | 'line-too-long' | 'sql';

/** Columns and tables that the schemas do not know (loaded as strings). */
export interface SchemaDrift {
  readonly unknownTables: readonly string[];
  /** Columns present in the file that the table's schema does not have, by table. */
  readonly unknownColumns: Readonly<Record<string, readonly string[]>>;
  /** Columns of the schema that the file does not have, by table. */
  readonly missingColumns: Readonly<Record<string, readonly string[]>>;
}
