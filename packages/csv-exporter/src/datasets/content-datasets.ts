/** Videos, problems and the forum: per item and per learner and item. */
import type { ReportDefinition } from '../report.js';
import { courseProblem } from './course-problem.js';
import { forumPerson } from './forum-person.js';
import { personProblem } from './person-problem.js';
import { problemCheck } from './problem-check.js';
import { videoAxis } from './video-axis.js';
import { videoStatsDay } from './video-stats-day.js';
import { videoStats } from './video-stats.js';
import { videoTimeline } from './video-timeline.js';

export const CONTENT_DATASETS: readonly ReportDefinition[] = [
  videoAxis,
  videoStatsDay,
  videoStats,
  videoTimeline,
  problemCheck,
  personProblem,
  courseProblem,
  forumPerson,
];
