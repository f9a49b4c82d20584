import { describe, expect, it } from 'vitest';

const EXPECTED_EXPORTS = [
  'COURSE_TRACKING_INDEXES',
  'DEFAULT_MAX_STRUCTURE_BYTES',
  'PARENT_DATA_CATEGORIES',
  'SPLICED_CATEGORIES',
  'buildCourseStructure',
  'buildProblemIds',
  'countByCategory',
  'courseTrackingFilter',
  'dayRange',
  'enrichEvent',
  'extractCourseTracking',
  'importCourseStructure',
  'importPackage',
  'indexBlocks',
  'lookupBlock',
  'lookupUrlBlock',
  'parseCourseConfig',
  'parseUsageKey',
  'problemIdDocument',
  'readCourseConfig',
  'resolveEventBlock',
  'startOfDay',
];

describe('public API', () => {
  it('exports exactly the documented names', async () => {
    const api = await import('./index.js');
    expect(Object.keys(api).sort()).toEqual([...EXPECTED_EXPORTS].sort());
  });

  it('names the spliced categories and the default size bound', async () => {
    const api = await import('./index.js');
    expect(api.SPLICED_CATEGORIES).toEqual(['conditional', 'wrapper']);
    expect(api.DEFAULT_MAX_STRUCTURE_BYTES).toBe(500 * 1024 * 1024);
  });
});
