import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/anonymizer public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AUDIT_FILE',
      'AnonymizationKey',
      'COURSE_SET_LEVELS',
      'CsvFileWriter',
      'DEFAULT_MAX_SUPPRESSION',
      'DisclosureControl',
      'HIERARCHY_NAMES',
      'IDENTIFIER_CLASSES',
      'LearnerDirectory',
      'MIN_KEY_BYTES',
      'PSEUDONYM_PATTERN',
      'PSEUDONYM_PREFIX',
      'Pseudonymizer',
      'RowAnonymizer',
      'SCRUB_KINDS',
      'Scrubber',
      'anonymizeFiles',
      'birthYearBand',
      'countryPlace',
      'emptyColumnCounts',
      'emptyScrubCounts',
      'fakeValues',
      'generaliseCourseSet',
      'geoIpCountryLookup',
      'ipToCountry',
      'isCountryColumn',
      'loadLearnerDirectory',
      'parseDataDictionary',
      'placeholder',
      'planColumns',
      'readCsv',
      'shiftDate',
      'valueHierarchy',
      'yearBand',
    ]);
  });
});
