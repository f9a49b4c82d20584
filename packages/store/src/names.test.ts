import { describe, expect, it } from 'vitest';
import { UsageError } from '@edx-data/core';
import { courseDatabaseName, validateCollectionName, validateDatabaseName } from './names.js';

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

describe(courseDatabaseName, () => {
  it('names a course database after its key, for every course id form', () => {
    expect(courseDatabaseName('course-v1:McGillX+ATOC185x+2T2014')).toBe('McGillX_ATOC185x_2T2014');
    expect(courseDatabaseName('McGillX/ATOC185x/2T2014')).toBe('McGillX_ATOC185x_2T2014');
    expect(courseDatabaseName('MITx/6.00.1x/1T2014')).toBe('MITx_6_00_1x_1T2014');
    expect(courseDatabaseName('ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101')).toBe(
      'AcceptanceX_Demo_ccx_T2_2014_ccx_101',
    );
  });

  it('cuts long names to 63 bytes with a stable hash suffix that tells them apart', () => {
    const a = courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run1`);
    const b = courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run2`);
    expect(a).toHaveLength(63);
    expect(a).toMatch(/^Org_x+_[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run1`)).toBe(a);
    expect(() => validateDatabaseName(a)).not.toThrow();
  });

  it('rejects an empty course id', () => {
    expect(() => courseDatabaseName('  ')).toThrow(UsageError);
  });
});
