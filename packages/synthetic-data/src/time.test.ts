import { describe, expect, it } from 'vitest';
import { isoformat, loggingTime, sqlDatetime } from './time.js';

const at = Date.UTC(2014, 4, 2, 16, 2, 25) * 1000;

describe(isoformat, () => {
  it('writes Python isoformat: fraction only when microseconds are not 0, zone unless naive', () => {
    expect(isoformat(at + 143_912)).toBe('2014-05-02T16:02:25.143912+00:00');
    expect(isoformat(at)).toBe('2014-05-02T16:02:25+00:00');
    expect(isoformat(at + 5, true)).toBe('2014-05-02T16:02:25.000005');
  });

  it('writes the SQL and logging forms', () => {
    expect(sqlDatetime(at + 1)).toBe('2014-05-02 16:02:25');
    expect(sqlDatetime(at + 1, true)).toBe('2014-05-02 16:02:25.000001');
    expect(loggingTime(at + 461_999)).toBe('2014-05-02 16:02:25,461');
  });
});
