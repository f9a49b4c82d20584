import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/core public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'EdxDataError',
      'InputError',
      'ORA_TABLES',
      'PACKAGE_TABLES',
      'StoreError',
      'UsageError',
      'classifyFile',
      'courseIdOfEvent',
      'formatCourseKey',
      'isEdxDataError',
      'parseCourseId',
      'redactSecrets',
      'redactUri',
      'tryParseCourseId',
      'walkInputs',
    ]);
  });
});
