/**
 * `time_on_task` (per learner and UTC day) and `time_on_task_totals` (per learner): the time
 * between a learner's events shorter than a timeout, overall and by activity.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type {
  ColumnSpec,
  Emit,
  ParameterSpec,
  ReportContext,
  TrackingReducer,
  TrackingReport,
} from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { eventTime, eventUserId } from '../reports/values.js';
import {
  CATEGORIES,
  categoryOf,
  dayNumber,
  dayText,
  isLearnerEvent,
  positiveMinutes,
} from './activity-shared.js';

const secondsColumn = (prefix: string, which: 'short' | 'long', label: string): ColumnSpec => ({
  name: `${prefix}_seconds_${which === 'short' ? '5' : '30'}`,
  type: 'number',
  description: `${label}, gaps shorter than the ${which} timeout (\`${which}_timeout_minutes\`, default ${which === 'short' ? '5' : '30'})`,
});

/** The time columns, in order: total, then each category, each for both timeouts. */
const TIME_COLUMNS: readonly ColumnSpec[] = [
  secondsColumn('total', 'short', 'Seconds between consecutive events'),
  secondsColumn('total', 'long', 'Seconds between consecutive events'),
  ...CATEGORIES.flatMap((c) => [
    secondsColumn(c, 'short', `Seconds of ${c} time (see the category rule)`),
    secondsColumn(c, 'long', `Seconds of ${c} time (see the category rule)`),
  ]),
];

/** The parameters of both time-on-task datasets. */
const PARAMETERS: readonly ParameterSpec[] = [
  {
    name: 'short_timeout_minutes',
    type: 'number',
    description: 'The short idle timeout: gaps of this many minutes or more add nothing',
    default: 5,
  },
  {
    name: 'long_timeout_minutes',
    type: 'number',
    description: 'The long idle timeout: gaps of this many minutes or more add nothing',
    default: 30,
  },
  {
    name: 'category_rule',
    type: 'string',
    description:
      'How a gap is given to a category: `e2b` (from the previous event of the same category) or `serial` (the gap before an event goes to its category)',
    default: 'e2b',
    choices: ['e2b', 'serial'],
  },
];

/** Per-day sums, in milliseconds: [total, video, problem, forum, text] × [short, long]. */
class DaySums {
  readonly short = [0, 0, 0, 0, 0];
  readonly long = [0, 0, 0, 0, 0];
  events = 0;
  reset(): void {
    this.short.fill(0);
    this.long.fill(0);
    this.events = 0;
  }
  add(slot: number, gap: number, shortMs: number, longMs: number): void {
    if (gap < shortMs) this.short[slot] = (this.short[slot] ?? 0) + gap;
    if (gap < longMs) this.long[slot] = (this.long[slot] ?? 0) + gap;
  }
}

export const timeOnTask: TrackingReport = {
  kind: 'tracking',
  name: 'time_on_task',
  question: 'How much time did each learner spend in the course each day, overall and by activity?',
  version: '1',
  parameters: PARAMETERS,
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'date', type: 'date', description: 'The UTC day' },
    ...TIME_COLUMNS,
    { name: 'n_events', type: 'integer', description: 'The learner’s events that day' },
  ],
  definition: [
    'After edx2bigquery `make_time_on_task.py` (anchors.md §4a item 9). The events are those of',
    'the export window with a non-empty `username` and an `event_type` that does not contain',
    '`/xblock/` (anchors.md §4a conventions), each learner’s in time order (`_time`, then `_id`).',
    'One row per learner (`username`) and UTC day with at least one event.',
    '',
    '- **gap**: for each event, the time since the learner’s previous event, when both are on the',
    '  same UTC day (E2B reads one day’s log at a time: the first event of a day, and a gap over',
    '  midnight, add nothing). An event without a previous one (unpaired) adds nothing.',
    '- `total_seconds_5` / `total_seconds_30`: the sum of the gaps shorter than the short / long',
    '  timeout (`short_timeout_minutes`, default 5; `long_timeout_minutes`, default 30; a gap',
    '  equal to the timeout adds nothing). The column names keep the default minutes.',
    '- category of an event: `video` (`*_video`, `*_transcript`, `edx.video.*`), `problem`',
    '  (`problem_*`), `forum` (`edx.forum.*`, URLs containing `/discussion/`), `text`',
    '  (`textbook.*`, URLs containing `/wiki/`), else other; the first that matches, names',
    '  tested on event names only, URLs (event types starting with `/`) only for forum and text.',
    '- `<category>_seconds_5|30`, rule `e2b` (default, as E2B): for each event of category C, the',
    '  time since the learner’s previous event **of category C** on the same day (events of other',
    '  categories in between are skipped), when shorter than the timeout; so a gap counts for C',
    '  when both its ends are C events, not necessarily consecutive ones.',
    '- rule `serial`: the gap of each event (the one `total` uses) goes to the category of that',
    '  (later) event; the categories then add up to at most the total, other events taking the rest.',
    '- `n_events`: the learner’s events that day.',
    '',
    'Seconds are exact to the millisecond. Rows are in `username`, then `date` order.',
  ].join('\n'),
  changes: [
    'Follows E2B `time_on_task` (SIM has no time on task; ELAT and EAP measure sessions): the same',
    'two timeouts, categories and per-category pairing (rule `e2b`, the default); the "serial"',
    'variant of anchors.md §4a (the gap goes to the category of the later event) is',
    '`category_rule=serial`. Differences from E2B: a row is written for every day with an event',
    '(E2B leaves out days with a single event and writes null instead of 0); `edx.video.*` events',
    'count as video and any `/discussion/` URL as forum (E2B: `/discussion/forum` only); the video',
    'and problem patterns are not tested on URLs; days are UTC days of the event time, not of the',
    'log file.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    return timeOnTaskReducer(context, false);
  },
};

