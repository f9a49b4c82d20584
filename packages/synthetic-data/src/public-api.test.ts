import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/synthetic-data public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'GENERATED_TABLES',
      'GROUND_TRUTH_FILE',
      'QUIRKS',
      'escapeTsvField',
      'generatePackage',
      'generateTestKey',
    ]);
  });
});
