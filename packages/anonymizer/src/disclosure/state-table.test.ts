import { describe, expect, it } from 'vitest';
import { StateTable } from './state-table.js';

describe(StateTable, () => {
  it('numbers distinct tuples in order of arrival and finds them again', () => {
    const table = new StateTable(3);
    const tuples = Array.from({ length: 5000 }, (_, i) => [i % 7, (i * 13) % 1000, i % 2]);
    const expected = new Map<string, number>();
    for (const tuple of tuples) {
      const key = tuple.join(',');
      if (!expected.has(key)) expected.set(key, expected.size);
      expect(table.intern(tuple)).toBe(expected.get(key));
    }
    expect(table.size).toBe(expected.size);
    expect(table.find([6, 999, 1])).toBe(expected.get('6,999,1') ?? -1);
    expect(table.find([7, 0, 0])).toBe(-1);
    const id = table.find([3, 39, 1]);
    expect([table.field(id, 0), table.field(id, 1), table.field(id, 2)]).toEqual([3, 39, 1]);
  });

  it('counts units per tuple, and refuses lookups once the index is dropped', () => {
    const table = new StateTable(1);
    const a = table.intern([1]);
    table.addUnits(a, 2);
    table.addUnits(a, -1);
    expect(table.units.get(a)).toBe(1);
    table.dropIndex();
    expect(() => table.find([1])).toThrow('dropped');
    expect(table.field(a, 0)).toBe(1);
  });
});
