/** Reports over the course's events: video watching, navigation, sessions. */
import type { ReportDefinition } from '../report.js';
import { ipToCountry } from './ip-to-country.js';
import { navigationTabsDaily } from './navigation-tabs-daily.js';
import { navigationTabs } from './navigation-tabs.js';
import { seekVideo } from './seek-video.js';
import { sessionInfo } from './session-info.js';
import { showTranscriptUsers } from './show-transcript-users.js';
import { speedChangeVideo } from './speed-change-video.js';
import { videoWatchDuration } from './video-watch-duration.js';

export const VIDEO_NAVIGATION_REPORTS: readonly ReportDefinition[] = [
  sessionInfo,
  videoWatchDuration,
  seekVideo,
  speedChangeVideo,
  showTranscriptUsers,
  navigationTabs,
  navigationTabsDaily,
  ipToCountry,
];
