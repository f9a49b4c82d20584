/** Videos, problems and the forum: per item and per learner and item. */
import type { ReportDefinition } from '../report.js';

export const CONTENT_DATASETS: readonly ReportDefinition[] = [];
