import { join } from 'node:path';
import { PIPELINE_STATE_INPUT } from '@edx-data/test-support';

/** The edx-analytics-pipeline acceptance fixture (one chapter whose child is missing). */
export const DEMO_STRUCTURE = join(
  PIPELINE_STATE_INPUT,
  'edX-DemoX-Demo_Course-course_structure-acceptance.json',
);
