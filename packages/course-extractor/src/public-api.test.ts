import { describe, expect, it } from 'vitest';

const EXPECTED_EXPORTS = [
  'COURSE_AXIS_COLLECTION',
  'COURSE_STRUCTURE_COLLECTION',
  'COURSE_TRACKING_INDEXES',
  'DEFAULT_MAX_STRUCTURE_BYTES',
  'MASTER_TRACKING_DATABASE',
  'PARENT_DATA_CATEGORIES',
  'PROBLEM_IDS_COLLECTION',
  'SPLICED_CATEGORIES',
  'TRACKING_COLLECTION',
  'USER_ID_MAP_COLLECTION',
  'buildCourseStructure',
  'buildProblemIds',
  'countByCategory',
  'courseTrackingFilter',
  'dayRange',
  'enrichEvent',
  'extractCourseTracking',
  'importCourseStructure',
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

  it('names the collections and the spliced categories', async () => {
    const api = await import('./index.js');
    expect(api.COURSE_STRUCTURE_COLLECTION).toBe('course_structure');
    expect(api.COURSE_AXIS_COLLECTION).toBe('course_axis');
    expect(api.SPLICED_CATEGORIES).toEqual(['conditional', 'wrapper']);
    expect(api.DEFAULT_MAX_STRUCTURE_BYTES).toBe(500 * 1024 * 1024);
    expect(api.MASTER_TRACKING_DATABASE).toBe('tracking_logs');
    expect(api.TRACKING_COLLECTION).toBe('tracking');
    expect(api.PROBLEM_IDS_COLLECTION).toBe('problem_ids');
    expect(api.USER_ID_MAP_COLLECTION).toBe('user_id_map');
  });
});
