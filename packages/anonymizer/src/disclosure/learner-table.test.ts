import { describe, expect, it } from 'vitest';
import { LearnerTable } from './learner-table.js';

describe(LearnerTable, () => {
  it('finds every learner added, through growth, with its value', () => {
    const table = new LearnerTable(16);
    const ids = Array.from({ length: 20_000 }, (_, i) => `pk_${(i * 7919).toString(36)}`);
    ids.forEach((id, i) => {
      table.add(id, i * 3);
    });
    expect(table.size).toBe(20_000);
    const wrong = ids.filter((id, i) => table.value(table.find(id)) !== i * 3);
    expect(wrong).toEqual([]);
    // 20,000 learners at most three quarters full: 32,768 slots of 12 bytes.
    expect(table.bytes).toBe(32_768 * 12);
  });

  it('says -1 for a learner not added, and changes a value in place', () => {
    const table = new LearnerTable();
    table.add('a', 0);
    table.add('b', 5);
    expect(table.find('c')).toBe(-1);
    expect(table.find('')).toBe(-1);
    table.setValue(table.find('b'), 9);
    expect(table.value(table.find('b'))).toBe(9);
    expect(table.value(table.find('a'))).toBe(0);
  });
});
