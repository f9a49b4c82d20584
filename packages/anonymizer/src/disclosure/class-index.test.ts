import { describe, expect, it } from 'vitest';
import { ClassIndex } from './class-index.js';

describe(ClassIndex, () => {
  it('numbers keys densely, large numbers and strings alike, and starts over on clear', () => {
    const classes = new ClassIndex();
    const keys = Array.from({ length: 10_000 }, (_, i) => (i % 2500) * 2 ** 40 + (i % 3));
    const expected = new Map<number, number>();
    for (const key of keys) {
      if (!expected.has(key)) expected.set(key, expected.size);
      const c = classes.index(key);
      expect(c).toBe(expected.get(key));
      classes.units[c] = (classes.units[c] ?? 0) + 1;
    }
    expect(classes.size).toBe(expected.size);
    // Key 0 is reached by i = 0, 7500 (i % 2500 = 0 and i % 3 = 0): 0 and 7500 only.
    expect(classes.units[classes.index(0)]).toBe(2);
    expect(classes.index('1,2')).toBe(expected.size);
    expect(classes.index('1,2')).toBe(expected.size);
    classes.clear();
    expect(classes.size).toBe(0);
    expect(classes.index(2 ** 52)).toBe(0);
  });
});
