import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  MAX_DATABASE_NAME_BYTES,
  PACKAGE_LEDGER,
  PIPELINE_LEDGER,
  tableCollection,
} from './layout.js';

describe(courseDatabaseName, () => {
  it('names a course database after its key, for every course id form', () => {
    expect(courseDatabaseName('course-v1:McGillX+ATOC185x+2T2014')).toBe('McGillX_ATOC185x_2T2014');
    expect(courseDatabaseName('McGillX/ATOC185x/2T2014')).toBe('McGillX_ATOC185x_2T2014');
    expect(courseDatabaseName(' McGillX/ATOC185x/2T2014 ')).toBe('McGillX_ATOC185x_2T2014');
    expect(courseDatabaseName('/courses/McGillX/ATOC185x/2T2014/courseware')).toBe(
      'McGillX_ATOC185x_2T2014',
    );
    expect(courseDatabaseName('MITx/6.00.1x/1T2014')).toBe('MITx_6_00_1x_1T2014');
    expect(courseDatabaseName('ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101')).toBe(
      'AcceptanceX_Demo_ccx_T2_2014_ccx_101',
    );
  });

  it('cuts long names to 63 bytes with a stable hash suffix that tells them apart', () => {
    const a = courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run1`);
    const b = courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run2`);
    expect(a).toHaveLength(MAX_DATABASE_NAME_BYTES);
    expect(a).toMatch(/^Org_x+_[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run1`)).toBe(a);
    // the same course written in the slash form gets the same (cut) name
    expect(courseDatabaseName(`Org/${'x'.repeat(80)}/run1`)).toBe(a);
  });

  it('keeps the names of earlier versions: the hash is of "Org+Course+Run"', () => {
    // sha256('Org+' + 'x'*80 + '+run1'), first 8 hex digits, computed with `sha256sum`
    const name = courseDatabaseName(`course-v1:Org+${'x'.repeat(80)}+run1`);
    expect(name.slice(-8)).toBe('b7902741');
  });

  it('rejects text that is not a complete course id', () => {
    for (const bad of ['  ', 'not a course', 'i4x://Org/Course/problem/p1']) {
      expect(() => courseDatabaseName(bad)).toThrow(UsageError);
    }
  });
});

describe(tableCollection, () => {
  it('renames the four tables DESIGN.md renames and keeps every other name', () => {
    expect(tableCollection('auth_user')).toBe('user');
    expect(tableCollection('auth_userprofile')).toBe('userprofile');
    expect(tableCollection('certificates_generatedcertificate')).toBe('certificates');
    expect(tableCollection('student_courseenrollment')).toBe('enrollment');
    expect(tableCollection('courseware_studentmodule')).toBe('courseware_studentmodule');
    expect(tableCollection('wiki_article')).toBe('wiki_article');
  });
});

describe('the layout', () => {
  it('spells DESIGN.md names', () => {
    expect(MASTER_TRACKING).toMatchObject({
      database: 'tracking_logs',
      events: 'tracking',
      ledger: 'tracking_imported',
      rejects: 'tracking_rejected',
    });
    expect(COURSE_COLLECTIONS.rejects).toBe('import_rejected');
    expect(COURSE_COLLECTIONS.tracking).toBe('tracking');
  });

  it('keeps the ledgers of package files and pipeline runs in the master database', () => {
    expect(PACKAGE_LEDGER).toEqual({ database: 'tracking_logs', collection: 'package_imported' });
    expect(PIPELINE_LEDGER).toEqual({ database: 'tracking_logs', collection: 'pipeline_courses' });
  });
});
