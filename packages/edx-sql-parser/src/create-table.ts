/**
 * Columns and their types from a mysqldump `CREATE TABLE` statement.
 *
 * sql-parser-cst (dialect mysql) reads the column definitions, after a pre-treatment that
 * removes what it rejects in common mysqldump output and what we do not need (index and
 * constraint definitions, table options). When it still fails, a small column-list reader
 * of our own takes over, and the result says why (`fallbackReason`). The table of what is
 * changed is in docs-mysqldump.md.
 */
import { parse } from 'sql-parser-cst';
import type { ColumnType } from './types.js';

/** The columns of a table, in order, with their MySQL and mapped types. */
export interface CreateTableInfo {
  readonly table: string;
  readonly columns: readonly string[];
  /** The type as written (`int(11)`, `varchar(255)`, `enum('a','b')`), by column. */
  readonly mysqlTypes: Readonly<Record<string, string>>;
  readonly columnTypes: Readonly<Record<string, ColumnType>>;
  /** Who read the column list. */
  readonly via: 'sql-parser-cst' | 'fallback';
  /** Why sql-parser-cst could not read the pre-treated statement (with `via: 'fallback'`). */
  readonly fallbackReason?: string;
  /** What the pre-treatment changed, one short phrase each (for reports and tests). */
  readonly changes: readonly string[];
}

/** A `CREATE TABLE` that neither reader could make sense of. */
export class CreateTableError extends Error {
  override readonly name = 'CreateTableError';
}

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Upper-cased text of a bare word, '' for anything else. */
  readonly word: string;
}

const TOKEN =
  /`(?:[^`]|``)*`|'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S]|"")*"|[A-Za-z0-9_$\u0080-\uffff]+|\s+|[\s\S]/gy;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const t = m[0];
    if (/^\s/.test(t)) continue;
    const word = /^[A-Za-z0-9_$]/.test(t) ? t.toUpperCase() : '';
    tokens.push({ text: t, start: m.index, end: m.index + t.length, word });
  }
  return tokens;
}

function unquoteIdentifier(text: string): string {
  const q = text[0];
  if ((q === '`' || q === '"') && text.endsWith(q) && text.length >= 2) {
    return text
      .slice(1, -1)
      .split(q + q)
      .join(q);
  }
  return text;
}

/** Index of the token closing the paren opened at `open`, or -1. */
function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]?.text;
    if (t === '(') depth++;
    else if (t === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Definitions that are not columns: removed (we read columns only). */
const NON_COLUMN = new Set([
  'PRIMARY',
  'KEY',
  'INDEX',
  'UNIQUE',
  'FULLTEXT',
  'SPATIAL',
  'CONSTRAINT',
  'FOREIGN',
  'CHECK',
  'PERIOD',
]);

/** Functions allowed as `DEFAULT`/`ON UPDATE` with a precision: `CURRENT_TIMESTAMP(6)`. */
const TIME_FUNCTIONS = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);

/**
 * Remove from one column definition the attributes that sql-parser-cst 0.42.1 rejects.
 * Returns the kept text and what was removed.
 */
function pretreatColumn(def: string, changes: Set<string>): string {
  const tokens = tokenize(def);
  const drop = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]?.word ?? '';
    const next = tokens[i + 1]?.word ?? '';
    if (w === 'UNSIGNED' || w === 'SIGNED' || w === 'ZEROFILL') {
      drop.add(i);
      changes.add(`column ${w}`);
    } else if (w === 'CHARACTER' && next === 'SET') {
      drop
        .add(i)
        .add(i + 1)
        .add(i + 2);
      changes.add('column CHARACTER SET');
    } else if (w === 'CHARSET') {
      drop.add(i).add(i + 1);
      changes.add('column CHARSET');
    } else if (w === 'ON' && next === 'UPDATE') {
      drop
        .add(i)
        .add(i + 1)
        .add(i + 2);
      if (tokens[i + 3]?.text === '(') {
        const close = matchingParen(tokens, i + 3);
        for (let k = i + 3; k <= close; k++) drop.add(k);
      }
      changes.add('column ON UPDATE');
    } else if (TIME_FUNCTIONS.has(w) && tokens[i + 1]?.text === '(') {
      const close = matchingParen(tokens, i + 1);
      for (let k = i + 1; k <= close; k++) drop.add(k);
      changes.add(`${w}(n) precision`);
    }
  }
  if (drop.size === 0) return def;
  let out = '';
  let from = 0;
  tokens.forEach((t, i) => {
    if (!drop.has(i)) return;
    out += `${def.slice(from, t.start)} `;
    from = t.end;
  });
  return (out + def.slice(from)).replace(/\s+/g, ' ').trim();
}

