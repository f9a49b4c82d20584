import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/tracking-loader public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ADDED_FIELDS',
      'REJECT_REASONS',
      'TRACKING_INDEXES',
      'TRACKING_TIMESERIES',
      'convertTrackingCollection',
      'createTrackingCollection',
      'findTrackingLogs',
      'loadTrackingLogs',
      'parseEventTime',
      'parseTrackingLine',
      'parseTrackingLog',
      'trackingLayout',
    ]);
  });

  it('lists every added field and reject reason', () => {
    expect(api.ADDED_FIELDS).toEqual([
      '_id',
      '_time',
      '_course_id',
      '_course_id_legacy',
      '_course_id_source',
      '_load_file',
      '_load_line',
      '_load_date',
      '_prefix',
      '_event_decoded',
      '_event_truncated',
      '_event_unparsed',
    ]);
    expect(api.REJECT_REASONS).toEqual(['not-object', 'not-json', 'bad-time', 'reserved-field']);
  });
});
