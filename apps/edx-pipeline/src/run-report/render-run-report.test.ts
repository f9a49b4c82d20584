/**
 * The run report's markup: the chart's points computed by hand (gaps filled with 0), escaping,
 * thousands separators, section order, empty sections, and nothing that reaches outside the
 * page.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '@edx-data/core';
import {
  CHART_OTHERS_COLOUR,
  CHART_PALETTE,
  eventSeries,
  renderEventsChart,
  renderRunReport,
} from './index.js';
import type { RunEventsOnDay, RunReport } from './index.js';

const A = 'course-v1:A+A1+2024';
const B = 'course-v1:B+B1+2024';

/** A: 4 on 03-01, nothing on 03-02, 8 on 03-03; B: 2 on 03-02 only. */
const EVENTS: RunEventsOnDay[] = [
  { course: B, day: '2024-03-02', events: 2 },
  { course: A, day: '2024-03-03', events: 8 },
  { course: A, day: '2024-03-01', events: 4 },
];

function polylines(svg: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of svg.matchAll(/<polyline[^>]*stroke="(#[0-9a-f]{6})"[^>]*points="([^"]*)"/gu)) {
    found.set(m[1] ?? '', m[2] ?? '');
  }
  return found;
}

function report(overrides: Partial<RunReport> = {}): RunReport {
  return {
    title: 'edx-pipeline demo',
    started: new Date('2024-03-05T10:00:00.000Z'),
    finished: new Date('2024-03-05T10:01:23.400Z'),
    store: { engine: 'embedded', location: '/tmp/demo/store' },
    stages: [
      {
        name: 'import',
        subject: 'course-v1:A+A1+2024',
        status: 'done',
        detail: '3 files',
        seconds: 1.25,
      },
      {
        name: 'load-tracking',
        subject: '',
        status: 'done',
        detail: '2 files loaded',
        seconds: 1234.5,
      },
    ],
    files: [
      {
        stage: 'load-tracking',
        file: 'a<&">.log.gz',
        status: 'loaded',
        records: 1234567,
        rejected: 3,
      },
      {
        stage: 'load-tracking',
        file: 'b.log.gz',
        status: 'skipped',
        records: 0,
        rejected: 0,
        reason: 'loaded before, unchanged',
      },
    ],
    eventsByDay: EVENTS,
    rejects: [{ collection: 'tracking_logs.tracking_rejected', reason: 'not-json', count: 4321 }],
    collections: [{ database: 'tracking_logs', collection: 'tracking', documents: 9876543 }],
    reports: [
      { course: A, report: 'grades', file: 'reports/a b#1.csv', rows: 1500, anonymised: false },
      {
        course: A,
        report: 'grades',
        file: 'anonymised/https://x.csv',
        rows: 1500,
        anonymised: true,
      },
    ],
    warnings: ['3 events <differ> from the ground truth'],
    ...overrides,
  };
}

