/** The person-course family: one row per enrollment, and per learner and day. */
import type { ReportDefinition } from '../report.js';
import { personCourseDay } from './person-course-day.js';
import { personCourse } from './person-course.js';

export const PERSON_COURSE_DATASETS: readonly ReportDefinition[] = [personCourse, personCourseDay];
