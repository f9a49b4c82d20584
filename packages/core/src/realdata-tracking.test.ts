/**
 * Every tracking file of the shared real data, read the way the loaders read it (openInput +
 * readLines), each line parsed and given a course id with courseIdOfEvent. The counts per file
 * are frozen below: a change in line splitting, gzip handling, prefix stripping or course id
 * derivation shows up here as an exact diff.
 *
 * Line rules: blank lines and lines starting with `#` are skipped; anything before the first
 * `{` (a python-logging prefix) is stripped; a line that still isn't a JSON object is
 * unparsable (this includes the ELAT lines, which end with `,`).
 *
 * To regenerate the table, print it (the assertions still run, and fail until it is pasted
 * in; then check it by hand before freezing it):
 *   EDX_DUMP_REALDATA_TRACKING=1 npx vitest run --project @edx-data/core \
 *     packages/core/src/realdata-tracking.test.ts
 *
 * The table was produced by the functions under test, so some of its rows are checked here by
 * an independent route ({@link plainCount}: readFileSync, gunzipSync, split, JSON.parse, no
 * openInput/readLines/courseIdOfEvent): see CHECKED_ROWS.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { courseIdOfEvent } from './course-id.js';
import type { EventCourseIdSource } from './course-id.js';
import { openInput } from './open-input.js';
import { readLines } from './read-lines.js';
import { HAS_REALDATA, REALDATA } from '@edx-data/test-support';

interface Counts {
  /** Physical lines (readLines' count, blank and `#` lines included). */
  readonly lines: number;
  /** Blank and `#` lines. */
  readonly skipped: number;
  readonly events: number;
  readonly unparsable: number;
  /** Events per course id source (`none`: no course id). */
  readonly context: number;
  readonly event_type: number;
  readonly page: number;
  readonly login_next: number;
  readonly event: number;
  readonly none: number;
  /** Events with a course id, per the form it was written in. */
  readonly courseV1: number;
  readonly slash: number;
  readonly ccx: number;
}

type Source = EventCourseIdSource | 'none';
type Form = 'courseV1' | 'slash' | 'ccx';

/** Which files are tracking logs: `.log`, gzipped logs, and single-event/ELAT `.json` files. */
function isTrackingFile(path: string): boolean {
  if (/\.log$/.test(path)) return true;
  if (/\.gz$/.test(path)) return !/\.tar\.gz$/.test(path);
  return /\.json$/.test(path) && !path.includes('course_structure');
}

function listTrackingFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTrackingFiles(path));
    else if (entry.isFile() && isTrackingFile(path)) out.push(relative(REALDATA, path));
  }
  return out.sort();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The event payload as an object (browser events hold it as a JSON string). */
