/** Reports about problems, surveys, the forum, the structure and where learners come from. */
import type { ReportDefinition } from '../report.js';
import { activitiesWithLowerCompletion } from './activities-with-lower-completion.js';
import { entranceExitSurveys } from './entrance-exit-surveys.js';
import { forumPosts } from './forum-posts.js';
import { forumWordCounts } from './forum-word-counts.js';
import { problemAttempts } from './problem-attempts.js';
import { sequentialAggregation } from './sequential-aggregation.js';

export const PROBLEM_FORUM_REPORTS: readonly ReportDefinition[] = [
  problemAttempts,
  activitiesWithLowerCompletion,
  entranceExitSurveys,
  forumPosts,
  forumWordCounts,
  sequentialAggregation,
];
