import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/edx-sql-parser public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_MAX_REJECTED_SHARE',
      'INVALID_CELLS_KEY',
      'INVALID_CELL_REJECT_CODE',
      'InvalidValue',
      'KNOWN_TABLES',
      'REFUSED_REJECT_CODE',
      'getTableSchema',
      'loadTable',
      'looksLikeSql',
      'parseSqlDump',
      'typeValue',
      'unescapeStudentModule',
      'unescapeTsv',
    ]);
  });
});
