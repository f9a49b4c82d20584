import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/store public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BulkWriteError',
      'DEFAULT_STORE_LOCATION',
      'MAX_REJECTED_RAW_BYTES',
      'ObjectId',
      'RejectWriter',
      'isTemporaryCollection',
      'openStore',
      'rejectedRecord',
      'removeLeftoverCollections',
      'replaceCollections',
      'validateCollectionName',
      'validateDatabaseName',
    ]);
  });
});
