import { describe, expect, it } from 'vitest';

const EXPECTED_EXPORTS = [
  'COURSE_AXIS_COLLECTION',
  'COURSE_STRUCTURE_COLLECTION',
  'DEFAULT_MAX_STRUCTURE_BYTES',
  'PARENT_DATA_CATEGORIES',
  'SPLICED_CATEGORIES',
  'buildCourseStructure',
  'countByCategory',
  'importCourseStructure',
  'parseUsageKey',
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
  });
});