function payloadOf(event: Record<string, unknown>): Record<string, unknown> | undefined {
  const payload = event['event'];
  if (isRecord(payload)) return payload;
  if (typeof payload !== 'string') return undefined;
  try {
    const decoded: unknown = JSON.parse(payload);
    return isRecord(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** The text the course id was read from, for its written form. */
function rawIdText(event: Record<string, unknown>, source: EventCourseIdSource): string {
  const context = event['context'];
  const text = ((): unknown => {
    switch (source) {
      case 'context':
        return isRecord(context) ? context['course_id'] : undefined;
      case 'event_type':
        return event['event_type'];
      case 'page':
        return event['page'];
      case 'login_next':
        return typeof event['event'] === 'string' ? event['event'] : JSON.stringify(event['event']);
      case 'event':
        return payloadOf(event)?.['course_id'];
    }
  })();
  return typeof text === 'string' ? text : '';
}

function formOf(key: string, raw: string): Form {
  if (key.startsWith('ccx-v1:')) return 'ccx';
  return /(?:course|block|asset)-v1(?::|%3A)/i.test(raw) ? 'courseV1' : 'slash';
}

async function countFile(path: string): Promise<Counts> {
  const input = await openInput(path);
  const reader = readLines(input.stream, { file: path });
  let skipped = 0;
  let events = 0;
  let unparsable = 0;
  const sources: Record<Source, number> = {
    context: 0,
    event_type: 0,
    page: 0,
    login_next: 0,
    event: 0,
    none: 0,
  };
  const forms: Record<Form, number> = { courseV1: 0, slash: 0, ccx: 0 };
  for await (const { text } of reader) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      skipped += 1;
      continue;
    }
    const brace = trimmed.indexOf('{');
    let event: unknown;
    try {
      event = brace === -1 ? undefined : JSON.parse(trimmed.slice(brace));
    } catch {
      event = undefined;
    }
    if (!isRecord(event)) {
      unparsable += 1;
      continue;
    }
    events += 1;
    const id = courseIdOfEvent(event);
    sources[id?.source ?? 'none'] += 1;
    if (id !== null) forms[formOf(id.key, rawIdText(event, id.source))] += 1;
  }
  await input.done;
  return { lines: reader.summary.lines, skipped, events, unparsable, ...sources, ...forms };
}

/** Where the tracking files are, under REALDATA. */
const DIRS = {
  PIPE_IN: 'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures/input',
  PIPE_OUT: 'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures/output',
  ERB: 'openedx+event-routing-backends/event_routing_backends/management/commands/tests/fixtures',
  J2R: 'paepcke+json_to_relation/json_to_relation/test/data',
  ELAT: 'mvallet91+ELAT-Workbench/test',
} as const;

const COLUMNS = [
  'lines',
  'skipped',
  'events',
  'unparsable',
  'context',
  'event_type',
  'page',
  'login_next',
  'event',
  'none',
  'courseV1',
  'slash',
  'ccx',
] as const satisfies readonly (keyof Counts)[];

type Row = readonly [
  lines: number,
  skipped: number,
  events: number,
  unparsable: number,
  context: number,
  event_type: number,
  page: number,
  login_next: number,
  event: number,
  none: number,
  courseV1: number,
  slash: number,
  ccx: number,
];

/**
 * The frozen counts, one row per file:
 * [lines, skipped, events, unparsable,
 *  context, event_type, page, login_next, event, none,   (course id source)
 *  courseV1, slash, ccx]                                (course id form)
 *
 * Checked by hand (jq/python): lines, skipped, events, unparsable and context for every file
 * (an independent Python count agrees); the `.gz` (223 ids from URL event types, 7 from
 * `page`, 6,230 without a course, as no event there has a context); problem_response (303 +
 * 211 course-v1 ids from the context and from `/xblock/block-v1:…` event types, 3 slash);
 * event-routing-backends lines 3 and 11 are broken JSON after the prefix.
 * Totals: 9,321 lines, 103 skipped, 9,109 events, 109 unparsable; sources context 1,642,
 * event_type 450, page 30, login_next 0, event 1, none 6,986; forms course-v1 833,
 * slash 1,285, ccx 5.
 */
const EXPECTED: Readonly<Record<keyof typeof DIRS, Readonly<Record<string, Row>>>> = {
  PIPE_IN: {
    'active_users_tracking.log': [23, 0, 23, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0],
    'answer_dist_acceptance_tracking.log': [693, 0, 693, 0, 520, 0, 0, 0, 0, 173, 35, 485, 0],
    'enrollment_trends_tracking.log': [15, 0, 15, 0, 15, 0, 0, 0, 0, 0, 2, 13, 0],
    'event_export_tracking.log': [15, 0, 15, 0, 13, 0, 0, 0, 1, 1, 4, 7, 3],
    'lms_courseware_link_clicked_acceptance_tracking.log': [
      20, 0, 20, 0, 20, 0, 0, 0, 0, 0, 20, 0, 0,
    ],
    'load_events_acceptance_segment_20150414.log': [6, 0, 6, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0],
    'load_events_acceptance_segment_20150415.log': [6, 0, 6, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0],
    'location_by_course_tracking.log': [74, 0, 74, 0, 38, 0, 0, 0, 0, 36, 2, 36, 0],
    'module_engagement_acceptance_empty.log': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'module_engagement_acceptance_tracking_20150413.log': [
      68, 0, 68, 0, 33, 0, 0, 0, 0, 35, 6, 27, 0,
    ],
    'module_engagement_acceptance_tracking_20150416.log': [
      126, 0, 126, 0, 113, 0, 0, 0, 0, 13, 7, 106, 0,
    ],
    'obfuscation_tracking.log': [17, 0, 17, 0, 17, 0, 0, 0, 0, 0, 17, 0, 0],
    'problem_response_tracking.log': [846, 0, 846, 0, 306, 211, 0, 0, 0, 329, 514, 3, 0],
    'student_engagement_acceptance_tracking.log': [
      304, 78, 226, 0, 178, 0, 0, 0, 0, 48, 34, 144, 0,
    ],
    'student_forum_activity.log': [25, 12, 13, 0, 13, 0, 0, 0, 0, 0, 13, 0, 0],
    'tags_dist_acceptance_tracking.log': [117, 0, 117, 0, 100, 0, 0, 0, 0, 17, 100, 0, 0],
    'user_activity_tracking.log': [207, 0, 207, 0, 199, 0, 0, 0, 0, 8, 40, 159, 0],
    'video_timeline.log': [29, 11, 18, 0, 18, 0, 0, 0, 0, 0, 4, 14, 0],
  },
  PIPE_OUT: {
    'AcceptanceX_A101_T12014-events-2014-05-15.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'AcceptanceX_A101_T12014-events-2014-06-01.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'AcceptanceX_DemoX_T1_2014-events-2014-05-15.log': [4, 0, 4, 0, 4, 0, 0, 0, 0, 0, 4, 0, 0],
    'AcceptanceX_Demo_ccx_T2_2014_ccx_101-events-2014-05-27.log': [
      1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
    ],
    'AcceptanceX_Demo_ccx_T2_2014_ccx_102-events-2014-05-27.log': [
      1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
    ],
    'acceptancex-edge-events-2014-05-15.log': [5, 0, 5, 0, 5, 0, 0, 0, 0, 0, 4, 1, 0],
    'acceptancex-edx-events-2014-05-15.log': [5, 0, 5, 0, 5, 0, 0, 0, 0, 0, 4, 1, 0],
    'edX_Open_DemoX_edx_demo_course-events-2014-04-18.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edX_Open_DemoX_edx_demo_course-events-2014-05-15.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edX_Open_DemoX_edx_demo_course-events-2014-05-16.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edx-edge-events-2014-05-15.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edx-edge-events-2014-05-16.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edx-edx-events-2014-05-15.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'edx-edx-events-2014-05-16.log': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'obfuscation/events/edX_DemoX_Demo_Course-events-2015-10-01.log': [
      8, 0, 8, 0, 8, 0, 0, 0, 0, 0, 8, 0, 0,
    ],
    'obfuscation/events/edX_DemoX_Demo_Course-events-2015-10-02.log': [
      3, 0, 3, 0, 3, 0, 0, 0, 0, 0, 3, 0, 0,
    ],
    'obfuscation/events/edX_DemoX_Demo_Course-events-2015-11-03.log': [
      1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0,
    ],
    'obfuscation/events/edX_DemoX_Demo_Course-events-2015-11-26.log': [
      1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0,
    ],
  },
  ERB: {
    'tracking.log': [12, 0, 10, 2, 10, 0, 0, 0, 0, 0, 10, 0, 0],
  },
  J2R: {
    'abExpAssignUser.json': [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'abExpChildRender.json': [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'aboutTest.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'addRemoveUserGroup.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'changeEmailSettings.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'courseIdGetsProbId.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'createAccountNearCountryMiss.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'createAccountTest.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'createAccountUS.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'createAccountUnitedArabEmirates.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'createAccountZipOtherCountry.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'csvSimpleProblemCheck.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'edxHeartbeatEvent.json': [2, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0],
    'edxHeartbeatEventDownTime.json': [3, 0, 3, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0],
    'edxTrackLogSample.json': [28, 0, 28, 0, 0, 1, 0, 0, 0, 27, 0, 1, 0],
    'enrollActivated.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'enrollDeactivated.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'eventTypeWithUnicode.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'eventsWithOnlyCommonFields.json': [2, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'findDoubleLabelProblem.json': [2, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0],
    'forumEvent.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'fullScreenForAbExperimentStudent.json': [2, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0],
    'fullscreen.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'gotoPosition.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'insertForScots.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'isStudentCalibrated.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'journalistSignup.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'jsonArray.json': [6, 0, 6, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0],
    'keyErrorHRP259.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'loginAjax.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'noCourseIDInProblemCheck.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'notFullscreen.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'ocallaghan.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'openAssGetPeerSubmission.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'openAssPeerAssess.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'openAssSelfAssess.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'openAssStudentTraining.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'openAssSubmitFeedback.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'openAssUploadFile.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'pageClose.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'peerGradingShowQuestion.json': [2, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0],
    'problem.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'problemCheckFailTest.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'problemCheckInPath.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'problemCheckSparse.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemGet.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'problemGradedOneProblemNoStatus.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemGradedOneProblemWithStatus.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemGradedSeveralProblems.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'problemGradedTwoGrades.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemReset.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemSaveTest.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problemShowPath.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'problem_checkEventFldOnly.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'problem_checkSimpleCase.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'problem_checkSingleQuoteInside.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'processSeq_Goto.json': [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'quarter.json': [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    'resetProblemTest.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'saveAnswer.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'saveAnswerWithSingleQuote.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'saveGrade.json': [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'saveProblemCheck.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'seekVideo.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'seekVideoOther.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'showTranscript.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'speedChangeVideo.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'tinyEdXTrackLog.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'tracking.log-20130609.SCRUBBED.gz': [6460, 0, 6460, 0, 0, 223, 7, 0, 0, 6230, 0, 230, 0],
    'twoJSONRecords.json': [2, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0],
    'unicode.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'unicodeOutOfBound.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'unicodeOutOfRange.json': [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    'unterminatedString.json': [2, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
    'urlEscapedAnswerChoice.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    'urlEscapedAnswerChoiceLong.json': [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
  },
  ELAT: {
    'forum_records.json': [30, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'ora_records.json': [63, 0, 0, 63, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    'video_records.json': [11, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
};

function toCounts(row: Row): Counts {
  const [lines, skipped, events, unparsable, context, event_type, page, login_next, event] = row;
  const [, , , , , , , , , none, courseV1, slash, ccx] = row;
  return {
    lines,
    skipped,
    events,
    unparsable,
    context,
    event_type,
    page,
    login_next,
    event,
    none,
    courseV1,
    slash,
    ccx,
  };
}

const expectedFiles = new Map<string, Counts>(
  (Object.keys(DIRS) as (keyof typeof DIRS)[]).flatMap((dir) =>
    Object.entries(EXPECTED[dir]).map(([name, row]): [string, Counts] => [
      `${DIRS[dir]}/${name}`,
      toCounts(row),
    ]),
  ),
);

/**
 * The counts a course id from `context.course_id` alone gives, read the plainest way: the
 * whole file in memory, gunzipped with gunzipSync, split on newlines, the same line rules,
 * and the form told by the id's prefix. Sources other than the context are not counted.
 */
function plainCount(path: string): Pick<
  Counts,
  'lines' | 'skipped' | 'events' | 'unparsable' | 'context'
> & {
  readonly forms: { courseV1: number; slash: number; ccx: number };
} {
  const raw = readFileSync(path);
  const lines = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  let skipped = 0;
  let events = 0;
  let unparsable = 0;
  let context = 0;
  const forms = { courseV1: 0, slash: 0, ccx: 0 };
  for (const line of lines) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) {
      skipped += 1;
      continue;
    }
    let event: unknown;
    try {
      event = JSON.parse(text.slice(text.indexOf('{')));
    } catch {
      event = undefined;
    }
    if (!isRecord(event) || !text.includes('{')) {
      unparsable += 1;
      continue;
    }
    events += 1;
    const id = isRecord(event['context']) ? event['context']['course_id'] : undefined;
    if (typeof id !== 'string' || id === '') continue;
    context += 1;
    if (id.startsWith('ccx-v1:')) forms.ccx += 1;
    else if (id.startsWith('course-v1:')) forms.courseV1 += 1;
    else forms.slash += 1;
  }
  return { lines: lines.length, skipped, events, unparsable, context, forms };
}

/**
 * Rows of EXPECTED checked by {@link plainCount}. `all`: every id of the file comes from the
 * context (its other source columns are 0), so `none` and the form columns are checked too;
 * `lines`: only lines, skipped, events, unparsable and context.
 * Chosen to cover: skipped blank lines (student_engagement), a CCX id (ccx_101), broken JSON
 * after a prefix (event-routing-backends), the gzipped file, and a file of unparsable lines
 * (ELAT). The .gz's event_type (223) and page (7) columns were counted by hand (jq) only.
 */
const CHECKED_ROWS: readonly (readonly [keyof typeof DIRS, string, 'all' | 'lines'])[] = [
  ['PIPE_IN', 'answer_dist_acceptance_tracking.log', 'all'],
  ['PIPE_IN', 'student_engagement_acceptance_tracking.log', 'all'],
  ['PIPE_OUT', 'AcceptanceX_Demo_ccx_T2_2014_ccx_101-events-2014-05-27.log', 'all'],
  ['ERB', 'tracking.log', 'all'],
  ['J2R', 'tracking.log-20130609.SCRUBBED.gz', 'lines'],
  ['ELAT', 'forum_records.json', 'all'],
];

describe.skipIf(!HAS_REALDATA)('tracking logs of the shared real data', () => {
  it.each(CHECKED_ROWS)('the frozen row of %s/%s agrees with a plain count', (dir, name, scope) => {
    const row = EXPECTED[dir][name];
    expect(row).toBeDefined();
    const expected = toCounts(row!);
    const { forms, ...plain } = plainCount(join(REALDATA, DIRS[dir], name));
    expect(plain).toEqual({
      lines: expected.lines,
      skipped: expected.skipped,
      events: expected.events,
      unparsable: expected.unparsable,
      context: expected.context,
    });
    if (scope === 'all') {
      const others = expected.event_type + expected.page + expected.login_next + expected.event;
      expect(others).toBe(0);
      expect(expected.none).toBe(plain.events - plain.context);
      expect({ courseV1: expected.courseV1, slash: expected.slash, ccx: expected.ccx }).toEqual(
        forms,
      );
    }
  });

  it.runIf(process.env['EDX_DUMP_REALDATA_TRACKING'] !== undefined)(
    'dumps the table (the assertions below still run)',
    async () => {
      const out: string[] = [];
      const files = listTrackingFiles(REALDATA);
      for (const [alias, dir] of Object.entries(DIRS)) {
        out.push(`  ${alias}: {`);
        for (const file of files.filter((f) => f.startsWith(`${dir}/`))) {
          const counts = await countFile(join(REALDATA, file));
          const row = COLUMNS.map((c) => counts[c]).join(', ');
          out.push(`    '${file.slice(dir.length + 1)}': [${row}],`);
        }
        out.push('  },');
      }
      console.log(out.join('\n'));
    },
  );

  it('has every tracking file in the table, and nothing else', () => {
    expect(listTrackingFiles(REALDATA)).toEqual([...expectedFiles.keys()].sort());
  });

  it.each([...expectedFiles])('%s', async (file, expected) => {
    expect(await countFile(join(REALDATA, file))).toEqual(expected);
  });
});

describe.runIf(!HAS_REALDATA && process.env['CI'] !== undefined)('in CI', () => {
  it('has the shared real data', () => {
    expect.fail(`real data not found at ${REALDATA} (set EDX_REALDATA); CI must have it`);
  });
});
