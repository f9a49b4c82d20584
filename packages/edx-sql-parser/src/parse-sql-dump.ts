/**
 * `parseSqlDump`: typed rows from one table file of the edX data package. The format is
 * detected from the first line: the package's `.sql` files are really TSV with a header
 * (edx-formats.md §2); real mysqldump output (`--`, `/*`, `CREATE`, `INSERT`…) goes to the
 * mysqldump parser. Paths are opened with `openInput` (OpenPGP decryption and gunzip on the
 * fly), and everything streams with a bounded line length.
 */
import type { Readable } from 'node:stream';
import {
  DEFAULT_MAX_LINE_BYTES,
  InputError,
  UsageError,
  classifyFile,
  lineBatches,
  openInput,
} from '@edx-data/core';
import type {
  BatchSummary,
  InputError as InputErrorType,
  Line,
  LineBatch,
  PassphraseProvider,
  TableFile,
} from '@edx-data/core';

import { getTableSchema } from './schemas.js';
import { TsvTable, checkHeader, columnTypes } from './tsv.js';
import type { TsvCounters } from './tsv.js';
import { InvalidValue, typeValue } from './typing.js';
import { INVALID_CELLS_KEY } from './types.js';
import type {
  ColumnType,
  InvalidCell,
  InvalidCellCode,
  RejectCode,
  RejectedRow,
  RowValue,
  SqlRow,
} from './types.js';

export interface ParseSqlDumpOptions {
  /**
   * The file name used in rejections and to tell the table (`…-auth_user-prod-analytics.sql`).
   * @default the path, for a path input; `'<stream>'` otherwise
   */
  readonly file?: string | undefined;
  /**
   * The table of a TSV file. @default read from the file name (core `classifyFile`); a TSV
   * input whose table cannot be told is a `UsageError`. Ignored for mysqldump input (the
   * dump names its tables).
   */
  readonly table?: string | undefined;
  /** OpenPGP private key (armored, or a file path) for `.gpg` paths, passed to `openInput`. */
  readonly key?: string | undefined;
  /** Passphrase of that key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /**
   * Called for each row that is not loaded: one that cannot be split into the header's fields
   * (wrong field count, broken escape), a line too long, bad SQL. Rows are never dropped
   * silently: they are also counted in `summary.rejected`. @default none (counted only)
   */
  readonly onReject?: ((row: RejectedRow) => void) | undefined;
  /**
   * Called for each cell whose text is not a value of its column's type (a bad date, `''` in
   * a boolean column…). Its row is still yielded, with `null` in that column and the text
   * under `values._invalid`; the cell is also counted in `summary.invalidCells`.
   * @default none (counted only)
   */
  readonly onInvalidCell?: ((cell: InvalidCell) => void) | undefined;
  /**
   * Called between chunks of the input (each read: 1 MiB of a file, a stream's own chunks);
   * when it returns a promise, reading waits for it. `onReject` and `onInvalidCell` are
   * synchronous and a chunk may hold nothing but rejected rows: this is where a consumer
   * writes out what they buffered, so that memory stays bounded whatever the file holds.
   * @default none
   */
  readonly drain?: (() => Promise<void> | undefined) | undefined;
  /**
   * Parse `json` columns (`courseware_studentmodule.state`, `auth_userprofile.meta`). With
   * `false` they are kept as (decoded) text, which is much faster for studentmodule files.
   * @default true
   */
  readonly parseJson?: boolean | undefined;
  /** Longest line accepted, in bytes; longer ones are rejected (`line-too-long`). @default 16 MiB */
  readonly maxLineBytes?: number | undefined;
}