describe(renderEventsChart, () => {
  it('draws one polyline per course over every day, gaps as 0, at the points computed by hand', () => {
    // Plot: x 64..448 (488 - 64 - 40 = 384 wide), y 16..176 (160 high); 3 days → x = 64, 256, 448.
    // Largest count 8 → ticks 0, 2, 4, 6, 8 → y(n) = 176 - n × 20.
    const svg = renderEventsChart(EVENTS, { width: 488, height: 216 });
    const lines = polylines(svg);
    expect(lines.get(CHART_PALETTE[0] ?? '')).toBe('64,96 256,176 448,16'); // A, the largest
    expect(lines.get(CHART_PALETTE[1] ?? '')).toBe('64,176 256,136 448,176'); // B
    expect(lines.size).toBe(2);
    for (const tick of ['0', '2', '4', '6', '8']) expect(svg).toContain(`>${tick}</text>`);
    for (const day of ['2024-03-01', '2024-03-02', '2024-03-03'])
      expect(svg).toContain(`>${day}</text>`);
    expect(svg).toContain(`${A} (12)`);
    expect(svg).toContain(`${B} (2)`);
  });

  it('fills gaps with 0 and adds up repeated entries', () => {
    const series = eventSeries([...EVENTS, { course: B, day: '2024-03-02', events: 5 }]);
    expect(series.courses).toEqual([
      { course: A, values: [4, 0, 8], total: 12 },
      { course: B, values: [0, 7, 0], total: 7 },
    ]);
    expect(series.days).toHaveLength(3);
  });

  it('escapes course keys and puts courses beyond the palette under "others"', () => {
    const many: RunEventsOnDay[] = Array.from({ length: 12 }, (_, i) => ({
      course: `c<${String(i)}>&"`,
      day: '2024-01-01',
      events: 1000 * (i + 1),
    }));
    const svg = renderEventsChart(many);
    expect(svg).not.toMatch(/c<\d/u);
    expect(svg).toContain('c&lt;11&gt;&amp;&quot; (12,000)');
    expect(svg).toContain('2 other courses (3,000)');
    expect(
      svg.match(new RegExp(`stroke="${CHART_OTHERS_COLOUR}" stroke-width="1"`, 'gu')),
    ).toHaveLength(2);
  });

  it('rejects a day that is not YYYY-MM-DD, naming the entry', () => {
    expect(() => renderEventsChart([{ course: A, day: '2024-02-30', events: 1 }])).toThrow(
      UsageError,
    );
    expect(() => renderEventsChart([{ course: A, day: '2024-3-1', events: 1 }])).toThrow(
      'eventsByDay[0].day must be a UTC day YYYY-MM-DD, got "2024-3-1"',
    );
  });

  it('is fast for a week of 2 courses and for a year of 50', () => {
    const year: RunEventsOnDay[] = [];
    for (let c = 0; c < 50; c++) {
      for (let d = 0; d < 365; d++) {
        const day = new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        year.push({
          course: `course-v1:Org+C${String(c)}+2024`,
          day,
          events: (c * 37 + d * 11) % 500,
        });
      }
    }
    const week = year.filter((e) => e.day < '2024-01-08' && /\+C[01]\+/u.test(e.course));
    expect(week).toHaveLength(14);
    const time = (events: RunEventsOnDay[]): { ms: number; svg: string } => {
      const start = performance.now();
      const svg = renderEventsChart(events);
      return { ms: performance.now() - start, svg };
    };
    time(week); // warm-up
    const small = time(week);
    const large = time(year);
    console.log(
      `renderEventsChart: 7 days × 2 courses ${small.ms.toFixed(2)} ms (${String(small.svg.length)} chars); 365 days × 50 courses ${large.ms.toFixed(2)} ms (${String(large.svg.length)} chars)`,
    );
    expect(large.ms).toBeLessThan(500);
    // A label every 56 days: 2024-01-01 and 6 more.
    expect(large.svg.match(/>2024-\d\d-\d\d<\/text>/gu)).toHaveLength(7);
    expect(large.svg).toContain('40 other courses');
  });
});

describe(renderRunReport, () => {
  it('has the sections in order, escaped texts and counts with thousands separators', () => {
    const html = renderRunReport(report());
    const order = ['summary', 'events', 'files', 'rejects', 'collections', 'reports', 'stages'].map(
      (id) => html.indexOf(`<section id="${id}">`),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<dd>2024-03-05T10:00:00.000Z</dd>');
    expect(html).toContain('<dd>2024-03-05T10:01:23.400Z</dd>');
    expect(html).toContain('<dd>1 min 23 s</dd>');
    expect(html).toContain('<dd>embedded: /tmp/demo/store</dd>');
    expect(html).toContain('<li>3 events &lt;differ&gt; from the ground truth</li>');
    expect(html).toContain('a&lt;&amp;&quot;&gt;.log.gz');
    expect(html).not.toContain('a<&">');
    for (const n of ['1,234,567', '4,321', '9,876,543', '1,500', '1,234.5'])
      expect(html).toContain(n);
    // The table of the chart's numbers: the gap day is 0, totals per course and day.
    expect(html).toContain(
      '<tr><td>2024-03-02</td><td class="n">0</td><td class="n">2</td><td class="n">2</td></tr>',
    );
    expect(html).toContain(
      '<tr class="total"><td>Total</td><td class="n">12</td><td class="n">2</td><td class="n">14</td></tr>',
    );
    expect(html).toContain('<td>yes</td>');
    expect(html).toContain('<a href="reports/a%20b%231.csv">reports/a b#1.csv</a>');
  });

  it('reaches nothing outside the page: no script, no absolute src or href', () => {
    const html = renderRunReport(report());
    expect(html).not.toMatch(/<script/iu);
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/giu)].map((m) => m[1] ?? '');
    expect(refs).toEqual(['reports/a%20b%231.csv', 'anonymised/https%3A//x.csv']);
    expect(refs.some((ref) => /^[a-z][a-z0-9+.-]*:|^\/\//iu.test(ref))).toBe(false);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*"?https?:/iu);
  });

  it('says so for each empty section instead of drawing it', () => {
    const html = renderRunReport(
      report({
        eventsByDay: [],
        files: [],
        rejects: [],
        collections: [],
        reports: [],
        stages: [],
        warnings: [],
      }),
    );
    expect(html).not.toContain('<svg');
    for (const text of [
      'no events were loaded',
      'no input file was read',
      'no record was rejected',
      'the store holds no collection',
      'no report file was written',
      'no stage ran',
      'Warnings: none.',
    ]) {
      expect(html).toContain(text);
    }
  });
});
