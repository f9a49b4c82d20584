/** `navigation_tabs_daily`: visits of each tab of the course, per UTC day. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { TAB_COLUMNS, tabReaderOf } from './navigation-tabs.js';
import { eventTime, utcDay } from './values.js';
import { TAB_RULES, compareTabs, eventTypeOf } from './video-shared.js';

interface DayCount {
  events: number;
  learners: number;
  anonymousEvents: number;
}

export const navigationTabsDaily: TrackingReport = {
  kind: 'tracking',
  name: 'navigation_tabs_daily',
  question: 'How many visits did each tab of the course get each day, by how many learners?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    { name: 'date', type: 'date', description: 'The UTC day of the visits (YYYY-MM-DD)' },
    ...TAB_COLUMNS,
    {
      name: 'events',
      type: 'integer',
      description: 'Visits of the tab that day by learners (non-empty usernames)',
    },
    {
      name: 'learners',
      type: 'integer',
      description: 'Distinct learners who visited the tab that day',
    },
    {
      name: 'anonymous_events',
      type: 'integer',
      description: 'Visits of the tab that day by events without a username (not counted above)',
    },
  ],
  definition: [
    'One row per (UTC day, tab) with at least one visit among the course events of the window;',
    'the day is the UTC date of the event’s `time`.',
    '',
    TAB_RULES,
    '',
    '`events` counts the visits by learners with a non-empty username, `learners` those distinct',
    'learners, `anonymous_events` the visits without a username. Rows are in `date`, then tab',
    'order.',
  ].join('\n'),
  changes: [
    'The McGill `navigation_tabs_data_date.py` (and its `_completers` variant, which mixed another',
    'course’s completers in) used the same hard-coded ATOC185x regular expression as',
    '`navigation_tabs_data.py`, took the date by cutting the time string at `T` (the local date of',
    'the server, not UTC, for times written with an offset) and counted only events. Here the',
    'course comes from the export, the day is the UTC day, and each row also has the number of',
    'distinct learners.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const { reader, nameOf } = await tabReaderOf(context);
    const counts = new Map<string, DayCount>();
    const countOf = (key: string): DayCount => {
      let found = counts.get(key);
      if (found === undefined) {
        found = { events: 0, learners: 0, anonymousEvents: 0 };
        counts.set(key, found);
      }
      return found;
    };
    let visited = new Set<string>();
    return {
      event(event: Document): void {
        const tab = reader.tabOf(eventTypeOf(event));
        const time = eventTime(event);
        if (tab === null || time === null) return;
        const key = `${utcDay(time)} ${tab}`;
        const username = event['username'];
        if (typeof username !== 'string' || username === '') {
          countOf(key).anonymousEvents += 1;
          return;
        }
        countOf(key).events += 1;
        visited.add(key);
      },
      endLearner(): void {
        for (const key of visited) countOf(key).learners += 1;
        visited = new Set();
      },
      end(emit: Emit): void {
        const keys = [...counts.keys()].map((key) => {
          const space = key.indexOf(' ');
          return { key, date: key.slice(0, space), tab: key.slice(space + 1) };
        });
        keys.sort((a, b) =>
          a.date < b.date ? -1 : a.date > b.date ? 1 : compareTabs(a.tab, b.tab),
        );
        for (const { key, date, tab } of keys) {
          const c = countOf(key);
          emit({
            date,
            tab,
            tab_name: nameOf(tab),
            events: c.events,
            learners: c.learners,
            anonymous_events: c.anonymousEvents,
          });
        }
      },
    };
  },
};
