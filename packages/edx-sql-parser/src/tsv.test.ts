import { describe, expect, it } from 'vitest';
import { getTableSchema } from './schemas.js';
import { TsvTable, endsWithEscape, unescapeStudentModule, unescapeTsv } from './tsv.js';
import { InvalidValue } from './typing.js';
import type { RejectedRow } from './types.js';

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
    const counters = { unknownEscapes: 0, jsonKeptAsText: 0 };
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
    const counters = { unknownEscapes: 0, jsonKeptAsText: 0 };
    const reader = new TsvTable('f.sql', table, header, getTableSchema(table), counters, (r) =>
      rejected.push(r),
    );
    return { reader, rejected, counters };
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

  it('cuts the raw text of a rejected row to 10,000 characters', () => {
    const { reader, rejected } = make('auth_user', ['id']);
    expect(reader.parse(2, 'x'.repeat(20_000))).toBeUndefined();
    expect(rejected[0]?.raw.length).toBe(10_000);
    expect(rejected[0]?.column).toBe(1);
  });
});