/** What {@link parseSqlDump} read; final once iteration has ended. */
export interface SqlDumpSummary {
  readonly file: string;
  /** `tsv` (data package), `mysqldump`, or `empty` (no non-blank line at all). */
  format: 'tsv' | 'mysqldump' | 'empty' | undefined;
  /** The table of a TSV file; for a mysqldump, the first table seen. */
  table: string | undefined;
  /** Physical lines read (header included). */
  lines: number;
  /** Rows yielded. */
  rows: number;
  /** Rows not loaded, by {@link RejectCode}. */
  readonly rejected: { count: number; readonly byReason: Partial<Record<RejectCode, number>> };
  /**
   * Cells that did not fit their column's type (their rows were yielded, with `null` there
   * and the text under `values._invalid`): how many, in how many rows, by
   * {@link InvalidCellCode}, and by table, column and code.
   */
  readonly invalidCells: {
    count: number;
    rows: number;
    readonly byReason: Partial<Record<InvalidCellCode, number>>;
    readonly byColumn: Record<string, Record<string, Partial<Record<InvalidCellCode, number>>>>;
  };
  readonly schemaDrift: {
    readonly unknownTables: string[];
    readonly unknownColumns: Record<string, readonly string[]>;
    readonly missingColumns: Record<string, readonly string[]>;
  };
  /** Blank lines skipped (TSV). */
  emptyLines: number;
  /** Escapes other than `\\ \t \n \r \0`, kept as written (TSV). */
  unknownEscapes: number;
  /** JSON columns whose text looked like JSON but did not parse, kept as text. */
  jsonKeptAsText: number;
  /** Invalid UTF-8 sequences, each read as U+FFFD. */
  invalidUtf8: number;
}

/** The generator returned by {@link parseSqlDump}, with its live {@link SqlDumpSummary}. */
export type SqlDumpReader = AsyncGenerator<SqlRow, SqlDumpSummary, undefined> & {
  readonly summary: Readonly<SqlDumpSummary>;
};

/** What real SQL text starts with (after blank lines); a TSV header never does. */
const SQL_START =
  /^(?:--(?:[ \t]|$)|\/\*|#|(?:CREATE|DROP|INSERT|SET|LOCK|UNLOCK|USE|START|BEGIN|ALTER)(?:[ (;`]|$))/i;

/** True when `firstLine` (the first non-blank line) starts a mysqldump / SQL script. */
export function looksLikeSql(firstLine: string): boolean {
  return SQL_START.test(firstLine.trimStart());
}

interface Settings {
  readonly file: string;
  readonly table: string | undefined;
  readonly key: string | undefined;
  readonly passphrase: string | PassphraseProvider | undefined;
  readonly onReject: ((row: RejectedRow) => void) | undefined;
  readonly onInvalidCell: ((cell: InvalidCell) => void) | undefined;
  readonly drain: (() => Promise<void> | undefined) | undefined;
  readonly maxLineBytes: number | undefined;
  readonly parseJson: boolean;
}

function normalizeOptions(
  input: string | Readable | AsyncIterable<Uint8Array>,
  options: ParseSqlDumpOptions,
): Settings {
  const isPath = typeof input === 'string';
  if (!isPath && (typeof input !== 'object' || !(Symbol.asyncIterator in input))) {
    throw new UsageError(
      'E_OPTION',
      'parseSqlDump: input must be a path or an async iterable of bytes',
    );
  }
  if (isPath && input === '') throw new UsageError('E_OPTION', 'parseSqlDump: the path is empty');
  const {
    file,
    table,
    key,
    passphrase,
    onReject,
    onInvalidCell,
    drain,
    maxLineBytes,
    parseJson = true,
  } = options;
  if (typeof parseJson !== 'boolean') {
    throw new UsageError('E_OPTION', 'parseSqlDump: `parseJson` must be a boolean');
  }
  for (const [name, value] of [
    ['file', file],
    ['table', table],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new UsageError('E_OPTION', `parseSqlDump: \`${name}\` must be a non-empty string`);
    }
  }
  for (const [name, value] of [
    ['onReject', onReject],
    ['onInvalidCell', onInvalidCell],
    ['drain', drain],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new UsageError('E_OPTION', `parseSqlDump: \`${name}\` must be a function`);
    }
  }
  if (maxLineBytes !== undefined && (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new UsageError('E_OPTION', 'parseSqlDump: `maxLineBytes` must be a positive integer');
  }
  const name = file ?? (isPath ? input : '<stream>');
  return {
    file: name,
    table: table ?? classifyTableFile(name)?.table,
    key,
    passphrase,
    onReject,
    onInvalidCell,
    drain,
    maxLineBytes,
    parseJson,
  };
}

/**
 * The classification of a table file's name (core `classifyFile`, which knows `.gpg`; a
 * `.gz` before it, `.sql.gz` or `.sql.gz.gpg`, is removed first), or undefined when the name
 * is not that of a table file.
 */
export function classifyTableFile(name: string): TableFile | undefined {
  const kind = classifyFile(name.replace(/\.gz(\.gpg)?$/i, '$1'));
  return kind.kind === 'table' ? kind : undefined;
}

/** Checks the header of a TSV file: names must be present and distinct. */
function readHeader(text: string, file: string): string[] {
  const header = text.split('\t');
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '' || name === '__proto__' || name === INVALID_CELLS_KEY || seen.has(name)) {
      throw new InputError(
        'E_INPUT',
        name === ''
          ? 'the header has an empty column name'
          : name === INVALID_CELLS_KEY
            ? `the header has a column "${name}", a name kept for the text of invalid cells`
            : `the header has an invalid or repeated column name "${name}"`,
        { file, line: 1, column: i + 1 },
      );
    }
    seen.add(name);
  });
  return header;
}