/**
 * The reducer of `time_on_task` (`perLearner` false: a row per learner and day) and of
 * `time_on_task_totals` (true: the same sums, a row per learner).
 */
function timeOnTaskReducer(context: ReportContext, perLearner: boolean): TrackingReducer {
  const shortMs = positiveMinutes(context, 'short_timeout_minutes', 5) * 60_000;
  const longMs = positiveMinutes(context, 'long_timeout_minutes', 30) * 60_000;
  const serial = context.params['category_rule'] === 'serial';
  const sums = new DaySums();
  const lastOfCategory = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  let day = Number.NaN;
  let days = 0;
  let last = Number.NaN;
  let userId: number | null = null;
  let username = '';

  /** Write the sums so far (a day's, or the learner's) and start again. */
  const write = (emit: Emit): void => {
    if (sums.events === 0) return;
    const row: Record<string, unknown> = {
      ...context.learners.columns(userId, username),
      ...(perLearner ? {} : { date: dayText(day) }),
    };
    for (let slot = 0; slot < 5; slot++) {
      const prefix = slot === 0 ? 'total' : (CATEGORIES[slot - 1] ?? '');
      row[`${prefix}_seconds_5`] = (sums.short[slot] ?? 0) / 1000;
      row[`${prefix}_seconds_30`] = (sums.long[slot] ?? 0) / 1000;
    }
    row['n_events'] = sums.events;
    if (perLearner) row['n_days'] = days;
    emit(row);
    sums.reset();
  };

  return {
    event(event: Document, emit: Emit): void {
      if (!isLearnerEvent(event)) return;
      const time = eventTime(event);
      if (time === null) return;
      const ms = time.getTime();
      const today = dayNumber(ms);
      if (today !== day) {
        if (!perLearner) write(emit);
        day = today;
        days += 1;
        last = Number.NaN;
        lastOfCategory.fill(Number.NaN);
      }
      username = event['username'] as string;
      userId ??= eventUserId(event);
      sums.events += 1;
      const category = categoryOf(event['event_type'] as string);
      if (!Number.isNaN(last)) {
        const gap = ms - last;
        sums.add(0, gap, shortMs, longMs);
        if (serial && category >= 0) sums.add(category + 1, gap, shortMs, longMs);
      }
      if (!serial && category >= 0) {
        const previous = lastOfCategory[category] ?? Number.NaN;
        if (!Number.isNaN(previous)) sums.add(category + 1, ms - previous, shortMs, longMs);
        lastOfCategory[category] = ms;
      }
      last = ms;
    },
    endLearner(_username: string, emit: Emit): void {
      write(emit);
      day = Number.NaN;
      days = 0;
      last = Number.NaN;
      lastOfCategory.fill(Number.NaN);
      userId = null;
      username = '';
    },
  };
}

export const timeOnTaskTotals: TrackingReport = {
  kind: 'tracking',
  name: 'time_on_task_totals',
  question: 'How much time did each learner spend in the course in all, overall and by activity?',
  version: '1',
  parameters: PARAMETERS,
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    ...TIME_COLUMNS,
    { name: 'n_events', type: 'integer', description: 'The learner’s events' },
    { name: 'n_days', type: 'integer', description: 'UTC days with an event of the learner' },
  ],
  definition: [
    'The rows of `time_on_task` (same events, parameters and rules) summed per learner: one row',
    'per learner (`username`) with at least one event in the window, every seconds column and',
    '`n_events` the sum over the learner’s days, `n_days` the number of those days. Gaps over',
    'midnight still add nothing. Rows are in `username` order.',
  ].join('\n'),
  changes: [
    'E2B `time_on_task_totals` (the sum of `time_on_task` per learner), with `n_events` and',
    '`n_days` added; zero instead of null where nothing was counted.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    return timeOnTaskReducer(context, true);
  },
};
