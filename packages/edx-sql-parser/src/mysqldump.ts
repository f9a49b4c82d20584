/**
 * Rows from a real mysqldump file, statement by statement.
 *
 * Lines are joined into statements by a small state machine that knows quotes, backticks
 * and comments (a statement ends at a `;` outside them; comments are removed, line breaks
 * kept so that positions map back to lines). `CREATE TABLE` gives the columns and their
 * types (create-table.ts); each tuple of `INSERT`/`REPLACE … VALUES` is read by the
 * hand-written tokenizer of mysql-literals.ts and yielded as one row. The rest (`SET`,
 * `LOCK TABLES`, `DROP TABLE`, …) is skipped. See docs-mysqldump.md.
 */
import { parseCreateTable } from './create-table.js';
import { MysqlSyntaxError, SqlCursor } from './mysql-literals.js';
import type { MysqlValue } from './mysql-literals.js';
import type { ColumnType, RejectedRow } from './types.js';

/** 64 MiB (in UTF-16 code units): the default {@link MysqlDumpOptions.maxStatementChars}. */
export const DEFAULT_MAX_STATEMENT_CHARS = 64 * 1024 * 1024;

/** The head kept as `raw` of a statement too long to be read (the rest is never buffered). */
const MAX_RAW = 10_000;

/** Something worth reporting that is not a rejected row. */
export interface MysqlDumpNotice {
  readonly file: string;
  readonly line: number;
  readonly table?: string;
  readonly message: string;
}

export interface MysqlDumpOptions {
  /** The file name used in rejected rows and notices. */
  readonly file: string;
  /** Called for each tuple (or rest of a statement) that could not be read. */
  readonly onReject?: (r: RejectedRow) => void;
  /**
   * Called for what is read differently from the plain path: a CREATE TABLE read by the
   * fallback reader, an INSERT whose columns are unknown (`col1..colN`), a skipped
   * statement of an unknown kind.
   */
  readonly onNotice?: (n: MysqlDumpNotice) => void;
  /** Longest statement accepted; longer ones are rejected whole. @default 64 MiB */
  readonly maxStatementChars?: number;
}

/** One row: a tuple of an INSERT. */
export interface MysqlDumpRow {
  readonly table: string;
  /** 1-based line where the tuple starts. */
  readonly line: number;
  readonly columns: readonly string[];
  readonly values: readonly MysqlValue[];
  /** The types of the columns, when the table's CREATE TABLE came before. */
  readonly columnTypes?: Readonly<Record<string, ColumnType>>;
}

/** A statement's text (comments removed, line breaks kept). */
interface Statement {
  readonly text: string;
  /** 1-based line of its first character. */
  readonly line: number;
  /** Set when the statement was longer than the limit: `text` is its head only. */
  readonly tooLong?: number;
  /** Set when the input ended inside the statement (no `;`). */
  readonly unterminated?: 'quote' | 'comment' | 'none';
}

const NORMAL = 0;
const SQUOTE = 1;
const DQUOTE = 2;
const BACKTICK = 3;
const COMMENT = 4;

