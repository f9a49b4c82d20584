/**
 * The TSV dialect of the edX database package (edx-formats.md §2.1): a header row, tab
 * separated, `\n` line ends, `NULL` for SQL NULL, no quoting, and `\\ \r \t \n` escaped
 * (`NUL` dropped) exactly like the exporter's `_normalize_value`.
 */

/** A table cell: `null` is written `NULL`. */
export type Cell = string | number | null;

/** One field, escaped as the exporter does (backslash first, then CR, TAB, LF; NUL dropped). */
export function escapeTsvField(value: Cell): string {
  if (value === null) return 'NULL';
  const text = String(value);
  if (!/[\\\r\t\n\0]/.test(text)) return text;
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\0', '');
}

/** One row (with its `\n`). */
export function tsvRow(cells: readonly Cell[]): string {
  return `${cells.map(escapeTsvField).join('\t')}\n`;
}

/**
 * A field of `courseware_studentmodule`, which the pipeline wrote with Python's csv writer,
 * `escapechar='\\'` and `QUOTE_NONE` (edx-formats.md §2.4): backslashes are doubled, a TAB or
 * LF gets a backslash before it; `\r`, quotes and everything else stay as they are.
 */
export function escapeStudentModuleField(value: Cell): string {
  if (value === null) return 'NULL';
  const text = String(value);
  if (!/[\\\t\n]/.test(text)) return text;
  return text.replaceAll('\\', '\\\\').replaceAll('\t', '\\\t').replaceAll('\n', '\\\n');
}

/** One `courseware_studentmodule` row (with its `\n`). */
export function studentModuleRow(cells: readonly Cell[]): string {
  return `${cells.map(escapeStudentModuleField).join('\t')}\n`;
}
