/** Reports about learners: who they are, when they came, what they did first and last. */
import type { ReportDefinition } from '../report.js';
import { userInfo } from './user-info.js';

export const LEARNER_REPORTS: readonly ReportDefinition[] = [userInfo];
