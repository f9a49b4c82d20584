/**
 * `person_course_day`: one row per learner and UTC day with at least one event, edx2bigquery's
 * person_course_day (anchors.md §4a item 3). Each row depends on that day's events only, so an
 * export from a day on (`--from DAY`) gives the rows of the new days, equal to those of a
 * full export.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import {
  ActivityTally,
  COUNTER_COLUMNS,
  EventClassifier,
  FORUM_EVENTS_PARAMETER,
  GAP_COLUMNS,
  isActivityEvent,
} from './activity-counts.js';
import type { ForumEventsMeaning } from './activity-counts.js';
import { utcDay } from '../reports/values.js';

export const personCourseDay: TrackingReport = {
  kind: 'tracking',
  name: 'person_course_day',
  question: 'How active was each learner on each day: events, videos, problems, forum, time?',
  version: '1',
  parameters: [FORUM_EVENTS_PARAMETER],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    { name: 'course_id', type: 'string', description: 'The course, as its canonical key' },
    ...LEARNER_COLUMNS,
    { name: 'date', type: 'date', description: 'The UTC day' },
    { name: 'nevents', type: 'integer', description: 'Events of the learner that day' },
    ...COUNTER_COLUMNS,
    {
      name: 'nvideos_viewed',
      type: 'integer',
      description: 'Distinct videos with a play, pause or stop event that day',
    },
    {
      name: 'nvideos_watched_sec',
      type: 'number',
      description:
        'Sum over those videos of the greatest playback position (`currentTime`, s) reached that day',
    },
    {
      name: 'nforum_reads',
      type: 'integer',
      description: 'Threads read: `edx.forum.thread.viewed` events and thread page URLs',
    },
    {
      name: 'nforum_posts',
      type: 'integer',
      description:
        'Posts written: `edx.forum.{thread,response,comment}.created` events and legacy create/reply URLs',
    },
    {
      name: 'nproblems_answered',
      type: 'integer',
      description: 'Distinct problems of the server `problem_check` events that day',
    },
    {
      name: 'nproblems_attempted',
      type: 'integer',
      description: 'Server `problem_check` events (submissions) that day',
    },
    { name: 'first_event', type: 'datetime', description: 'Time of the first event of the day' },
    { name: 'last_event', type: 'datetime', description: 'Time of the last event of the day' },
    ...GAP_COLUMNS,
  ],
  definition: [
    'One row per (learner, UTC day) with at least one event, in `username`, then `date` order.',
    'Events, counters and gaps are those of person_course (anchors.md §4a items 2–3): course',
    'events of the window with a non-empty `username` and an `event_type` without `/xblock/`;',
    'gaps between consecutive events of the day, over 5 minutes left out. Video figures read',
    '`event.id` (url_name) and `event.currentTime` of play, pause and stop events (and their',
    '`edx.video.*` aliases); problems read `event.problem_id` of server `problem_check` events.',
    'The learner columns come from `context.user_id`, else the username. **Incremental**: a row',
    'depends only on its day’s events, so `--from DAY` (and `--to`) export exactly the rows of',
    'those days, equal to the same rows of a full export; append them to an earlier export.',
  ].join('\n'),
  changes: [
    'Follows **E2B** (`make_person_course_day.py`), which SIM repeats. Days are UTC days of the',
    'event time, not of the log file name (E2B without `--dynamic-dates` mis-dates late lines);',
    'URL counters match both course id forms; newer event names feed the legacy counters.',
    '`nforum_events` meaning is the `forum_events` parameter (`posts`, SIM’s meaning, is a',
    'person_course notion and falls back to `urls` here). Per-problem-type counts are not included.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    const meaning = (context.params['forum_events'] ?? 'urls') as ForumEventsMeaning;
    const tally = new ActivityTally(
      new EventClassifier(context.courseKey, meaning === 'posts' ? 'urls' : meaning),
    );
    let day = '';
    let username = '';
    let userId: number | null = null;
    const flush = (emit: Emit): void => {
      if (tally.nevents === 0) return;
      userId ??= tally.userId ?? context.learners.byUsername(username)?.userId ?? null;
      emit({
        course_id: context.courseKey,
        ...context.learners.columns(userId, username),
        date: day,
        nevents: tally.nevents,
        ...tally.counterColumns(),
        nvideos_viewed: tally.videos.size,
        nvideos_watched_sec: tally.videoSeconds(),
        nforum_reads: tally.forumReads,
        nforum_posts: tally.forumPosts,
        nproblems_answered: tally.problems.size,
        nproblems_attempted: tally.problemChecks,
        first_event: tally.first,
        last_event: tally.last,
        ...tally.gaps.columns(),
      });
      tally.reset();
    };
    return {
      event(event: Document, emit: Emit): void {
        if (!isActivityEvent(event)) return;
        const time = event['_time'] as Date;
        const today = utcDay(time);
        if (today !== day) {
          flush(emit);
          day = today;
        }
        username = event['username'] as string;
        tally.add(event, time, today);
        userId ??= tally.userId;
      },
      endLearner(_username: string, emit: Emit): void {
        flush(emit);
        day = '';
        userId = null;
      },
    };
  },
};
