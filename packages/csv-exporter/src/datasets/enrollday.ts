/** `enrollday`: enrollments and unenrollments per UTC day and mode, from the enrollment events. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, TrackingReducer, TrackingReport } from '../report.js';
import { dayNumber, dayText, enrollmentEventOf } from './activity-shared.js';

interface DayCounts {
  readonly day: number;
  readonly mode: string;
  registered: number;
  unregistered: number;
}

export const enrollday: TrackingReport = {
  kind: 'tracking',
  name: 'enrollday',
  question: 'How many learners enrolled and unenrolled each day, in each mode?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    { name: 'date', type: 'date', description: 'The UTC day' },
    { name: 'mode', type: 'string', description: 'The enrollment mode (`event.mode`)' },
    {
      name: 'registered',
      type: 'integer',
      description: '`edx.course.enrollment.activated` events that day in that mode',
    },
    {
      name: 'unregistered',
      type: 'integer',
      description: '`edx.course.enrollment.deactivated` events that day in that mode',
    },
    { name: 'net', type: 'integer', description: 'registered − unregistered' },
    {
      name: 'cumulative_net',
      type: 'integer',
      description: 'The sum of `net` of that mode over this day and every earlier row',
    },
  ],
  definition: [
    'From the enrollment events of the export window, as `enrollment_events` reads them',
    '(anchors.md §4a item 11; every sender, the `username` may be staff or empty). One row per',
    'UTC day of the event `time` and `mode` (`event.mode`; empty when missing) with at least one',
    'activation or deactivation: `registered` counts the `edx.course.enrollment.activated`',
    'events, `unregistered` the `edx.course.enrollment.deactivated` events (every event: a',
    'repeated activation, flagged in `enrollment_events`, counts again), `net` their difference',
    'and `cumulative_net` the running sum of `net` of that mode from the first day of the',
    'window. Mode changes (`edx.course.enrollment.mode_changed`) are not counted. Rows are in',
    '`date`, then `mode` order. The enrollment table is not read: enrollments before the',
    'window, or without an event, are not counted.',
  ].join('\n'),
  changes: [
    'After E2B `enrollday_all` (daily registrations and unregistrations from the enrollment',
    'events), one row per mode instead of one column per mode, so that the columns do not depend',
    'on the modes a course has. EAP counts from its validated enrollment history; SIM has no',
    'daily enrollment table. The enrollment table’s `created` day is not mixed in (use',
    '`person_course` for that): the counts are the events only.',
  ].join('\n'),
  start(): TrackingReducer {
    let counts = new Map<string, DayCounts>();
    return {
      event(event: Document): void {
        const e = enrollmentEventOf(event);
        if (e === null) return;
        const activated = e.type === 'edx.course.enrollment.activated';
        if (!activated && e.type !== 'edx.course.enrollment.deactivated') return;
        const day = dayNumber(e.time);
        const mode = e.mode ?? '';
        const key = `${String(day)}\u0000${mode}`;
        let found = counts.get(key);
        if (found === undefined) {
          found = { day, mode, registered: 0, unregistered: 0 };
          counts.set(key, found);
        }
        if (activated) found.registered += 1;
        else found.unregistered += 1;
      },
      end(emit: Emit): void {
        const rows = [...counts.values()].sort(
          (a, b) => a.day - b.day || (a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0),
        );
        const cumulative = new Map<string, number>();
        for (const r of rows) {
          const net = r.registered - r.unregistered;
          const sum = (cumulative.get(r.mode) ?? 0) + net;
          cumulative.set(r.mode, sum);
          emit({
            date: dayText(r.day),
            mode: r.mode === '' ? null : r.mode,
            registered: r.registered,
            unregistered: r.unregistered,
            net,
            cumulative_net: sum,
          });
        }
        counts = new Map();
      },
    };
  },
};
