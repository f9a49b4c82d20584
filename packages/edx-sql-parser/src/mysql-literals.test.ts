import { describe, expect, it } from 'vitest';
import { MysqlSyntaxError, SqlCursor, readValuesList } from './mysql-literals.js';

const one = (literal: string): unknown => new SqlCursor(literal).readValue();

describe(SqlCursor, () => {
  it('decodes every backslash escape of a quoted string', () => {
    expect(one(String.raw`'a\0b\'c\"d\be\nf\rg\th\Zi\\j'`)).toBe('a\0b\'c"d\be\nf\rg\th\x1ai\\j');
  });

  it('keeps the backslash of \\% and \\_ (MySQL outside LIKE) and drops it elsewhere', () => {
    expect(one(String.raw`'50\% a\_b \q'`)).toBe('50\\% a\\_b q');
  });

  it('undoubles \'\' and "" and reads double-quoted strings', () => {
    expect(one("'it''s'")).toBe("it's");
    expect(one('"say ""hi"" \\"x\\""')).toBe('say "hi" "x"');
    expect(one("''")).toBe('');
    expect(one("''''")).toBe("'");
  });

  it('keeps a raw newline and unicode inside a string', () => {
    expect(one("'Montréal\nline 2 😀'")).toBe('Montréal\nline 2 😀');
  });

  it('reads integers as numbers and beyond 2^53 as bigints', () => {
    expect(one('42')).toBe(42);
    expect(one('-7')).toBe(-7);
    expect(one('+3')).toBe(3);
    expect(one('-0')).toBe(0);
    expect(one('9007199254740991')).toBe(9007199254740991);
    expect(one('9007199254740992')).toBe(9007199254740992n);
    expect(one('-18446744073709551615')).toBe(-18446744073709551615n);
    expect(one('00000000000000000012')).toBe(12);
  });

  it('keeps decimals and floats as their literal text', () => {
    expect(one('0.27')).toBe('0.27');
    expect(one('-1.5e-05')).toBe('-1.5e-05');
    expect(one('.5')).toBe('.5');
    expect(one('1E10')).toBe('1E10');
    expect(one('12345678901234567890.1234567890')).toBe('12345678901234567890.1234567890');
  });

  it('reads NULL, \\N, TRUE and FALSE in any case', () => {
    expect(one('NULL')).toBeNull();
    expect(one('null')).toBeNull();
    expect(one('\\N')).toBeNull();
    expect(one('TRUE')).toBe(1);
    expect(one('false')).toBe(0);
  });

  it('reads character set introducers and national strings', () => {
    expect(one("_binary 'a\\0b'")).toBe('a\0b');
    expect(one("_utf8mb4'café'")).toBe('café');
    expect(one("_utf8mb4'x' COLLATE utf8mb4_bin")).toBe('x');
    expect(one("N'ñ'")).toBe('ñ');
    expect(one('_binary 0x4142')).toBe('AB');
  });

  it('decodes hex literals as UTF-8, keeping the text of non-UTF-8 bytes', () => {
    expect(one('0x4142')).toBe('AB');
    expect(one("X'c3a9'")).toBe('é');
    expect(one("x''")).toBe('');
    expect(one('0xFF00')).toBe('0xFF00');
    expect(one('0x141')).toBe('\x01A');
  });

  it('reads bit literals as numbers', () => {
    expect(one("b'101'")).toBe(5);
    expect(one("B''")).toBe(0);
    expect(one('0b11')).toBe(3);
    expect(one(`b'1${'0'.repeat(60)}'`)).toBe(2n ** 60n);
  });

  it('throws a positioned MysqlSyntaxError on bad literals', () => {
    const bad = ["'open", 'DEFAULT', '12abc', "X'ABC'", "b'102'", '0xZZ', '1e', '-', '@x'];
    for (const literal of bad) {
      expect(() => one(literal), literal).toThrow(MysqlSyntaxError);
    }
    const error = (() => {
      try {
        new SqlCursor("(1, 'a', oops)").readTuple();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MysqlSyntaxError);
    expect((error as MysqlSyntaxError).pos).toBe(9);
  });

  it('reads identifiers with backtick and double-quote doubling', () => {
    const cur = new SqlCursor('`a``b` "c""d" plain');
    expect([cur.readIdentifier(), cur.readIdentifier(), cur.readIdentifier()]).toEqual([
      'a`b',
      'c"d',
      'plain',
    ]);
  });
});

describe(readValuesList, () => {
  it('reads tuples with spaces, empty tuples and a trailing semicolon', () => {
    expect(readValuesList("(1, 'a' ,NULL) ,\n( -2,'b\\tc', 0.5),();")).toEqual([
      [1, 'a', null],
      [-2, 'b\tc', '0.5'],
      [],
    ]);
  });

  it('rejects text after the last tuple and a missing parenthesis', () => {
    expect(() => readValuesList('(1) x')).toThrow(/after the last tuple/);
    expect(() => readValuesList('(1,2')).toThrow(/end of statement/);
    expect(() => readValuesList('(1 2)')).toThrow(/expected "," or "\)"/);
  });
});