interface Split {
  readonly table: string;
  /** Column definitions, pre-treated. */
  readonly columns: readonly string[];
  readonly changes: readonly string[];
}

/** Split a CREATE TABLE into its name and pre-treated column definitions. */
function splitCreateTable(sql: string): Split {
  const tokens = tokenize(sql);
  let i = 0;
  const word = (k: number): string => tokens[k]?.word ?? '';
  if (word(i) !== 'CREATE') throw new CreateTableError('not a CREATE TABLE statement');
  i++;
  if (word(i) === 'TEMPORARY') i++;
  if (word(i) !== 'TABLE') throw new CreateTableError('not a CREATE TABLE statement');
  i++;
  if (word(i) === 'IF' && word(i + 1) === 'NOT' && word(i + 2) === 'EXISTS') i += 3;
  let nameToken = tokens[i];
  if (nameToken === undefined) throw new CreateTableError('CREATE TABLE without a table name');
  i++;
  while (tokens[i]?.text === '.' && tokens[i + 1] !== undefined) {
    nameToken = tokens[i + 1];
    i += 2;
  }
  const table = unquoteIdentifier(nameToken?.text ?? '');
  if (tokens[i]?.text !== '(') {
    throw new CreateTableError(`CREATE TABLE ${table} has no column list (LIKE or AS SELECT?)`);
  }
  const close = matchingParen(tokens, i);
  if (close < 0) throw new CreateTableError(`CREATE TABLE ${table}: unbalanced parentheses`);
  const changes = new Set<string>();
  if (close < tokens.length - 1) changes.add('table options after ")" removed');

  // Split the definitions at top-level commas.
  const defs: [number, number][] = [];
  let depth = 0;
  let from = i + 1;
  for (let k = i + 1; k < close; k++) {
    const t = tokens[k]?.text;
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (t === ',' && depth === 0) {
      defs.push([from, k]);
      from = k + 1;
    }
  }
  defs.push([from, close]);

  const columns: string[] = [];
  for (const [a, b] of defs) {
    const first = tokens[a];
    const last = tokens[b - 1];
    if (first === undefined || last === undefined || a >= b) continue;
    if (NON_COLUMN.has(first.word)) {
      changes.add(
        `${first.word === 'CONSTRAINT' || first.word === 'FOREIGN' ? 'constraint' : 'index'} definitions removed`,
      );
      continue;
    }
    columns.push(pretreatColumn(sql.slice(first.start, last.end), changes));
  }
  if (columns.length === 0) throw new CreateTableError(`CREATE TABLE ${table} has no columns`);
  return { table, columns, changes: [...changes] };
}

/** `CREATE TABLE \`name\` (column definitions)`: what sql-parser-cst is given. */
function rebuild(split: Split): string {
  const quoted = split.table.split('`').join('``');
  return `CREATE TABLE \`${quoted}\` (\n  ${split.columns.join(',\n  ')}\n)`;
}

/**
 * Map a MySQL column type (as written) to a {@link ColumnType}: `tinyint(1)`, `bool`,
 * `boolean` and `bit(1)` → bool; the integer types and `year` → int; `decimal`, `numeric`,
 * `double`, `float`, `real` → number; `datetime`, `timestamp` → datetime; `date` → date;
 * `json` → json; everything else (`char`, `varchar`, the `text`s, `enum`, `set`, the
 * `blob`s, `binary`, `time`, spatial types, unknown names) → string.
 */
