import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/core public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_MAX_LINE_BYTES',
      'EdxDataError',
      'FileTally',
      'InputError',
      'ORA_TABLES',
      'PACKAGE_TABLES',
      'RunTally',
      'StoreError',
      'UsageError',
      'classifyFile',
      'courseIdOfEvent',
      'formatCourseKey',
      'formatRunSummary',
      'isEdxDataError',
      'lineBatches',
      'listZipEntries',
      'openInput',
      'parseCourseId',
      'readLines',
      'redactSecrets',
      'redactUri',
      'tryParseCourseId',
      'walkInputs',
    ]);
  });
});