/** Types one raw MySQL literal from the mysqldump parser. */
function typeLiteral(
  value: string | number | bigint | null,
  type: ColumnType,
): RowValue | InvalidValue {
  if (value === null || typeof value === 'string') return typeValue(value, type);
  if (typeof value === 'bigint') {
    if (type === 'int') {
      return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    }
    return typeValue(value.toString(), type);
  }
  switch (type) {
    case 'number':
      return value;
    case 'int':
      return Number.isInteger(value)
        ? value
        : new InvalidValue(`expected an integer, got ${value}`);
    case 'bool':
      return value === 0
        ? false
        : value === 1
          ? true
          : new InvalidValue(
              `expected 0 or 1, got ${value}${Number.isInteger(value) ? ' (out of range)' : ''}`,
              Number.isInteger(value) ? 'out-of-range' : 'malformed',
            );
    case 'string':
    case 'json':
      return String(value);
    default:
      return typeValue(String(value), type);
  }
}

/**
 * Typed rows of one table file: a data-package `.sql` file (TSV with a header, the usual
 * case) or a real mysqldump. `input` is a path (opened with core `openInput`: `.gpg` is
 * decrypted with `options.key`, gzip is removed, both detected from the bytes), or a byte
 * stream. Rows that cannot be split into the header's fields are passed to `onReject`,
 * counted in `summary.rejected`, and the rest of the file still loads. A cell that does not
 * fit its column's type does not cost its row: the row is yielded with `null` there and the
 * cell's text under `values._invalid`, and the cell goes to `onInvalidCell` and
 * `summary.invalidCells`. Columns and tables the schemas do not know load as strings and are
 * listed in `summary.schemaDrift`.
 *
 * For encrypted input the integrity check passes or fails only after the last byte: an
 * error thrown after the last row (`E_INTEGRITY`) means none of the rows may be kept.
 *
 * @example
 * const rows = parseSqlDump('McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql.gpg', { key });
 * for await (const row of rows) stage(row.values);
 * console.log(rows.summary); // { rows, rejected: { count, byReason }, schemaDrift, … }
 *
 * @throws UsageError `E_OPTION` for invalid options, or for TSV input whose table is neither
 *   given nor in the file name. InputError for unreadable input (openInput's codes) and for
 *   a TSV header with empty or repeated names.
 */
