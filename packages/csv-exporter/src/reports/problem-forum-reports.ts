/** Reports about problems, surveys, the forum, the structure and where learners come from. */
import type { ReportDefinition } from '../report.js';

export const PROBLEM_FORUM_REPORTS: readonly ReportDefinition[] = [];
