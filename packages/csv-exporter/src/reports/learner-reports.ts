/** Reports about learners: who they are, when they came, what they did first and last. */
import type { ReportDefinition } from '../report.js';
import { chaptersAccessedPerUser } from './chapters-accessed-per-user.js';
import { courseCompleters } from './course-completers.js';
import { courseStats } from './course-stats.js';
import { dateOfRegistration } from './date-of-registration.js';
import { firstActivity } from './first-activity.js';
import { lastEventByUser } from './last-event-by-user.js';
import { studentsNeverAccessed } from './students-never-accessed.js';
import { userInfo } from './user-info.js';

export const LEARNER_REPORTS: readonly ReportDefinition[] = [
  userInfo,
  courseCompleters,
  dateOfRegistration,
  courseStats,
  studentsNeverAccessed,
  firstActivity,
  lastEventByUser,
  chaptersAccessedPerUser,
];
