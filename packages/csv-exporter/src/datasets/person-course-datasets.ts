/** The person-course family: one row per enrollment, and per learner and day. */
import type { ReportDefinition } from '../report.js';

export const PERSON_COURSE_DATASETS: readonly ReportDefinition[] = [];