export function parseSqlDump(
  input: string | Readable | AsyncIterable<Uint8Array>,
  options: ParseSqlDumpOptions = {},
): SqlDumpReader {
  const settings = normalizeOptions(input, options);
  const summary: SqlDumpSummary = {
    file: settings.file,
    format: undefined,
    table: settings.table,
    lines: 0,
    rows: 0,
    rejected: { count: 0, byReason: {} },
    invalidCells: { count: 0, rows: 0, byReason: {}, byColumn: {} },
    schemaDrift: { unknownTables: [], unknownColumns: {}, missingColumns: {} },
    emptyLines: 0,
    unknownEscapes: 0,
    jsonKeptAsText: 0,
    invalidUtf8: 0,
  };
  return Object.assign(run(input, settings, summary), { summary });
}

async function* run(
  input: string | Readable | AsyncIterable<Uint8Array>,
  settings: Settings,
  summary: SqlDumpSummary,
): AsyncGenerator<SqlRow, SqlDumpSummary, undefined> {
  const opened =
    typeof input === 'string'
      ? await openInput(input, { key: settings.key, passphrase: settings.passphrase })
      : undefined;
  const reject = (row: RejectedRow): void => {
    summary.rejected.count += 1;
    const code = row.code ?? 'sql';
    summary.rejected.byReason[code] = (summary.rejected.byReason[code] ?? 0) + 1;
    settings.onReject?.(row);
  };
  const invalidCell = (cell: InvalidCell): void => {
    const counts = summary.invalidCells;
    counts.count += 1;
    counts.byReason[cell.code] = (counts.byReason[cell.code] ?? 0) + 1;
    const byColumn = (counts.byColumn[cell.table] ??= {});
    const byCode = (byColumn[cell.name] ??= {});
    byCode[cell.code] = (byCode[cell.code] ?? 0) + 1;
    settings.onInvalidCell?.(cell);
  };
  const onIssue = (issue: InputErrorType): void => {
    reject({
      file: settings.file,
      table: summary.table ?? '',
      line: issue.line ?? 0,
      reason: issue.message,
      code: 'line-too-long',
      raw: '',
    });
  };
  // Lines come in batches (one per chunk read) and are handed out synchronously; `seen` is
  // what core `readLines` would have counted when handing out the same line.
  const counts: BatchSummary = { lines: 0, bytes: 0, invalidUtf8: 0 };
  const batches = lineBatches(
    opened?.stream ?? (input as Readable | AsyncIterable<Uint8Array>),
    { file: settings.file, maxLineBytes: settings.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES },
    counts,
  );
  const seen = { lines: 0, invalidUtf8: 0 };
  let batch: LineBatch = { items: [], lines: [], invalid: [] };
  let at = 0;
  /** Fetches the next batch once the current one is used up; false at the end. */
  const refill = async (): Promise<boolean> => {
    seen.lines = counts.lines;
    seen.invalidUtf8 = counts.invalidUtf8;
    const draining = settings.drain?.();
    if (draining !== undefined) await draining;
    const next = await batches.next();
    seen.lines = counts.lines;
    seen.invalidUtf8 = counts.invalidUtf8;
    if (next.done === true) return false;
    batch = next.value;
    at = 0;
    return true;
  };
  /** The next line (issues on the way are reported), or undefined at the end. */
  const nextLine = async (): Promise<Line | undefined> => {
    for (;;) {
      const { items } = batch;
      while (at < items.length) {
        const item = items[at] as string | InputErrorType;
        seen.lines = batch.lines[at] as number;
        seen.invalidUtf8 = batch.invalid[at] as number;
        at += 1;
        if (typeof item === 'string') return { line: seen.lines, text: item };
        onIssue(item);
      }
      if (!(await refill())) return undefined;
    }
  };
  try {
    let first: Line | undefined;
    for (;;) {
      const next = await nextLine();
      if (next === undefined) break;
      if (next.text.trim() !== '') {
        first = next;
        break;
      }
      summary.emptyLines += 1;
    }
    if (first === undefined) {
      summary.format = 'empty';
    } else if (looksLikeSql(first.text)) {
      summary.format = 'mysqldump';
      const rest = async function* (): AsyncGenerator<Line> {
        for (;;) {
          const next = await nextLine();
          if (next === undefined) return;
          yield next;
        }
      };
      yield* readMysqlDump(first, rest(), settings, summary, reject, invalidCell);
    } else {
      summary.format = 'tsv';
      const rows = new TsvRows(first, settings, summary, reject, invalidCell);
      try {
        // The hot loop: synchronous over a batch's lines, one await per chunk read.
        do {
          const { items, lines, invalid } = batch;
          while (at < items.length) {
            const item = items[at] as string | InputErrorType;
            const line = lines[at] as number;
            seen.lines = line;
            seen.invalidUtf8 = invalid[at] as number;
            at += 1;
            if (typeof item !== 'string') {
              onIssue(item);
              continue;
            }
            const row = rows.push(line, item);
            if (row !== undefined) {
              summary.rows += 1;
              yield row;
            }
          }
        } while (await refill());
        const last = rows.end();
        if (last !== undefined) {
          summary.rows += 1;
          yield last;
        }
      } finally {
        rows.finish();
      }
    }
    summary.lines = seen.lines;
    summary.invalidUtf8 = seen.invalidUtf8;
    if (opened !== undefined) await opened.done;
    return summary;
  } finally {
    summary.lines = seen.lines;
    summary.invalidUtf8 = seen.invalidUtf8;
    await batches.return(undefined);
  }
}

