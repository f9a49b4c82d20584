import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/edx-sql-parser public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'INVALID_CELLS_KEY',
      'InvalidValue',
      'KNOWN_TABLES',
      'getTableSchema',
      'looksLikeSql',
      'parseSqlDump',
      'typeValue',
      'unescapeStudentModule',
      'unescapeTsv',
    ]);
  });
});
