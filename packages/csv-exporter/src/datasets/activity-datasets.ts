/** Time and sessions: time on task, sessions, enrollment events and daily enrollment counts, the course report. */
import type { ReportDefinition } from '../report.js';

export const ACTIVITY_DATASETS: readonly ReportDefinition[] = [];
