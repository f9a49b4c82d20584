import { describe, expect, it } from 'vitest';
import { formatCount, formatTable, plural } from './text-table.js';

describe(formatTable, () => {
  it('aligns columns two spaces apart, numbers to the right, with no trailing spaces', () => {
    const table = formatTable(
      [{ header: 'name' }, { header: 'count', align: 'right' }, { header: 'note' }],
      [
        ['a', '1', ''],
        ['longer name', '12,345', 'x'],
      ],
    );
    expect(table).toBe(
      ['name          count  note', 'a                 1', 'longer name  12,345  x'].join('\n'),
    );
  });
});

describe(formatCount, () => {
  it('groups thousands with commas', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
  });
});

describe(plural, () => {
  it('uses the singular for exactly one', () => {
    expect(plural(1, 'database')).toBe('1 database');
    expect(plural(0, 'database')).toBe('0 databases');
    expect(plural(2000, 'entry', 'entries')).toBe('2,000 entries');
  });
});