export function columnTypeOf(mysqlType: string): ColumnType {
  const m = /^\s*([A-Za-z]+)\s*(?:\(\s*([^)]*?)\s*\))?/.exec(mysqlType);
  const name = m?.[1]?.toLowerCase() ?? '';
  const params = m?.[2] ?? '';
  switch (name) {
    case 'tinyint':
      return params === '1' ? 'bool' : 'int';
    case 'bit':
      return params === '' || params === '1' ? 'bool' : 'int';
    case 'bool':
    case 'boolean':
      return 'bool';
    case 'int':
    case 'integer':
    case 'bigint':
    case 'smallint':
    case 'mediumint':
    case 'middleint':
    case 'int1':
    case 'int2':
    case 'int3':
    case 'int4':
    case 'int8':
    case 'serial':
    case 'year':
      return 'int';
    case 'decimal':
    case 'dec':
    case 'numeric':
    case 'fixed':
    case 'double':
    case 'float':
    case 'float4':
    case 'float8':
    case 'real':
      return 'number';
    case 'datetime':
    case 'timestamp':
      return 'datetime';
    case 'date':
      return 'date';
    case 'json':
      return 'json';
    default:
      return 'string';
  }
}

function build(
  table: string,
  pairs: readonly (readonly [string, string])[],
  via: CreateTableInfo['via'],
  changes: readonly string[],
  fallbackReason?: string,
): CreateTableInfo {
  const mysqlTypes: Record<string, string> = {};
  const columnTypes: Record<string, ColumnType> = {};
  for (const [name, type] of pairs) {
    mysqlTypes[name] = type;
    columnTypes[name] = columnTypeOf(type);
  }
  const info = { table, columns: pairs.map(([n]) => n), mysqlTypes, columnTypes, via, changes };
  return fallbackReason === undefined ? info : { ...info, fallbackReason };
}

/** Our own reader of one pre-treated column definition: name, then type word(s) and `(…)`. */
function fallbackColumn(def: string): [string, string] {
  const tokens = tokenize(def);
  const name = tokens[0];
  const type = tokens[1];
  if (name === undefined || type?.word === '' || type === undefined) {
    throw new CreateTableError(`cannot read the column definition ${JSON.stringify(def)}`);
  }
  let end = type.end;
  let k = 2;
  if (tokens[k]?.word === 'PRECISION' || tokens[k]?.word === 'VARYING') {
    end = tokens[k]?.end ?? end;
    k++;
  }
  if (tokens[k]?.text === '(') {
    const close = matchingParen(tokens, k);
    if (close > 0) end = tokens[close]?.end ?? end;
  }
  return [unquoteIdentifier(name.text), def.slice(type.start, end)];
}

/**
 * Read the columns of a `CREATE TABLE` statement (comments already removed). Throws
 * {@link CreateTableError} when there is no column list to read.
 */
export function parseCreateTable(sql: string): CreateTableInfo {
  const split = splitCreateTable(sql);
  const treated = rebuild(split);
  try {
    const cst = parse(treated, { dialect: 'mysql', includeRange: true });
    const stmt = cst.statements[0];
    if (stmt?.type !== 'create_table_stmt' || stmt.columns === undefined) {
      throw new CreateTableError('sql-parser-cst did not return a CREATE TABLE');
    }
    const pairs: [string, string][] = [];
    for (const item of stmt.columns.expr.items) {
      if (item.type !== 'column_definition') continue;
      const range = item.dataType?.range;
      const type = range === undefined ? '' : treated.slice(range[0], range[1]);
      pairs.push([item.name.name, type]);
    }
    return build(split.table, pairs, 'sql-parser-cst', split.changes);
  } catch (error) {
    const reason =
      error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    const pairs = split.columns.map(fallbackColumn);
    return build(split.table, pairs, 'fallback', split.changes, `sql-parser-cst: ${reason}`);
  }
}

/** The pre-treated statement given to sql-parser-cst (for tests and docs). */
export function pretreatCreateTable(sql: string): { sql: string; changes: readonly string[] } {
  const split = splitCreateTable(sql);
  return { sql: rebuild(split), changes: split.changes };
}
