/**
 * MongoDB's comparison of BSON values (bson-order.ts) and its typed arithmetic
 * (bson-arithmetic.ts), checked against values worked out by hand from MongoDB's
 * "Comparison/Sort Order" page and the result types its arithmetic operators document.
 */
import { Binary, Decimal128, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { describe, expect, it } from 'vitest';
import { absolute, arithmetic, average, divide, sum } from './bson-arithmetic.js';
import {
  compareSortKeys,
  compareStrings,
  compareValues,
  equalityKey,
  equalValues,
  sortKey,
} from './bson-order.js';

describe(compareValues, () => {
  it('orders types as MongoDB does, lowest first', () => {
    const ascending = [
      new MinKey(),
      null,
      -1,
      'a',
      { a: 1 },
      [1],
      new Binary(Buffer.from([0])),
      new ObjectId('000000000000000000000001'),
      false,
      new Date(0),
      new Timestamp({ t: 0, i: 1 }),
      /a/u,
      new MaxKey(),
    ];
    for (let i = 1; i < ascending.length; i++) {
      expect([i, compareValues(ascending[i - 1], ascending[i])]).toStrictEqual([i, -1]);
      expect([i, compareValues(ascending[i], ascending[i - 1])]).toStrictEqual([i, 1]);
    }
    expect(compareValues(undefined, null)).toBe(0);
  });

  it('compares numbers by value across int, double, Long and Decimal128', () => {
    expect(compareValues(Long.fromNumber(5), 5)).toBe(0);
    expect(compareValues(new Int32(5), 5.5)).toBe(-1);
    expect(compareValues(Decimal128.fromString('2.5'), 2)).toBe(1);
    expect(compareValues(Long.fromNumber(-3), -2.5)).toBe(-1);
    expect(compareValues(Number.NaN, -Infinity)).toBe(-1);
    expect(compareValues(Number.NaN, Number.NaN)).toBe(0);
    // 2^53 + 1 has no double: it is still above 2^53 and below 2^53 + 2.
    const big = Long.fromString('9007199254740993');
    expect(compareValues(big, 2 ** 53)).toBe(1);
    expect(compareValues(2 ** 53 + 2, big)).toBe(1);
    expect(compareValues(big, Long.fromString('9007199254740993'))).toBe(0);
    expect(compareValues(Long.fromString('-9223372036854775808'), -Infinity)).toBe(1);
  });

  it('compares strings by code point (their UTF-8 order), not by UTF-16 unit', () => {
    // U+FF21 (one UTF-16 unit) is below U+1F600 (a surrogate pair) in UTF-8 order.
    expect(compareStrings('\uFF21', '\u{1F600}')).toBe(-1);
    expect(compareStrings('b', 'ab')).toBe(1);
    expect(compareStrings('ab', 'abc')).toBe(-1);
  });

  it('compares documents pair by pair, in field order', () => {
    expect(compareValues({ a: 1, b: 2 }, { a: 1, b: 2 })).toBe(0);
    expect(compareValues({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(-1); // field names: a < b
    expect(compareValues({ a: 1 }, { a: 1, b: 0 })).toBe(-1); // fewer pairs first
    expect(compareValues({ a: 'x' }, { a: 2 })).toBe(1); // the value's type first
    expect(compareValues({ a: 3 }, { a: Long.fromNumber(3) })).toBe(0);
  });

  it('compares arrays element by element, BinData by length first', () => {
    expect(compareValues([1, 2], [1, 3])).toBe(-1);
    expect(compareValues([1, 2], [1])).toBe(1);
    expect(compareValues(new Binary(Buffer.from([9])), new Binary(Buffer.from([0, 0])))).toBe(-1);
    expect(compareValues(new Date(5), new Date(4))).toBe(1);
    expect(compareValues(new Timestamp({ t: 1, i: 9 }), new Timestamp({ t: 2, i: 0 }))).toBe(-1);
  });
});

describe(equalValues, () => {
  it('holds numbers equal across types and documents only in the same field order', () => {
    expect(equalValues(Long.fromNumber(7), 7)).toBe(true);
    expect(equalValues({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(
      equalValues(
        new ObjectId('65f0a1b2c3d4e5f601234567'),
        new ObjectId('65f0a1b2c3d4e5f601234567'),
      ),
    ).toBe(true);
  });
});

describe(sortKey, () => {
  it('takes the smallest element ascending, the largest descending; an empty array before null', () => {
    expect(sortKey([3, 1, 2], 1)).toBe(1);
    expect(sortKey([3, 1, 2], -1)).toBe(3);
    expect(sortKey(4, -1)).toBe(4);
    expect(compareSortKeys(sortKey([], 1), null)).toBe(-1);
    expect(compareSortKeys(null, sortKey([], -1))).toBe(1);
  });
});

describe(equalityKey, () => {
  it('is one key for values MongoDB groups together, and different keys otherwise', () => {
    expect(equalityKey(Long.fromNumber(5))).toBe(equalityKey(5));
    expect(equalityKey(Decimal128.fromString('5'))).toBe(equalityKey(5));
    expect(equalityKey(null)).toBe(equalityKey(undefined));
    expect(equalityKey({ a: 1, b: 2 })).not.toBe(equalityKey({ b: 2, a: 1 }));
    expect(equalityKey('5')).not.toBe(equalityKey(5));
    expect(equalityKey(new Date(0))).not.toBe(equalityKey(0));
  });
});

describe('typed arithmetic', () => {
  it('types results as MongoDB does: int, long on overflow or with a long, double, decimal', () => {
    expect(arithmetic('add', 2, 3)).toBe(5);
    expect(arithmetic('add', 2 ** 31 - 1, 1)).toStrictEqual(Long.fromNumber(2 ** 31));
    expect(arithmetic('add', Long.fromNumber(5), 1)).toStrictEqual(Long.fromNumber(6));
    expect(arithmetic('add', Long.fromNumber(5), 0.5)).toBe(5.5);
    // (2^63 - 1) * 2 overflows a long: a double, 2^64 to the nearest double.
    expect(arithmetic('multiply', Long.fromString('9223372036854775807'), 2)).toBe(2 ** 64);
    expect(arithmetic('subtract', Decimal128.fromString('1.5'), 1)).toStrictEqual(
      Decimal128.fromString('0.5'),
    );
    expect(divide(Long.fromNumber(7), 2)).toBe(3.5);
    expect(absolute(-(2 ** 31))).toStrictEqual(Long.fromNumber(2 ** 31));
  });

  it('sums and averages the numbers among the values, ignoring the rest', () => {
    expect(sum([1, 'x', Long.fromNumber(2), null, 3])).toStrictEqual(Long.fromNumber(6));
    expect(sum([])).toBe(0);
    expect(average([1, Long.fromNumber(2), 'x'])).toBe(1.5);
    expect(average(['x'])).toBeNull();
  });
});
