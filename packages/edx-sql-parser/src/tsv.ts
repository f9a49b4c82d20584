/**
 * The data-package TSV format (edx-formats.md §2.1): the `.sql` files of the weekly package
 * are tab-separated text with a header row. This module is the I/O-free core: it splits and
 * decodes lines handed to it; `parse-sql-dump.ts` does the reading.
 *
 * Decisions:
 * - Lines end at LF (a CR before it is dropped by the line reader, so CRLF files read too;
 *   a CR inside data is always escaped as `\r`). Empty lines are skipped and counted.
 * - A field that is exactly `NULL` is SQL NULL; an empty field is `''`.
 * - Escapes are decoded in one left-to-right pass: `\\ \t \n \r \0` (`\0` is NUL, from the
 *   mysql-client era). An unknown escape (`\x`) is kept as it is, backslash included, and
 *   counted (`summary.unknownEscapes`): neither producer writes one, and dropping a row for
 *   it would lose data. A lone backslash at the end of a field cannot come from either
 *   producer: the row is rejected (`bad-escape`, with the column).
 * - `courseware_studentmodule` is written by another program (§2.4): there is no general
 *   unescape. A backslash only escapes the character after it when that is a backslash, TAB,
 *   LF or CR (Python csv `escapechar`), so `\\` becomes `\` (then `state` is JSON-parsed),
 *   and a line ending in an odd number of backslashes continues on the next line.
 */
import { INVALID_CELLS_KEY } from './types.js';
import type {
  ColumnType,
  InvalidCell,
  RejectCode,
  RejectedRow,
  RowValue,
  SqlRow,
  TableSchema,
} from './types.js';
import { InvalidValue, typeValue } from './typing.js';

const BACKSLASH = 92;

/** Column kinds of {@link TsvTable.parse}: typed by `typeValue`, text, JSON. */
const KIND_TYPED = 0;
const KIND_STRING = 1;
const KIND_JSON = 2;

/** Counters a {@link TsvTable} updates as it reads. */
export interface TsvCounters {
  /** Escapes other than `\\ \t \n \r \0`, kept as they are. */
  unknownEscapes: number;
  /** `json` fields that looked like JSON (`{`/`[`) but did not parse, kept as text. */
  jsonKeptAsText: number;
  /** Rows loaded with at least one {@link InvalidCell}. */
  rowsWithInvalidCells: number;
}

/**
 * Decodes the TSV escapes of one field in one left-to-right pass (`\\n` is a backslash and
 * an `n`, not a newline). Returns an {@link InvalidValue} for a lone backslash at the end.
 *
 * @example unescapeTsv('a\\tb') // 'a<TAB>b'
 */
export function unescapeTsv(field: string, counters?: TsvCounters): string | InvalidValue {
  let at = field.indexOf('\\');
  if (at === -1) return field;
  let out = '';
  let from = 0;
  while (at !== -1) {
    out += field.slice(from, at);
    const next = field.charCodeAt(at + 1);
    switch (next) {
      case BACKSLASH:
        out += '\\';
        break;
      case 116: // t
        out += '\t';
        break;
      case 110: // n
        out += '\n';
        break;
      case 114: // r
        out += '\r';
        break;
      case 48: // 0
        out += '\0';
        break;
      default:
        if (Number.isNaN(next)) {
          return new InvalidValue('a lone backslash at the end of the field');
        }
        if (counters !== undefined) counters.unknownEscapes += 1;
        out += field.slice(at, at + 2);
    }
    from = at + 2;
    at = field.indexOf('\\', from);
  }
  return out + field.slice(from);
}

/**
 * Decodes a `courseware_studentmodule` field (Python csv `escapechar='\\'`): a backslash
 * before a backslash, TAB, LF or CR is dropped; any other backslash is kept.
 */
