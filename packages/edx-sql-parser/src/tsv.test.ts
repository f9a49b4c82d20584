import { describe, expect, it } from 'vitest';
import { getTableSchema } from './schemas.js';
import { TsvTable, endsWithEscape, unescapeStudentModule, unescapeTsv } from './tsv.js';
import { InvalidValue } from './typing.js';
import type { InvalidCell, RejectedRow } from './types.js';

describe(unescapeTsv, () => {
  it('decodes \\\\ \\t \\n \\r \\0 in one left-to-right pass', () => {
    expect(unescapeTsv('plain')).toBe('plain');
    expect(unescapeTsv(String.raw`a\tb\nc\rd\\e\0f`)).toBe('a\tb\nc\rd\\e\0f');
    // `\\n` is a backslash then `n`, not a newline; `\\\n` is a backslash then a newline.
    expect(unescapeTsv(String.raw`\\n`)).toBe('\\n');
    expect(unescapeTsv(String.raw`\\\n`)).toBe('\\\n');
    expect(unescapeTsv(String.raw`C:\\temp\\new`)).toBe(String.raw`C:\temp\new`);
  });

  it('keeps an unknown escape as written and counts it', () => {
    const counters = { unknownEscapes: 0, jsonKeptAsText: 0, rowsWithInvalidCells: 0 };
    expect(unescapeTsv(String.raw`a\xb\"`, counters)).toBe(String.raw`a\xb\"`);
    expect(counters.unknownEscapes).toBe(2);
  });

  it('rejects a lone backslash at the end', () => {
    const result = unescapeTsv('abc\\');
    expect(result).toBeInstanceOf(InvalidValue);
    expect((result as InvalidValue).reason).toBe('a lone backslash at the end of the field');
    expect(unescapeTsv('abc\\\\')).toBe('abc\\');
  });
});

describe(unescapeStudentModule, () => {
  it('undoubles backslashes and drops the escape before TAB, LF and CR only', () => {
    expect(unescapeStudentModule(String.raw`{\\"a\\": \\"x\\\\ny\\"}`)).toBe(
      String.raw`{\"a\": \"x\\ny\"}`,
    );
    expect(unescapeStudentModule('a\\\tb\\\nc')).toBe('a\tb\nc');
    expect(unescapeStudentModule(String.raw`keep \n and \t`)).toBe(String.raw`keep \n and \t`);
  });
});

describe(endsWithEscape, () => {
  it('is true for an odd run of trailing backslashes', () => {
    expect(endsWithEscape('a\\')).toBe(true);
    expect(endsWithEscape('a\\\\')).toBe(false);
    expect(endsWithEscape('a\\\\\\')).toBe(true);
    expect(endsWithEscape('a')).toBe(false);
  });
});

describe(TsvTable, () => {
  const make = (table: string, header: string[]) => {
    const rejected: RejectedRow[] = [];
    const invalid: InvalidCell[] = [];
    const counters = { unknownEscapes: 0, jsonKeptAsText: 0, rowsWithInvalidCells: 0 };
    const reader = new TsvTable(
      'f.sql',
      table,
      header,
      getTableSchema(table),
      counters,
      (r) => rejected.push(r),
      (c) => invalid.push(c),
    );
    return { reader, rejected, invalid, counters };
  };

  it('maps fields by header name, in any order', () => {
    const { reader } = make('student_courseenrollment', ['mode', 'is_active', 'id']);
    expect(reader.parse(2, 'honor\t1\t7')).toEqual({
      table: 'student_courseenrollment',
      line: 2,
      values: { mode: 'honor', is_active: true, id: 7 },
    });
    expect(reader.check).toEqual({
      unknownColumns: [],
      missingColumns: ['user_id', 'course_id', 'created'],
    });
  });

  it('splits a studentmodule line on unescaped TABs only', () => {
    const { reader } = make('courseware_studentmodule', ['id', 'module_id', 'done']);
    expect(reader.parse(2, '1\tx\\\ty\tna')?.values).toEqual({
      id: 1,
      module_id: 'x\ty',
      done: 'na',
    });
  });

  it('counts JSON-looking text that does not parse', () => {
    const { reader, counters } = make('courseware_studentmodule', ['id', 'state']);
    expect(reader.parse(2, '1\t{"cut')?.values).toEqual({ id: 1, state: '{"cut' });
    expect(counters.jsonKeptAsText).toBe(1);
  });

  it('hands the whole text of a rejected row to onReject (the loader decides what to keep)', () => {
    const { reader, rejected } = make('auth_user', ['id', 'username']);
    expect(reader.parse(2, 'x'.repeat(100_000))).toBeUndefined();
    expect(rejected[0]?.raw).toBe('x'.repeat(100_000));
    expect(rejected[0]?.code).toBe('field-count');
  });

  it('keeps a row whose cells do not fit their types: null there, the text under _invalid', () => {
    const { reader, rejected, invalid, counters } = make('auth_user', [
      'id',
      'username',
      'is_staff',
      'last_login',
      'date_joined',
    ]);
    const text = '7x\tbob\t\t2015-09-31 10:00:00\t2015-09-30 10:00:00';
    expect(reader.parse(3, text)).toEqual({
      table: 'auth_user',
      line: 3,
      values: {
        id: null,
        username: 'bob',
        is_staff: null,
        last_login: null,
        date_joined: new Date('2015-09-30T10:00:00Z'),
        _invalid: { id: '7x', is_staff: '', last_login: '2015-09-31 10:00:00' },
      },
    });
    expect(rejected).toEqual([]);
    expect(invalid).toEqual([
      {
        file: 'f.sql',
        table: 'auth_user',
        line: 3,
        column: 1,
        name: 'id',
        code: 'malformed',
        reason: 'expected an integer, got "7x" (column "id")',
        text: '7x',
      },
      {
        file: 'f.sql',
        table: 'auth_user',
        line: 3,
        column: 3,
        name: 'is_staff',
        code: 'empty',
        reason: 'expected 0 or 1, got "" (column "is_staff")',
        text: '',
      },
      {
        file: 'f.sql',
        table: 'auth_user',
        line: 3,
        column: 4,
        name: 'last_login',
        code: 'out-of-range',
        reason:
          'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-09-31 10:00:00" (out of range) (column "last_login")',
        text: '2015-09-31 10:00:00',
      },
    ]);
    expect(counters.rowsWithInvalidCells).toBe(1);
    // A row without invalid cells has no _invalid key at all.
    expect(reader.parse(4, '8\tann\t1\tNULL\tNULL')?.values).toEqual({
      id: 8,
      username: 'ann',
      is_staff: true,
      last_login: null,
      date_joined: null,
    });
    expect(counters.rowsWithInvalidCells).toBe(1);
  });

  it('still rejects a row whose escape makes the split uncertain, naming the column', () => {
    const { reader, rejected, invalid } = make('auth_user', ['id', 'username']);
    expect(reader.parse(2, '1\tbob\\')).toBeUndefined();
    expect(rejected).toEqual([
      {
        file: 'f.sql',
        table: 'auth_user',
        line: 2,
        column: 2,
        columnName: 'username',
        code: 'bad-escape',
        reason: 'a lone backslash at the end of the field (column "username")',
        raw: '1\tbob\\',
      },
    ]);
    expect(invalid).toEqual([]);
  });
});
