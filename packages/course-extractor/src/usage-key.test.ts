import { describe, expect, it } from 'vitest';
import { parseUsageKey } from './usage-key.js';

describe(parseUsageKey, () => {
  it('reads block-v1 keys', () => {
    expect(parseUsageKey('block-v1:McGillX+ATOC185x+2T2014+type@problem+block@0a1b')).toEqual({
      blockId: '0a1b',
      category: 'problem',
      org: 'McGillX',
      course: 'ATOC185x',
      run: '2T2014',
    });
  });

  it('reads i4x keys, with the run only for the course root', () => {
    expect(parseUsageKey('i4x://McGillX/CHEM181x/video/03e1')).toEqual({
      blockId: '03e1',
      category: 'video',
      org: 'McGillX',
      course: 'CHEM181x',
      run: undefined,
    });
    expect(parseUsageKey('i4x://McGillX/CHEM181x/course/1T2014').run).toBe('1T2014');
  });

  it('keeps the last segment of anything else', () => {
    expect(parseUsageKey('x:chapter+block@abc').blockId).toBe('abc');
    expect(parseUsageKey('plain').blockId).toBe('plain');
    expect(parseUsageKey('plain').category).toBeUndefined();
  });
});
