import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/test-support public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'HAS_REALDATA',
      'MissingEnvironmentError',
      'PIPELINE_FIXTURES',
      'PIPELINE_INPUT',
      'PIPELINE_STATE_INPUT',
      'REALDATA',
      'STRICT',
      'createGpgHome',
      'createTestGpg',
      'detectFerretDb',
      'embeddedEngine',
      'environmentHas',
      'gpgProblem',
      'hasGpg',
      'hasMariaDb',
      'mariaDbProblem',
      'mongoEngine',
      'mongoTestUri',
      'noteSkip',
      'parseFlag',
      'runPrefix',
      'startMariaDb',
      'strictFrom',
      'tamperLastByte',
      'testEngines',
    ]);
  });
});
