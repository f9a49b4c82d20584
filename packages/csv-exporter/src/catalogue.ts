/**
 * The report catalogue, in the order `export --list` and `docs/reports.md` show it. Each group
 * file lists its reports; a report is one file under `reports/`.
 */
import type { ReportDefinition } from './report.js';
import { LEARNER_REPORTS } from './reports/learner-reports.js';
import { PROBLEM_FORUM_REPORTS } from './reports/problem-forum-reports.js';
import { VIDEO_NAVIGATION_REPORTS } from './reports/video-navigation-reports.js';

export const CATALOGUE: readonly ReportDefinition[] = [
  ...LEARNER_REPORTS,
  ...VIDEO_NAVIGATION_REPORTS,
  ...PROBLEM_FORUM_REPORTS,
];

/** The report of that name, or undefined. */
export function findReport(name: string): ReportDefinition | undefined {
  return CATALOGUE.find((report) => report.name === name);
}
