import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { decodeDocument, encodeDocument, idKey, indexKey, pathKey } from './codec.js';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe(indexKey, () => {
  it('orders numbers of every BSON numeric type by value, across signs and magnitudes', () => {
    const values = [
      -Infinity,
      -1e300,
      -5.5,
      -1,
      -Number.MIN_VALUE,
      0,
      Number.MIN_VALUE,
      0.5,
      1,
      2,
      10,
      1e15,
      2 ** 53,
      Infinity,
    ];
    const keys = values.map((v) => indexKey(v) ?? '');
    expect([...keys].sort(cmp)).toEqual(keys);
    expect(indexKey(new Int32(7))).toBe(indexKey(7));
    expect(indexKey(new Double(7))).toBe(indexKey(7));
    expect(indexKey(Long.fromNumber(7))).toBe(indexKey(7));
    expect(indexKey(-0)).toBe(indexKey(0));
  });

  it('orders random doubles exactly as numbers compare', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from(
      { length: 2000 },
      () => (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20),
    );
    const byKey = [...values].sort((a, b) => cmp(indexKey(a) ?? '', indexKey(b) ?? ''));
    expect(byKey).toEqual([...values].sort((a, b) => a - b));
  });

  it('orders types as MongoDB does: null < numbers < strings < ObjectId < booleans < Dates', () => {
    const ordered = [
      null,
      -3,
      42,
      '',
      'abc',
      new ObjectId('000000000000000000000001'),
      false,
      true,
      new Date(-1000),
      new Date(0),
      new Date(1e12),
    ];
    const keys = ordered.map((v) => indexKey(v) ?? '');
    expect([...keys].sort(cmp)).toEqual(keys);
    expect(indexKey(undefined)).toBe(indexKey(null));
  });

  it('gives no key to values that an index cannot order (they stay candidates)', () => {
    for (const value of [
      [1],
      { a: 1 },
      /x/,
      Decimal128.fromString('1.5'),
      Long.fromString('9007199254740993'),
      new Date(Number.NaN),
    ]) {
      expect(indexKey(value)).toBeNull();
    }
  });
});

describe(idKey, () => {
  it('makes equal _ids collide and different ones differ, for every _id type', () => {
    expect(idKey(1)).toBe(idKey(new Double(1)));
    expect(idKey('1')).not.toBe(idKey(1));
    expect(idKey({ a: 1, b: 2 })).toBe(idKey({ a: 1, b: 2 }));
    expect(idKey({ a: 1, b: 2 })).not.toBe(idKey({ b: 2, a: 1 }));
    const oid = new ObjectId();
    expect(idKey(oid)).toBe(idKey(new ObjectId(oid.toHexString())));
  });
});

describe(pathKey, () => {
  it('follows dotted paths, and gives arrays on the way no key', () => {
    expect(pathKey({ context: { course_id: 'x' } }, ['context', 'course_id'])).toBe(indexKey('x'));
    expect(pathKey({ context: {} }, ['context', 'course_id'])).toBe(indexKey(null));
    expect(pathKey({ context: 'flat' }, ['context', 'course_id'])).toBe(indexKey(null));
    expect(pathKey({ context: [{ course_id: 'x' }] }, ['context', 'course_id'])).toBeNull();
  });
});

describe(encodeDocument, () => {
  it('round-trips keys with dots and dollars inside nested objects', () => {
    const doc = { _id: 1, meta: { 'a.b': 1, $x: { $date: 'not a date' } } };
    expect(decodeDocument(encodeDocument(doc))).toEqual(doc);
  });
});
