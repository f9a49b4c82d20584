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
      'chromiumProblem',
      'createGpgHome',
      'createTestGpg',
      'decodePng',
      'detectFerretDb',
      'embeddedEngine',
      'environmentHas',
      'gpgProblem',
      'hasChromium',
      'hasGpg',
      'hasMariaDb',
      'mariaDbProblem',
      'mongoEngine',
      'mongoTestUri',
      'noteSkip',
      'parseFlag',
      'runPrefix',
      'screenshot',
      'startMariaDb',
      'strictFrom',
      'tamperLastByte',
      'testEngines',
    ]);
  });
});
