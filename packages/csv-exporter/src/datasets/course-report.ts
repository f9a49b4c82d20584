/** `course_report`: the course in a few counts and medians, with small cells suppressed. */
import { COURSE_COLLECTIONS, UsageError } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { completerIds } from '../reports/learner-shared.js';
import { eventTime, eventUserId, userIdOf } from '../reports/values.js';
import { dayNumber, isLearnerEvent, median } from './activity-shared.js';

/** The metrics, in row order. */
const METRICS: readonly { name: string; text: string }[] = [
  { name: 'enrolled', text: 'learners with an enrollment row (distinct `user_id`)' },
  { name: 'active', text: 'enrolled learners with at least one event in the window' },
  { name: 'certified', text: 'enrolled learners with a `downloadable` certificate' },
  { name: 'median_events', text: 'median number of events of an active learner' },
  {
    name: 'median_days_active',
    text: 'median number of UTC days with an event of an active learner',
  },
  {
    name: 'median_time_on_task_seconds',
    text: 'median of an active learner’s `total_seconds_5` of `time_on_task` summed over days',
  },
];

export const courseReport: TrackingReport = {
  kind: 'tracking',
  name: 'course_report',
  question: 'How many learners enrolled, were active and were certified, and how active were they?',
  version: '1',
  parameters: [
    {
      name: 'min_cell',
      type: 'integer',
      description:
        'Small-cell threshold: a count from 1 to min_cell − 1, and a median over fewer than min_cell learners, is written empty (0 disables)',
      default: 5,
    },
  ],
  reads: [COURSE_COLLECTIONS.enrollment, COURSE_COLLECTIONS.tracking],
  columns: [
    {
      name: 'metric',
      type: 'string',
      description: `The figure: ${METRICS.map((m) => `\`${m.name}\``).join(', ')}`,
    },
    { name: 'value', type: 'number', description: 'Its value; empty when suppressed or undefined' },
    {
      name: 'suppressed',
      type: 'boolean',
      description: 'True when the value was withheld as a small cell (see `min_cell`)',
    },
  ],
  definition: [
    'One row per metric, in this order (anchors.md §4a item 14):',
    '',
    ...METRICS.map((m) => `- \`${m.name}\`: ${m.text};`),
    '',
    'Enrolled learners are the distinct `user_id` of the enrollment table (whatever their',
    '`is_active`); certified ones those of them with a certificate row of status `downloadable`',
    '(the tables are read whole, not by the window). The events are those of the export window',
    'with a non-empty `username` and an `event_type` without `/xblock/` (anchors.md §4a',
    'conventions); a learner’s events are matched to the enrollment by the user id the learner',
    'directory gives their `username`, else their first event’s `context.user_id`. Time on task',
    'is as in `time_on_task`: the gaps between a learner’s consecutive events of the same UTC day',
    'shorter than 5 minutes. A median of an even number of learners is the mean of the two',
    'middle values; with no active learner it is empty.',
    '',
    'Small cells: with `min_cell` = k > 0, a count between 1 and k − 1 and a median over fewer',
    'than k active learners are written empty with `suppressed` true (a count of 0 is shown: it',
    'describes no one). `min_cell=0` writes every value.',
  ].join('\n'),
  changes: [
    'After E2B’s course report (nregistered, nviewed, nexplored, ncertified and medians of',
    '`nevents`, `ndays_act`, `sum_dt`); the viewed and explored counts and the demographic',
    'breakdowns live in `person_course`. The rows are (metric, value, suppressed) so that the',
    'columns do not depend on the course. Small-cell suppression is new (none of E2B, SIM or EAP',
    'has it: anchors.md §4b).',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const minCell = context.params['min_cell'] ?? 5;
    if (typeof minCell !== 'number' || !Number.isSafeInteger(minCell) || minCell < 0) {
      throw new UsageError(
        'E_OPTION',
        `min_cell: expected a whole number ≥ 0, got ${String(minCell)}`,
      );
    }
    const enrolled = new Set<number>();
    const rows = context.db
      .collection(COURSE_COLLECTIONS.enrollment)
      .find({}, { projection: { _id: 0, user_id: 1 } });
    for await (const row of rows) {
      const id = userIdOf(row['user_id']);
      if (id !== null) enrolled.add(id);
    }
    let certified = 0;
    for (const id of await completerIds(context)) if (enrolled.has(id)) certified += 1;

    const active = new Set<number>();
    const eventCounts: number[] = [];
    const dayCounts: number[] = [];
    const times: number[] = [];
    let events = 0;
    let days = 0;
    let day = Number.NaN;
    let last = Number.NaN;
    let total = 0;
    let firstUserId: number | null = null;

    return {
      event(event: Document): void {
        if (!isLearnerEvent(event)) return;
        const time = eventTime(event);
        if (time === null) return;
        const ms = time.getTime();
        const today = dayNumber(ms);
        if (today !== day) {
          day = today;
          days += 1;
        } else if (ms - last < 300_000) total += ms - last;
        last = ms;
        events += 1;
        firstUserId ??= eventUserId(event);
      },
      endLearner(username: string): void {
        const id = context.learners.byUsername(username)?.userId ?? firstUserId;
        if (events > 0 && id !== null && enrolled.has(id) && !active.has(id)) {
          active.add(id);
          eventCounts.push(events);
          dayCounts.push(days);
          times.push(total / 1000);
        }
        events = 0;
        days = 0;
        day = Number.NaN;
        last = Number.NaN;
        total = 0;
        firstUserId = null;
      },
      end(emit: Emit): void {
        const small = (n: number): boolean => minCell > 0 && n > 0 && n < minCell;
        const count = (metric: string, n: number): void => {
          emit({ metric, value: small(n) ? null : n, suppressed: small(n) });
        };
        const middle = (metric: string, values: readonly number[]): void => {
          const hidden = minCell > 0 && values.length > 0 && values.length < minCell;
          emit({ metric, value: hidden ? null : median(values), suppressed: hidden });
        };
        count('enrolled', enrolled.size);
        count('active', active.size);
        count('certified', certified);
        middle('median_events', eventCounts);
        middle('median_days_active', dayCounts);
        middle('median_time_on_task_seconds', times);
      },
    };
  },
};