/** The TSV rows of a file, line by line (synchronous: the hot loop has no extra awaits). */
class TsvRows {
  private readonly reader: TsvTable;
  private readonly counters: TsvCounters = {
    unknownEscapes: 0,
    jsonKeptAsText: 0,
    rowsWithInvalidCells: 0,
  };
  private readonly maxChars: number;
  /** A studentmodule row continued on the next line (§2.4), and its first line. */
  private pending: string | undefined;
  private pendingLine = 0;

  constructor(
    first: Line,
    settings: Settings,
    private readonly summary: SqlDumpSummary,
    reject: (row: RejectedRow) => void,
    invalidCell: (cell: InvalidCell) => void,
  ) {
    const table = settings.table;
    if (table === undefined) {
      throw new UsageError(
        'E_OPTION',
        `parseSqlDump: cannot tell the table of ${settings.file} from its name; pass \`table\``,
      );
    }
    const schema = getTableSchema(table);
    const header = readHeader(first.text, settings.file);
    this.reader = new TsvTable(
      settings.file,
      table,
      header,
      schema,
      this.counters,
      reject,
      invalidCell,
      { parseJson: settings.parseJson },
    );
    noteDrift(summary, table, schema === undefined, this.reader.check);
    this.maxChars = settings.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** The row that `text` completes, if any. */
  push(line: number, text: string): SqlRow | undefined {
    const reader = this.reader;
    if (this.pending !== undefined) {
      const joined = this.pending + text;
      if (joined.length > this.maxChars) {
        reader.reject(
          this.pendingLine,
          joined,
          'line-too-long',
          `row is longer than ${this.maxChars} characters (continued lines)`,
        );
        this.pending = undefined;
        return undefined;
      }
      if (reader.continues(text)) {
        this.pending = `${joined}\n`;
        return undefined;
      }
      this.pending = undefined;
      return reader.parse(this.pendingLine, joined);
    }
    if (text === '') {
      this.summary.emptyLines += 1;
      return undefined;
    }
    if (reader.continues(text)) {
      this.pending = `${text}\n`;
      this.pendingLine = line;
      return undefined;
    }
    return reader.parse(line, text);
  }

  /** The last row, when the file ends inside a continued row: read what there is. */
  end(): SqlRow | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending === undefined
      ? undefined
      : this.reader.parse(this.pendingLine, pending.slice(0, -1));
  }

