/** Time and sessions: time on task, sessions, enrollment events and daily enrollment counts, the course report. */
import type { ReportDefinition } from '../report.js';
import { courseReport } from './course-report.js';
import { enrollday } from './enrollday.js';
import { enrollmentEvents } from './enrollment-events.js';
import { sessions } from './sessions.js';
import { timeOnTask, timeOnTaskTotals } from './time-on-task.js';

export const ACTIVITY_DATASETS: readonly ReportDefinition[] = [
  timeOnTask,
  timeOnTaskTotals,
  sessions,
  enrollmentEvents,
  enrollday,
  courseReport,
];
