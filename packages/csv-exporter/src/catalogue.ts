/**
 * The report catalogue, in the order `export --list`, `docs/reports.md` and `docs/datasets.md`
 * show it. Each group file lists its reports; a report is one file under `reports/` (the
 * McGill questions) or `datasets/` (the research-standard datasets of edx2bigquery and its
 * successors, `../shared/research/anchors.md` §4a).
 */
import { ACTIVITY_DATASETS } from './datasets/activity-datasets.js';
import { CONTENT_DATASETS } from './datasets/content-datasets.js';
import { PERSON_COURSE_DATASETS } from './datasets/person-course-datasets.js';
import type { ReportDefinition } from './report.js';
import { LEARNER_REPORTS } from './reports/learner-reports.js';
import { PROBLEM_FORUM_REPORTS } from './reports/problem-forum-reports.js';
import { VIDEO_NAVIGATION_REPORTS } from './reports/video-navigation-reports.js';

/** The reports that answer the McGill scripts' questions (`docs/reports.md`). */
export const REPORTS: readonly ReportDefinition[] = [
  ...LEARNER_REPORTS,
  ...VIDEO_NAVIGATION_REPORTS,
  ...PROBLEM_FORUM_REPORTS,
];

/** The research-standard datasets (`docs/datasets.md`). */
export const DATASETS: readonly ReportDefinition[] = [
  ...PERSON_COURSE_DATASETS,
  ...ACTIVITY_DATASETS,
  ...CONTENT_DATASETS,
];

/** Every report and dataset: what `export` can write. */
export const CATALOGUE: readonly ReportDefinition[] = [...REPORTS, ...DATASETS];

/** The report of that name, or undefined. */
export function findReport(name: string): ReportDefinition | undefined {
  return CATALOGUE.find((report) => report.name === name);
}