  /** Adds the counters to the summary. */
  finish(): void {
    this.summary.unknownEscapes += this.counters.unknownEscapes;
    this.summary.jsonKeptAsText += this.counters.jsonKeptAsText;
    this.summary.invalidCells.rows += this.counters.rowsWithInvalidCells;
    this.counters.unknownEscapes = 0;
    this.counters.jsonKeptAsText = 0;
    this.counters.rowsWithInvalidCells = 0;
  }
}

function noteDrift(
  summary: SqlDumpSummary,
  table: string,
  unknownTable: boolean,
  check: { readonly unknownColumns: readonly string[]; readonly missingColumns: readonly string[] },
): void {
  const drift = summary.schemaDrift;
  if (unknownTable) {
    if (!drift.unknownTables.includes(table)) drift.unknownTables.push(table);
    return;
  }
  if (check.unknownColumns.length > 0) drift.unknownColumns[table] = check.unknownColumns;
  if (check.missingColumns.length > 0) drift.missingColumns[table] = check.missingColumns;
}

async function* readMysqlDump(
  first: Line,
  lines: AsyncIterator<Line>,
  settings: Settings,
  summary: SqlDumpSummary,
  reject: (row: RejectedRow) => void,
  invalidCell: (cell: InvalidCell) => void,
): AsyncGenerator<SqlRow> {
  // Loaded only for mysqldump input: TSV users never load the SQL parser.
  const { parseMysqlDump } = await import('./mysqldump.js');
  async function* allLines(): AsyncGenerator<Line> {
    yield first;
    for (;;) {
      const next = await lines.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  const seen = new Map<string, readonly ColumnType[]>();
  for await (const raw of parseMysqlDump(allLines(), { file: settings.file, onReject: reject })) {
    const key = `${raw.table}\0${raw.columns.join('\0')}`;
    let types = seen.get(key);
    if (types === undefined) {
      const schema = getTableSchema(raw.table);
      types = columnTypes(schema, raw.columns, raw.columnTypes, settings.parseJson);
      seen.set(key, types);
      summary.table ??= raw.table;
      noteDrift(summary, raw.table, schema === undefined, checkHeader(schema, raw.columns));
    }
    if (raw.columns.includes(INVALID_CELLS_KEY)) {
      reject(
        sqlReject(
          settings.file,
          raw,
          'sql',
          `a column is named "${INVALID_CELLS_KEY}", a name kept for the text of invalid cells`,
        ),
      );
      continue;
    }
    if (raw.values.length !== raw.columns.length) {
      reject(
        sqlReject(
          settings.file,
          raw,
          'field-count',
          `expected ${raw.columns.length} values (columns), got ${raw.values.length}`,
        ),
      );
      continue;
    }
    const values: Record<string, RowValue> = {};
    let invalid: Record<string, string> | undefined;
    for (let i = 0; i < raw.columns.length; i++) {
      const name = raw.columns[i] as string;
      const literal = raw.values[i] ?? null;
      const value = typeLiteral(literal, types[i] ?? 'string');
      if (value instanceof InvalidValue) {
        const text = String(literal);
        values[name] = null;
        invalid ??= {};
        invalid[name] = text;
        invalidCell({
          file: settings.file,
          table: raw.table,
          line: raw.line,
          column: i + 1,
          name,
          code: value.code,
          reason: `${value.reason} (column "${name}")`,
          text,
        });
        continue;
      }
      values[name] = value;
    }
    if (invalid !== undefined) {
      values[INVALID_CELLS_KEY] = invalid;
      summary.invalidCells.rows += 1;
    }
    summary.rows += 1;
    yield { table: raw.table, line: raw.line, values };
  }
}

function sqlReject(
  file: string,
  raw: { table: string; line: number; values: readonly (string | number | bigint | null)[] },
  code: RejectCode,
  reason: string,
): RejectedRow {
  const text = raw.values.map((v) => (v === null ? 'NULL' : String(v))).join('\t');
  return { file, table: raw.table, line: raw.line, reason, code, raw: text };
}
