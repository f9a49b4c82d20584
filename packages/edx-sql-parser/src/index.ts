/**
 * @edx-data/edx-sql-parser: typed rows from edX data-package tables (the `.sql` files that
 * are really TSV) and real mysqldump files, and `loadTable` to load one into the store. See
 * README.md and edx-formats.md §2.
 */
export { parseSqlDump, looksLikeSql } from './parse-sql-dump.js';
export type { ParseSqlDumpOptions, SqlDumpReader, SqlDumpSummary } from './parse-sql-dump.js';
export {
  DEFAULT_MAX_REJECTED_SHARE,
  INVALID_CELL_REJECT_CODE,
  loadTable,
  REFUSED_REJECT_CODE,
} from './load-table.js';
export type { LoadTableOptions, LoadTableResult } from './load-table.js';
export { getTableSchema, KNOWN_TABLES } from './schemas.js';
export { InvalidValue, typeValue } from './typing.js';
export { unescapeStudentModule, unescapeTsv } from './tsv.js';
export { INVALID_CELLS_KEY } from './types.js';
export type {
  ColumnType,
  InvalidCell,
  InvalidCellCode,
  RejectCode,
  RejectedRow,
  RowValue,
  SchemaDrift,
  SqlRow,
  TableSchema,
} from './types.js';
