import { describe, expect, it } from 'vitest';
import { UsageError } from '@edx-data/core';
import { validateCollectionName, validateDatabaseName } from './names.js';

describe(validateDatabaseName, () => {
  it('accepts what MongoDB accepts', () => {
    expect(validateDatabaseName('McGillX_ATOC185x_2T2014')).toBe('McGillX_ATOC185x_2T2014');
    expect(validateDatabaseName('tracking_logs')).toBe('tracking_logs');
    expect(validateDatabaseName('a'.repeat(63))).toHaveLength(63);
  });

  it.each([
    'a/b',
    'a\\b',
    'a.b',
    'a b',
    'a"b',
    'a$b',
    'a*b',
    'a<b',
    'a>b',
    'a:b',
    'a|b',
    'a?b',
    'a\0b',
    '',
  ])('rejects %j with a UsageError E_DATABASE_NAME', (name) => {
    expect(() => validateDatabaseName(name)).toThrow(UsageError);
    expect(() => validateDatabaseName(name)).toThrow(/invalid database name/);
  });

  it('counts bytes, not characters', () => {
    expect(() => validateDatabaseName('é'.repeat(32))).toThrow(/64 bytes long, at most 63/);
  });
});

describe(validateCollectionName, () => {
  it('rejects $, NUL, empty and system. names', () => {
    expect(validateCollectionName('tracking')).toBe('tracking');
    for (const bad of ['', 'a$b', 'a\0', 'system.users'])
      expect(() => validateCollectionName(bad)).toThrow(UsageError);
  });
});