/** In normal state: what can change the state or end a statement. */
const SPECIAL = /['"`;#]|--|\/\*/g;

/**
 * Join lines into statements. Exported for tests; the state machine is documented in
 * docs-mysqldump.md.
 */
export async function* splitStatements(
  lines: AsyncIterable<{ line: number; text: string }>,
  maxChars: number = DEFAULT_MAX_STATEMENT_CHARS,
): AsyncGenerator<Statement> {
  let state = NORMAL;
  let pieces: string[] = [];
  let size = 0;
  let startLine = 0;
  let tooLong = 0;
  let head = '';

  const append = (piece: string, line: number): void => {
    if (piece === '') return;
    if (startLine === 0) {
      const first = piece.search(/\S/);
      if (first < 0) return;
      piece = piece.slice(first);
      startLine = line;
    }
    if (tooLong > 0) {
      tooLong += piece.length;
      return;
    }
    size += piece.length;
    pieces.push(piece);
    if (size > maxChars) {
      head = pieces.join('').slice(0, MAX_RAW);
      tooLong = size;
      pieces = [];
    }
  };
  const take = (): Statement => {
    const s: Statement =
      tooLong > 0
        ? { text: head, line: startLine, tooLong }
        : { text: pieces.join('').trimEnd(), line: startLine };
    pieces = [];
    size = 0;
    startLine = 0;
    tooLong = 0;
    head = '';
    return s;
  };

  for await (const { line, text } of lines) {
    let i = 0;
    let seg = 0;
    const n = text.length;
    let nextBackslash = -2;
    while (i < n) {
      if (state === NORMAL) {
        SPECIAL.lastIndex = i;
        const m = SPECIAL.exec(text);
        if (m === null) break;
        const j = m.index;
        const c = m[0];
        if (c === "'") state = SQUOTE;
        else if (c === '"') state = DQUOTE;
        else if (c === '`') state = BACKTICK;
        else if (c === ';') {
          append(text.slice(seg, j), line);
          if (startLine !== 0) yield take();
          seg = j + 1;
        } else if (c === '/*') {
          append(`${text.slice(seg, j)} `, line);
          state = COMMENT;
          i = seg = j + 2;
          continue;
        } else {
          const after = text.charCodeAt(j + 2);
          if (c === '#' || j + 2 >= n || after === 0x20 || after === 0x09 || after === 0x0d) {
            append(text.slice(seg, j), line);
            seg = n;
            break;
          }
          i = j + 2;
          continue;
        }
        i = j + 1;
      } else if (state === COMMENT) {
        const end = text.indexOf('*/', i);
        if (end < 0) {
          seg = n;
          break;
        }
        state = NORMAL;
        i = seg = end + 2;
      } else {
        const q = state === SQUOTE ? "'" : state === DQUOTE ? '"' : '`';
        const qi = text.indexOf(q, i);
        if (state !== BACKTICK) {
          if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
          if (nextBackslash !== -1 && (qi < 0 || nextBackslash < qi)) {
            i = nextBackslash + 2;
            continue;
          }
        }
        if (qi < 0) break;
        state = NORMAL;
        i = qi + 1;
      }
    }
    append(text.slice(seg), line);
    if (startLine !== 0) append('\n', line);
  }
  if (startLine !== 0) {
    const s = take();
    yield {
      ...s,
      unterminated: state === COMMENT ? 'comment' : state === NORMAL ? 'none' : 'quote',
    };
  }
}

/** Statements skipped without a notice (their first word). */
const SKIPPED = new Set([
  'SET',
  'LOCK',
  'UNLOCK',
  'DROP',
  'USE',
  'START',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'ALTER',
  'DELIMITER',
  'FLUSH',
  'SAVEPOINT',
  'RELEASE',
]);

interface InsertHeader {
  readonly table: string;
  readonly columns?: string[];
}

/** Read `INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] t [(cols)] VALUES`. */
function readInsertHeader(cur: SqlCursor, verb: string): InsertHeader {
  if (verb === 'INSERT' || verb === 'REPLACE') {
    if (!cur.eatWord('LOW_PRIORITY') && !cur.eatWord('DELAYED')) cur.eatWord('HIGH_PRIORITY');
    cur.eatWord('IGNORE');
  }
  cur.eatWord('INTO');
  let table = cur.readIdentifier();
  while (table !== undefined && cur.eat(0x2e)) table = cur.readIdentifier();
  if (table === undefined) throw new MysqlSyntaxError('expected a table name', cur.pos);
  cur.skipSpace();
  const columns = cur.peek() === 0x28 ? cur.readIdentifierList() : undefined;
  if (!cur.eatWord('VALUES') && !cur.eatWord('VALUE')) {
    const at = cur.text.slice(cur.pos, cur.pos + 20);
    throw new MysqlSyntaxError(
      `only INSERT … VALUES is read (found ${JSON.stringify(at)})`,
      cur.pos,
    );
  }
  return columns === undefined ? { table } : { table, columns };
}

/** Line-number tracking over a statement's text (which keeps its line breaks). */
class LineOf {
  private line: number;
  private nextNewline: number;
  constructor(
    private readonly text: string,
    first: number,
  ) {
    this.line = first;
    this.nextNewline = text.indexOf('\n');
  }
  at(pos: number): number {
    while (this.nextNewline !== -1 && this.nextNewline < pos) {
      this.line++;
      this.nextNewline = this.text.indexOf('\n', this.nextNewline + 1);
    }
    return this.line;
  }
}

interface TableInfo {
  readonly columns: readonly string[];
  readonly columnTypes: Readonly<Record<string, ColumnType>>;
}

/**
 * Read the rows of a mysqldump file. Yields one row per tuple of each `INSERT`/`REPLACE …
 * VALUES` statement, with the column list of the INSERT, or else of the table's `CREATE
 * TABLE` seen earlier, or else `col1..colN` (with a notice). Bad tuples go to `onReject`
 * and reading goes on.
 */
export async function* parseMysqlDump(
  lines: AsyncIterable<{ line: number; text: string }>,
  options: MysqlDumpOptions,
): AsyncGenerator<MysqlDumpRow> {
  const { file } = options;
  const reject = (r: Omit<RejectedRow, 'file'>): void => options.onReject?.({ file, ...r });
  const notice = (n: Omit<MysqlDumpNotice, 'file'>): void => options.onNotice?.({ file, ...n });
  const tables = new Map<string, TableInfo>();
  const unnamedNoticed = new Set<string>();

  for await (const stmt of splitStatements(
    lines,
    options.maxStatementChars ?? DEFAULT_MAX_STATEMENT_CHARS,
  )) {
    const cur = new SqlCursor(stmt.text);
    const verb = (cur.readWord() ?? '').toUpperCase();
    if (stmt.tooLong !== undefined) {
      let table = '';
      if (verb === 'INSERT' || verb === 'REPLACE') {
        try {
          table = readInsertHeader(cur, verb).table;
        } catch {
          // the head alone may not hold the header
        }
      }
      reject({
        table,
        line: stmt.line,
        code: 'sql',
        reason: `statement longer than the limit (${stmt.tooLong} > ${options.maxStatementChars ?? DEFAULT_MAX_STATEMENT_CHARS} chars): not read`,
        raw: stmt.text,
      });
      continue;
    }
    if (verb === 'INSERT' || verb === 'REPLACE') {
      yield* readInsert(stmt, cur, verb);
      continue;
    }
    if (verb === 'CREATE') {
      const second = (cur.readIdentifier() ?? '').toUpperCase();
      const third = second === 'TEMPORARY' ? (cur.readIdentifier() ?? '').toUpperCase() : second;
      if (third === 'TABLE') {
        try {
          const info = parseCreateTable(stmt.text);
          tables.set(info.table, { columns: info.columns, columnTypes: info.columnTypes });
          if (info.fallbackReason !== undefined) {
            notice({
              line: stmt.line,
              table: info.table,
              message: `CREATE TABLE read by the fallback column reader (${info.fallbackReason})`,
            });
          }
        } catch (error) {
          notice({
            line: stmt.line,
            message: `CREATE TABLE not read: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
        continue;
      }
    }
    if (!SKIPPED.has(verb)) {
      notice({
        line: stmt.line,
        message: `statement skipped: ${JSON.stringify(stmt.text.slice(0, 60))}`,
      });
    }
  }

  function* readInsert(stmt: Statement, cur: SqlCursor, verb: string): Generator<MysqlDumpRow> {
    const lineOf = new LineOf(stmt.text, stmt.line);
    let header: InsertHeader;
    try {
      header = readInsertHeader(cur, verb);
    } catch (error) {
      reject({
        table: '',
        line: stmt.line,
        code: 'sql',
        reason: `INSERT not read: ${error instanceof Error ? error.message : String(error)}`,
        raw: stmt.text,
      });
      return;
    }
    const { table } = header;
    const known = tables.get(table);
    let columns = header.columns ?? known?.columns;
    let columnTypes: Record<string, ColumnType> | undefined;
    if (known !== undefined && columns !== undefined) {
      columnTypes = {};
      for (const c of columns) {
        const t = known.columnTypes[c];
        if (t !== undefined) columnTypes[c] = t;
      }
    }
    const text = stmt.text;
    for (;;) {
      const start = (cur.skipSpace(), cur.pos);
      let values: MysqlValue[];
      try {
        values = cur.readTuple();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const where = error instanceof MysqlSyntaxError ? lineOf.at(error.pos) : lineOf.at(start);
        reject({
          table,
          line: lineOf.at(start),
          code: 'sql',
          reason: `syntax error (line ${where}): ${reason}; the rest of the statement is not read`,
          raw: text.slice(start),
        });
        return;
      }
      const line = lineOf.at(start);
      if (columns === undefined) {
        columns = values.map((_, k) => `col${k + 1}`);
        if (!unnamedNoticed.has(table)) {
          unnamedNoticed.add(table);
          notice({
            line,
            table,
            message: `no column list and no CREATE TABLE for ${table}: columns named col1..col${values.length}`,
          });
        }
      }
      if (values.length !== columns.length) {
        reject({
          table,
          line,
          reason: `expected ${columns.length} values, got ${values.length}`,
          code: 'field-count',
          raw: text.slice(start, cur.pos),
        });
      } else {
        yield columnTypes === undefined
          ? { table, line, columns, values }
          : { table, line, columns, values, columnTypes };
      }
      if (cur.eat(0x2c)) continue;
      cur.skipSpace();
      if (cur.atEnd || cur.eatWord('ON')) break;
      reject({
        table,
        line: lineOf.at(cur.pos),
        code: 'sql',
        reason: `syntax error: expected "," or ";" after a tuple, found ${JSON.stringify(text.slice(cur.pos, cur.pos + 20))}; the rest of the statement is not read`,
        raw: text.slice(cur.pos),
      });
      return;
    }
  }
}
