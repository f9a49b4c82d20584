/**
 * A hand-written reader of MySQL literals, identifiers and `VALUES` tuples, over the text of
 * one statement. It is the hot path of mysqldump reading (sql-parser-cst reads about
 * 1.2 MB/s, see docs-mysqldump.md), so it works with `indexOf` jumps and char codes, and
 * allocates only the values it returns.
 *
 * Values:
 * - quoted strings (`'…'`, `"…"`) → `string`, with backslash escapes decoded and `''`/`""`
 *   undoubled; `\%` and `\_` keep their backslash, as in MySQL outside LIKE patterns;
 * - integers → `number`, or `bigint` beyond ±(2^53 − 1);
 * - decimals and floats (`0.27`, `-1.5e-05`, `.5`) → their literal text, unchanged, so that
 *   no digit of a `DECIMAL(30,10)` is lost (the column's type decides how to read it);
 * - `NULL` and `\N` → `null`; `TRUE`/`FALSE` → `1`/`0`;
 * - `_binary '…'`, `_utf8mb4'…'` (any `_charset` introducer), `N'…'` → the string;
 * - `0x…` and `X'…'` → the bytes decoded as UTF-8, or the `0x…` text when they are not UTF-8;
 * - `b'…'` and `0b…` → the bit value as a number (`bigint` beyond 2^53).
 */

/** A value read from a `VALUES` tuple. */
export type MysqlValue = string | number | bigint | null;

/** A syntax error at a position of the statement text. */
export class MysqlSyntaxError extends Error {
  override readonly name = 'MysqlSyntaxError';
  constructor(
    message: string,
    /** 0-based offset in the statement text. */
    readonly pos: number,
  ) {
    super(message);
  }
}

const BACKSLASH = 0x5c;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKTICK = 0x60;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;

/** Backslash escapes (MySQL manual, "String Literals", table 9.1). */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  "'": "'",
  '"': '"',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
  '\\': '\\',
  '%': '\\%',
  _: '\\_',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isWordChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    isDigit(c) ||
    c === 0x5f ||
    c === 0x24 ||
    c > 0x7f
  );
}

/** An integer literal's text → number, or bigint when it is not a safe integer. */
function integerValue(text: string): number | bigint {
  if (text.length <= 16) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  }
  const b = BigInt(text);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(b)
    : b;
}

function hexValue(digits: string, literal: string): string {
  const even = digits.length % 2 === 1 ? `0${digits}` : digits;
  try {
    return utf8.decode(Buffer.from(even, 'hex'));
  } catch {
    return literal;
  }
}

function bitValue(digits: string): number | bigint {
  if (digits === '') return 0;
  return integerValue(BigInt(`0b${digits}`).toString());
}

/**
 * A cursor over one statement's text. Methods read at {@link pos} and move it past what they
 * read; they throw {@link MysqlSyntaxError} on malformed input.
 */
