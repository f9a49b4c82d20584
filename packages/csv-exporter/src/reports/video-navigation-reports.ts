/** Reports over the course's events: video watching, navigation, sessions. */
import type { ReportDefinition } from '../report.js';
import { sessionInfo } from './session-info.js';

export const VIDEO_NAVIGATION_REPORTS: readonly ReportDefinition[] = [sessionInfo];
