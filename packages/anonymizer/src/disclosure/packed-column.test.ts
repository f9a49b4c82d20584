import { describe, expect, it } from 'vitest';
import { PackedColumn } from './packed-column.js';

describe(PackedColumn, () => {
  it('keeps every value while it grows and widens from one byte to two and four', () => {
    const column = new PackedColumn(4);
    const values = Array.from({ length: 3000 }, (_, i) => (i === 1000 ? 70_000 : i % 300));
    for (const value of values) column.push(value);
    expect(column.length).toBe(3000);
    expect(Array.from({ length: 3000 }, (_, i) => column.get(i))).toEqual(values);
    // 3000 values of 4 bytes, in an array grown by half from 16: 16 × 1.5ⁿ ≥ 3000.
    expect(column.bytes).toBeGreaterThanOrEqual(3000 * 4);
  });

  it('stays one byte wide for small values', () => {
    const column = new PackedColumn(100);
    for (let i = 0; i < 100; i++) column.push(255);
    expect(column.bytes).toBe(100);
    column.set(5, 256);
    expect(column.bytes).toBe(200);
    expect([column.get(4), column.get(5)]).toEqual([255, 256]);
  });
});