export class SqlCursor {
  pos = 0;
  /** The next backslash at or after some earlier position: -1 when there is none left. */
  private nextBackslash = -2;

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Char code at the cursor, NaN at the end. */
  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  /** Skip whitespace. */
  skipSpace(): void {
    const s = this.text;
    let i = this.pos;
    while (isSpace(s.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** Skip whitespace, then the char `c` if it is there; tell whether it was. */
  eat(c: number): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== c) return false;
    this.pos++;
    return true;
  }

  /** A bare word (`[A-Za-z0-9_$]+`), or undefined when none is at the cursor. */
  readWord(): string | undefined {
    const s = this.text;
    const start = this.pos;
    let i = start;
    while (isWordChar(s.charCodeAt(i))) i++;
    if (i === start) return undefined;
    this.pos = i;
    return s.slice(start, i);
  }

  /** Skip whitespace, then read a word if it is `word` (case-insensitive). */
  eatWord(word: string): boolean {
    this.skipSpace();
    const start = this.pos;
    const w = this.readWord();
    if (w !== undefined && w.toUpperCase() === word) return true;
    this.pos = start;
    return false;
  }

  /** An identifier: `` `quoted` `` (with ``` `` ``` doubling), `"quoted"`, or a bare word. */
  readIdentifier(): string | undefined {
    this.skipSpace();
    const c = this.peek();
    if (c === BACKTICK || c === DQUOTE) {
      const s = this.text;
      const q = s[this.pos] ?? '`';
      let out = '';
      let i = this.pos + 1;
      for (;;) {
        const j = s.indexOf(q, i);
        if (j < 0) throw new MysqlSyntaxError('unterminated quoted identifier', this.pos);
        out += s.slice(i, j);
        if (s.charCodeAt(j + 1) === c) {
          out += q;
          i = j + 2;
          continue;
        }
        this.pos = j + 1;
        return out;
      }
    }
    return this.readWord();
  }

  /** A quoted string at the cursor (which is on the opening quote). */
  readQuoted(): string {
    const s = this.text;
    const q = s.charCodeAt(this.pos);
    const qch = q === QUOTE ? "'" : '"';
    const open = this.pos;
    let i = open + 1;
    let start = i;
    let out = '';
    for (;;) {
      const qi = s.indexOf(qch, i);
      if (qi < 0) throw new MysqlSyntaxError('unterminated string', open);
      let bi = this.nextBackslash;
      if (bi !== -1 && bi < i) bi = this.nextBackslash = s.indexOf('\\', i);
      if (bi !== -1 && bi < qi) {
        const e = s[bi + 1];
        if (e === undefined) throw new MysqlSyntaxError('unterminated string', open);
        out += s.slice(start, bi) + (ESCAPES[e] ?? e);
        i = start = bi + 2;
        continue;
      }
      if (s.charCodeAt(qi + 1) === q) {
        out += s.slice(start, qi + 1);
        i = start = qi + 2;
        continue;
      }
      this.pos = qi + 1;
      return out + s.slice(start, qi);
    }
  }

  /** A number at the cursor (sign, digits, fraction, exponent), or 0x…/0b… forms. */
  private readNumber(): number | bigint | string {
    const s = this.text;
    const start = this.pos;
    let i = start;
    const c0 = s.charCodeAt(i);
    if (c0 === MINUS || c0 === PLUS) i++;
    const afterSign = i;
    if (s.charCodeAt(i) === 0x30 && i === start) {
      const x = s.charCodeAt(i + 1) | 0x20;
      if (x === 0x78 || x === 0x62) {
        let j = i + 2;
        while (isWordChar(s.charCodeAt(j))) j++;
        const digits = s.slice(i + 2, j);
        const ok = x === 0x78 ? /^[0-9a-fA-F]+$/.test(digits) : /^[01]+$/.test(digits);
        if (!ok) throw new MysqlSyntaxError(`bad literal ${s.slice(start, j)}`, start);
        this.pos = j;
        return x === 0x78 ? hexValue(digits, s.slice(start, j)) : bitValue(digits);
      }
    }
    while (isDigit(s.charCodeAt(i))) i++;
    let integer = i > afterSign;
    let any = integer;
    if (s.charCodeAt(i) === DOT) {
      integer = false;
      i++;
      const f = i;
      while (isDigit(s.charCodeAt(i))) i++;
      any ||= i > f;
    }
    if (!any) throw new MysqlSyntaxError(`unexpected ${JSON.stringify(s[start])}`, start);
    if ((s.charCodeAt(i) | 0x20) === 0x65) {
      let j = i + 1;
      const sc = s.charCodeAt(j);
      if (sc === MINUS || sc === PLUS) j++;
      const e = j;
      while (isDigit(s.charCodeAt(j))) j++;
      if (j === e) throw new MysqlSyntaxError(`bad number ${s.slice(start, j)}`, start);
      integer = false;
      i = j;
    }
    if (isWordChar(s.charCodeAt(i))) {
      throw new MysqlSyntaxError(`bad number ${s.slice(start, i + 1)}`, start);
    }
    this.pos = i;
    const text = s.slice(start, i);
    return integer ? integerValue(text) : text;
  }

  /** One literal value at the cursor (after whitespace). */
  readValue(): MysqlValue {
    this.skipSpace();
    const s = this.text;
    const c = s.charCodeAt(this.pos);
    if (c === QUOTE || c === DQUOTE) return this.readQuoted();
    if (isDigit(c) || c === MINUS || c === PLUS || c === DOT) return this.readNumber();
    if (c === BACKSLASH && s[this.pos + 1] === 'N' && !isWordChar(s.charCodeAt(this.pos + 2))) {
      this.pos += 2;
      return null;
    }
    const start = this.pos;
    const word = this.readWord();
    if (word === undefined) {
      throw new MysqlSyntaxError(
        this.atEnd ? 'unexpected end of statement' : `unexpected ${JSON.stringify(s[start])}`,
        start,
      );
    }
    const upper = word.toUpperCase();
    const next = s.charCodeAt(this.pos);
    if (next === QUOTE) {
      if (upper === 'X') {
        const lit = this.readQuoted();
        if (!/^(?:[0-9a-fA-F]{2})*$/.test(lit))
          throw new MysqlSyntaxError(`bad hex literal X'${lit}'`, start);
        return hexValue(lit, `0x${lit}`);
      }
      if (upper === 'B') {
        const lit = this.readQuoted();
        if (!/^[01]*$/.test(lit)) throw new MysqlSyntaxError(`bad bit literal b'${lit}'`, start);
        return bitValue(lit);
      }
      if (upper === 'N') return this.readQuoted();
    }
    if (upper === 'NULL') return null;
    if (upper === 'TRUE') return 1;
    if (upper === 'FALSE') return 0;
    if (word.startsWith('_')) {
      // A character set introducer: `_binary '…'`, `_utf8mb4'…'`, `_binary 0x…`.
      this.skipSpace();
      const n = this.peek();
      if (
        n === QUOTE ||
        n === DQUOTE ||
        n === 0x30 ||
        n === 0x58 ||
        n === 0x78 ||
        n === 0x62 ||
        n === 0x42
      ) {
        const v = this.readValue();
        if (this.eatWord('COLLATE')) {
          this.skipSpace();
          this.readWord();
        }
        return v;
      }
    }
    throw new MysqlSyntaxError(`unexpected word ${word}`, start);
  }

  /**
   * A parenthesised tuple of values at the cursor (after whitespace): `(1,'a',NULL)`.
   * An empty tuple `()` gives `[]`.
   */
  readTuple(): MysqlValue[] {
    this.skipSpace();
    if (this.peek() !== OPEN) {
      throw new MysqlSyntaxError(
        this.atEnd
          ? 'unexpected end of statement'
          : `expected "(" at ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`,
        this.pos,
      );
    }
    this.pos++;
    const values: MysqlValue[] = [];
    if (this.eat(CLOSE)) return values;
    for (;;) {
      values.push(this.readValue());
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c === COMMA) continue;
      if (c === CLOSE) return values;
      this.pos--;
      throw new MysqlSyntaxError(
        this.atEnd
          ? 'unexpected end of statement inside a tuple'
          : `expected "," or ")" at ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`,
        this.pos,
      );
    }
  }

  /** A parenthesised list of identifiers at the cursor: `(`a`,`b`)`. */
  readIdentifierList(): string[] {
    if (!this.eat(OPEN)) throw new MysqlSyntaxError('expected "("', this.pos);
    const names: string[] = [];
    for (;;) {
      const name = this.readIdentifier();
      if (name === undefined) throw new MysqlSyntaxError('expected a column name', this.pos);
      names.push(name);
      if (this.eat(COMMA)) continue;
      if (this.eat(CLOSE)) return names;
      throw new MysqlSyntaxError('expected "," or ")" in the column list', this.pos);
    }
  }
}

/** Read every tuple of a `VALUES …` list from `text` (a convenience for tests and tools). */
export function readValuesList(text: string): MysqlValue[][] {
  const cur = new SqlCursor(text);
  const rows: MysqlValue[][] = [];
  for (;;) {
    rows.push(cur.readTuple());
    if (!cur.eat(COMMA)) break;
  }
  cur.eat(0x3b);
  cur.skipSpace();
  if (!cur.atEnd) throw new MysqlSyntaxError('text after the last tuple', cur.pos);
  return rows;
}
