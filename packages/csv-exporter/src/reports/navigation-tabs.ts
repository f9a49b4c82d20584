/** `navigation_tabs`: how many learners visited each tab of the course. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type {
  ColumnSpec,
  Emit,
  ReportContext,
  TrackingReducer,
  TrackingReport,
} from '../report.js';
import { TAB_RULES, TabReader, compareTabs, eventTypeOf, staticTabsOf } from './video-shared.js';

/** The columns naming a tab (shared with `navigation_tabs_daily`). */
export const TAB_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'tab',
    type: 'string',
    description: 'The tab: `course`, `info`, `courseware`, `progress`, …, or `static:<slug>`',
  },
  {
    name: 'tab_name',
    type: 'string',
    description: 'The static tab’s name from the course metadata, else the tab',
  },
];

/** Reads the tabs of a course's page visits; `nameOf` gives a tab's `tab_name`. */
export async function tabReaderOf(
  context: ReportContext,
): Promise<{ reader: TabReader; nameOf: (tab: string) => string }> {
  const statics = await staticTabsOf(context.db);
  const names = new Map(statics.map((t) => [`static:${t.slug}`, t.name ?? `static:${t.slug}`]));
  return {
    reader: new TabReader(
      context.courseKey,
      statics.map((t) => t.slug),
    ),
    nameOf: (tab: string) => names.get(tab) ?? tab,
  };
}

interface TabCount {
  learners: number;
  events: number;
  anonymousEvents: number;
}

export const navigationTabs: TrackingReport = {
  kind: 'tracking',
  name: 'navigation_tabs',
  question: 'How many learners visited each tab of the course (info, courseware, progress, …)?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...TAB_COLUMNS,
    {
      name: 'learners',
      type: 'integer',
      description: 'Distinct learners (non-empty usernames) who visited the tab',
    },
    { name: 'events', type: 'integer', description: 'Visits of the tab by those learners' },
    {
      name: 'anonymous_events',
      type: 'integer',
      description: 'Visits of the tab by events without a username (not counted above)',
    },
  ],
  definition: [
    'One row per tab visited at least once among the course events of the window.',
    '',
    TAB_RULES,
    '',
    '`learners` counts the distinct non-empty usernames with a visit of the tab; `events` their',
    'visits; visits without a username (a visitor not logged in) are counted apart in',
    '`anonymous_events`.',
  ].join('\n'),
  changes: [
    'The McGill `navigation_tabs_data.py` matched a regular expression hard-coded for one course',
    '(`McGillX/ATOC185x/2T2014`, with its four static-tab hashes named by hand), read a',
    'hard-coded collection and counted any event type *containing* `courseware` or `discussion`.',
    'Here the course id comes from the export (either form, encoded or not), static tabs are',
    'recognised by their slug and named from the course metadata when it lists them, the URL →',
    'tab rules are written above, and visits without a username are counted apart.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const { reader, nameOf } = await tabReaderOf(context);
    const counts = new Map<string, TabCount>();
    const countOf = (tab: string): TabCount => {
      let found = counts.get(tab);
      if (found === undefined) {
        found = { learners: 0, events: 0, anonymousEvents: 0 };
        counts.set(tab, found);
      }
      return found;
    };
    let visited = new Set<string>();
    return {
      event(event: Document): void {
        const tab = reader.tabOf(eventTypeOf(event));
        if (tab === null) return;
        const username = event['username'];
        if (typeof username !== 'string' || username === '') {
          countOf(tab).anonymousEvents += 1;
          return;
        }
        countOf(tab).events += 1;
        visited.add(tab);
      },
      endLearner(): void {
        for (const tab of visited) countOf(tab).learners += 1;
        visited = new Set();
      },
      end(emit: Emit): void {
        for (const tab of [...counts.keys()].sort(compareTabs)) {
          const c = countOf(tab);
          emit({
            tab,
            tab_name: nameOf(tab),
            learners: c.learners,
            events: c.events,
            anonymous_events: c.anonymousEvents,
          });
        }
      },
    };
  },
};