export function unescapeStudentModule(field: string): string {
  let at = field.indexOf('\\');
  if (at === -1) return field;
  // The usual case (no escaped TAB, LF or CR): undoubling is one native pass.
  if (!field.includes('\\\t') && !field.includes('\\\n') && !field.includes('\\\r')) {
    return field.replaceAll('\\\\', '\\');
  }
  let out = '';
  let from = 0;
  while (at !== -1) {
    const next = field.charCodeAt(at + 1);
    if (next === BACKSLASH || next === 9 || next === 10 || next === 13) {
      out += field.slice(from, at);
      from = at + 1;
      at = field.indexOf('\\', at + 2);
    } else {
      at = field.indexOf('\\', at + 1);
    }
  }
  return out + field.slice(from);
}

/** True when `text` ends with an odd number of backslashes (the last one escapes what follows). */
export function endsWithEscape(text: string): boolean {
  let n = 0;
  for (let i = text.length - 1; i >= 0 && text.charCodeAt(i) === BACKSLASH; i--) n++;
  return n % 2 === 1;
}

/** Splits a studentmodule line on the TABs that are not escaped by a backslash. */
function splitEscapedTabs(text: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === 9) {
      fields.push(text.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(text.slice(start));
  return fields;
}

/** Where a table's column names and types came from, to report schema drift. */
export interface HeaderCheck {
  readonly unknownColumns: readonly string[];
  readonly missingColumns: readonly string[];
}

/** The type of each column of `header`: from the schema, `'string'` for columns it lacks. */
export function columnTypes(
  schema: TableSchema | undefined,
  header: readonly string[],
  fallback?: Readonly<Record<string, ColumnType>>,
  parseJson = true,
): ColumnType[] {
  const known = schema?.columns ?? fallback ?? {};
  return header.map((name) => {
    const type = (Object.hasOwn(known, name) ? known[name] : undefined) ?? 'string';
    return type === 'json' && !parseJson ? 'string' : type;
  });
}

/** The columns of `header` that `schema` lacks, and those of `schema` that `header` lacks. */
export function checkHeader(
  schema: TableSchema | undefined,
  header: readonly string[],
): HeaderCheck {
  if (schema === undefined) return { unknownColumns: [], missingColumns: [] };
  const known = schema.columns;
  const optional = new Set(schema.optionalColumns ?? []);
  const present = new Set(header);
  return {
    unknownColumns: header.filter((name) => !Object.hasOwn(known, name)),
    missingColumns: Object.keys(known).filter((name) => !present.has(name) && !optional.has(name)),
  };
}

/**
 * One table's reader: built from the header line, it turns each data line into a typed row
 * or a rejection. Columns are mapped by header name; columns the schema does not know, and
 * every column of a table without a schema, are read as strings. A row is rejected only when
 * it cannot be split into the header's fields (field count, a broken escape); a field whose
 * text does not fit its column's type is `null`, its text kept under `values._invalid`, and
 * reported to `onInvalidCell`.
 */
export class TsvTable {
  readonly columns: readonly string[];
  readonly types: readonly ColumnType[];
  readonly check: HeaderCheck;
  /** `courseware_studentmodule` escaping (§2.4) rather than TSV escapes. */
  private readonly studentModule: boolean;
  /** The header names, as property keys. */
  private readonly keys: readonly string[];
  /** What to do with each column's text (`KIND_…`). */
  private readonly kinds: readonly number[];
  /** An object with every column, in header order: each row's values start as a copy. */
  private readonly template: Record<string, RowValue>;
  /** The fields of the line being read (reused from line to line). */
  private readonly fields: string[];

  constructor(
    readonly file: string,
    readonly table: string,
    header: readonly string[],
    schema: TableSchema | undefined,
    private readonly counters: TsvCounters,
    private readonly onReject: (rejected: RejectedRow) => void,
    private readonly onInvalidCell: (cell: InvalidCell) => void,
    options: { readonly parseJson?: boolean } = {},
  ) {
    this.columns = header;
    this.studentModule = schema?.escaping === 'studentmodule';
    this.types = columnTypes(schema, header, undefined, options.parseJson ?? true);
    this.kinds = this.types.map((type) =>
      type === 'string' ? KIND_STRING : type === 'json' ? KIND_JSON : KIND_TYPED,
    );
    // Property keys as V8 keeps them (internalized), so each store needs no string-table lookup.
    this.keys = header.map((name) => Object.keys({ [name]: 0 })[0] ?? name);
    this.fields = header.map(() => '');
    this.template = {};
    for (const key of this.keys) this.template[key] = null;
    this.check = checkHeader(schema, header);
  }

  /** True when `text` (a physical line) continues on the next line (studentmodule only). */
  continues(text: string): boolean {
    return this.studentModule && endsWithEscape(text);
  }

  /** The typed row of a data line, or `undefined` after reporting why it was rejected. */
  parse(line: number, text: string): SqlRow | undefined {
    const { keys, kinds } = this;
    const count = keys.length;
    // No backslash on the line: no field needs unescaping (the usual case).
    const escaped = text.includes('\\');
    // As `text.split('\t')`, into a reused array (only the first `count` fields are kept).
    let fields = this.fields;
    let found = 0;
    let start = 0;
    for (let tab = text.indexOf('\t'); tab !== -1; tab = text.indexOf('\t', start)) {
      if (found < count) fields[found] = text.slice(start, tab);
      found += 1;
      start = tab + 1;
    }
    if (found < count) fields[found] = text.slice(start);
    found += 1;
    if (this.studentModule && escaped) {
      // A TAB escaped by an odd run of backslashes is data (rare: check only when needed).
      if (found !== count || text.includes('\\\t')) {
        fields = splitEscapedTabs(text);
        found = fields.length;
      }
    }
    if (found !== count) {
      this.reject(line, text, 'field-count', `expected ${count} fields (header), got ${found}`);
      return undefined;
    }
    const values: Record<string, RowValue> = { ...this.template };
    let invalid: Record<string, string> | undefined;
    for (let i = 0; i < count; i++) {
      const raw = fields[i] as string;
      const key = keys[i] as string;
      if (raw === 'NULL') {
        values[key] = null;
        continue;
      }
      const kind = kinds[i] as number;
      if (kind >= KIND_STRING) {
        let decoded: string | InvalidValue = raw;
        // Escapes only matter in text; a backslash in a number or date fails its typing anyway.
        if (escaped && raw.includes('\\')) {
          decoded = this.studentModule
            ? unescapeStudentModule(raw)
            : unescapeTsv(raw, this.counters);
          if (decoded instanceof InvalidValue) {
            this.badEscape(line, text, decoded, i);
            return undefined;
          }
        }
        if (kind === KIND_STRING) {
          values[key] = decoded;
          continue;
        }
        const value = typeValue(decoded, 'json');
        if (typeof value === 'string' && value !== '') {
          const first = value.charCodeAt(0);
          if (first === 123 || first === 91) this.counters.jsonKeptAsText += 1;
        }
        values[key] = value as RowValue;
        continue;
      }
      const value = typeValue(raw, this.types[i] as ColumnType);
      if (value instanceof InvalidValue) {
        // Left null (from the template); the text is kept with the row.
        invalid ??= {};
        invalid[key] = raw;
        this.invalidCell(line, raw, value, i);
        continue;
      }
      values[key] = value;
    }
    if (invalid !== undefined) {
      values[INVALID_CELLS_KEY] = invalid;
      this.counters.rowsWithInvalidCells += 1;
    }
    return { table: this.table, line, values };
  }

  private badEscape(line: number, text: string, value: InvalidValue, i: number): void {
    const name = this.columns[i] as string;
    this.reject(line, text, 'bad-escape', `${value.reason} (column "${name}")`, i + 1);
  }

  private invalidCell(line: number, text: string, value: InvalidValue, i: number): void {
    const name = this.columns[i] as string;
    this.onInvalidCell({
      file: this.file,
      table: this.table,
      line,
      column: i + 1,
      name,
      code: value.code,
      reason: `${value.reason} (column "${name}")`,
      text,
    });
  }

  /** Reports a row that could not be read. */
  reject(line: number, text: string, code: RejectCode, reason: string, column?: number): void {
    const base = { file: this.file, table: this.table, line, reason, code, raw: text };
    const columnName = column === undefined ? undefined : this.columns[column - 1];
    this.onReject(
      column === undefined || columnName === undefined ? base : { ...base, column, columnName },
    );
  }
}
