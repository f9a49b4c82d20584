import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/core public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'COURSE_COLLECTIONS',
      'DEFAULT_MAX_LINE_BYTES',
      'EdxDataError',
      'IDENTIFIER_ROLES',
      'InputError',
      'JSON_SOURCE',
      'MASTER_TRACKING',
      'MAX_DATABASE_NAME_BYTES',
      'ORA_TABLES',
      'PACKAGE_LEDGER',
      'PACKAGE_TABLES',
      'PIPELINE_LEDGER',
      'StoreError',
      'UsageError',
      'classifyFile',
      'courseDatabaseName',
      'courseIdOfEvent',
      'formatCourseKey',
      'isEdxDataError',
      'isIdentifierRole',
      'jsonSourceOf',
      'lineBatches',
      'listZipEntries',
      'openInput',
      'parseCourseId',
      'readLines',
      'redactSecrets',
      'redactUri',
      'setJsonSource',
      'tableCollection',
      'tryParseCourseId',
      'walkInputs',
    ]);
  });
});
