import { describe, expect, it } from 'vitest';
import { InvalidValue, typeValue } from './typing.js';

const reason = (value: unknown): string | undefined =>
  value instanceof InvalidValue ? value.reason : undefined;
const code = (value: unknown): string | undefined =>
  value instanceof InvalidValue ? value.code : undefined;

describe(typeValue, () => {
  it('reads NULL as null for every type', () => {
    for (const type of ['int', 'bool', 'datetime', 'date', 'number', 'json', 'string'] as const) {
      expect(typeValue(null, type)).toBeNull();
    }
  });

  it("keeps '' for text and JSON, and rejects it for numbers, booleans and dates", () => {
    expect(typeValue('', 'string')).toBe('');
    expect(typeValue('', 'json')).toBe('');
    expect(reason(typeValue('', 'int'))).toBe('expected an integer, got ""');
    expect(reason(typeValue('', 'number'))).toBe('expected a number, got ""');
    expect(reason(typeValue('', 'bool'))).toBe('expected 0 or 1, got ""');
    expect(reason(typeValue('', 'date'))).toBe('expected a date YYYY-MM-DD, got ""');
    expect(reason(typeValue('', 'datetime'))).toBe(
      'expected a datetime YYYY-MM-DD HH:MM:SS, got ""',
    );
    for (const type of ['int', 'number', 'bool', 'date', 'datetime'] as const) {
      expect(code(typeValue('', type))).toBe('empty');
    }
  });

  it('reads integers, keeping those beyond 2^53 as strings', () => {
    expect(typeValue('0', 'int')).toBe(0);
    expect(typeValue('-42', 'int')).toBe(-42);
    expect(typeValue('2147483648', 'int')).toBe(2147483648);
    expect(typeValue('9007199254740991', 'int')).toBe(9007199254740991);
    expect(typeValue('9007199254740993', 'int')).toBe('9007199254740993');
    expect(typeValue('-99999999999999999999', 'int')).toBe('-99999999999999999999');
    expect(reason(typeValue('12a', 'int'))).toBe('expected an integer, got "12a"');
    expect(reason(typeValue('1.5', 'int'))).toBe('expected an integer, got "1.5"');
    expect(reason(typeValue('-', 'int'))).toBe('expected an integer, got "-"');
    expect(reason(typeValue(' 1', 'int'))).toBe('expected an integer, got " 1"');
    expect(code(typeValue('12a', 'int'))).toBe('malformed');
  });

  it('reads decimal numbers and rejects anything else', () => {
    expect(typeValue('0.84', 'number')).toBe(0.84);
    expect(typeValue('0.0', 'number')).toBe(0);
    expect(typeValue('-3', 'number')).toBe(-3);
    expect(typeValue('1e-5', 'number')).toBe(0.00001);
    expect(typeValue('.5', 'number')).toBe(0.5);
    expect(reason(typeValue('NaN', 'number'))).toBe('expected a number, got "NaN"');
    expect(reason(typeValue('0x10', 'number'))).toBe('expected a number, got "0x10"');
  });

  it('reads 0/1 (and true/false) as booleans', () => {
    expect(typeValue('0', 'bool')).toBe(false);
    expect(typeValue('1', 'bool')).toBe(true);
    expect(typeValue('True', 'bool')).toBe(true);
    expect(typeValue('false', 'bool')).toBe(false);
    expect(reason(typeValue('2', 'bool'))).toBe('expected 0 or 1, got "2" (out of range)');
    expect(code(typeValue('2', 'bool'))).toBe('out-of-range');
    expect(reason(typeValue('yes', 'bool'))).toBe('expected 0 or 1, got "yes"');
    expect(code(typeValue('yes', 'bool'))).toBe('malformed');
  });

  it('reads datetimes as UTC, with or without T and a fraction (kept to the millisecond)', () => {
    expect(typeValue('2015-08-12 23:13:03', 'datetime')).toEqual(
      new Date('2015-08-12T23:13:03.000Z'),
    );
    expect(typeValue('2015-08-12T23:13:03', 'datetime')).toEqual(
      new Date('2015-08-12T23:13:03.000Z'),
    );
    expect(typeValue('2017-05-01 10:00:00.123456', 'datetime')).toEqual(
      new Date('2017-05-01T10:00:00.123Z'),
    );
    expect(typeValue('2017-05-01 10:00:00.5', 'datetime')).toEqual(
      new Date('2017-05-01T10:00:00.500Z'),
    );
    expect(typeValue('2016-02-29 00:00:00', 'datetime')).toEqual(
      new Date('2016-02-29T00:00:00.000Z'),
    );
  });

  // Malformed text, then the right form for a day or time that does not exist.
  it.each([
    [
      'malformed',
      '',
      [
        '2015-1-31 21:32:17', // real fixture, teams
        '2015-08-12 23:13',
        '2015-08-12 23:13:03+00:00',
        '2015-08-12 23:13:03.',
        '2015-08-12',
        '2015-08-12 2x:13:03',
      ],
    ],
    [
      'out-of-range',
      ' (out of range)',
      [
        '2015-09-31 21:32:17', // no 31 September (real fixture, teams)
        '2015-02-29 00:00:00',
        '0000-00-00 00:00:00',
        '2015-13-01 00:00:00',
        '2015-08-12 24:00:00',
        '2015-08-12 23:60:00',
        '2015-08-12 23:59:60.5',
      ],
    ],
  ] as const)('rejects %s datetimes', (expected, suffix, texts) => {
    for (const text of texts) {
      const value = typeValue(text, 'datetime');
      expect(reason(value)).toBe(
        `expected a datetime YYYY-MM-DD HH:MM:SS, got ${JSON.stringify(text)}${suffix}`,
      );
      expect(code(value), text).toBe(expected);
    }
  });

  it('reads dates at 00:00 UTC', () => {
    expect(typeValue('1980-01-31', 'date')).toEqual(new Date('1980-01-31T00:00:00.000Z'));
    expect(typeValue('0099-12-31', 'date')).toEqual(new Date('0099-12-31T00:00:00.000Z'));
    expect(reason(typeValue('1980-02-30', 'date'))).toBe(
      'expected a date YYYY-MM-DD, got "1980-02-30" (out of range)',
    );
    expect(code(typeValue('1980-02-30', 'date'))).toBe('out-of-range');
    expect(code(typeValue('1980-2-3', 'date'))).toBe('malformed');
  });

  it('parses JSON objects and arrays, and keeps any other text as it is', () => {
    expect(typeValue('{"position": 3}', 'json')).toEqual({ position: 3 });
    expect(typeValue('[1, "a"]', 'json')).toEqual([1, 'a']);
    expect(typeValue('{"cut": ', 'json')).toBe('{"cut": ');
    expect(typeValue('123', 'json')).toBe('123');
    expect(typeValue('hello', 'json')).toBe('hello');
  });

  it('keeps numeric-looking text as text in string columns', () => {
    expect(typeValue('0123', 'string')).toBe('0123');
    expect(typeValue('NULL', 'string')).toBe('NULL');
  });

  it('cuts long values in reasons', () => {
    expect(reason(typeValue('x'.repeat(100), 'int'))).toBe(
      `expected an integer, got "${'x'.repeat(40)}…"`,
    );
  });
});
