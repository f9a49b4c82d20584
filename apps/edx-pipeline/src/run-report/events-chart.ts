/**
 * The run report's chart: events per UTC day per course as an inline SVG line chart. Pure
 * (figures in, markup out), no script, no external reference. Built to stay readable from a
 * week of two courses to a year of fifty: the largest courses get a colour each, the others
 * are thin grey lines under one legend entry; day labels thin out as days grow.
 */
import { UsageError } from '@edx-data/core';
import { formatCount } from '../text-table.js';
import { DAY_MS, dayText, escapeHtml } from './html.js';
import type { RunEventsOnDay } from './run-report.js';

/**
 * The series colours, in order of the courses' totals: each has a contrast ratio of at least
 * 4.5:1 on white, and they are far apart from each other and from the greys of the axes.
 */
export const CHART_PALETTE: readonly string[] = [
  '#1f4e9c', // blue
  '#c0392b', // red
  '#1e7b34', // green
  '#7b3fa0', // purple
  '#a64d00', // dark orange
  '#00727d', // teal
  '#c2185b', // magenta
  '#5c6b00', // olive
  '#5d4037', // brown
  '#000000', // black
];

/** The colour of the courses beyond the palette ("others"). */
export const CHART_OTHERS_COLOUR = '#9e9e9e';

export interface EventsChartOptions {
  /** Width of the picture in pixels. @default 960 */
  readonly width?: number;
  /** Height of the plot with its axes (the legend comes below it). @default 320 */
  readonly height?: number;
  /**
   * Courses drawn in a colour of their own, the largest first (at most the palette's size);
   * the others are thin grey lines. @default 10
   */
  readonly maxCourses?: number;
}

/** The events of one course on every day of the chart (0 where none were loaded). */
export interface CourseSeries {
  readonly course: string;
  /** One count per day of {@link EventSeries.days}. */
  readonly values: readonly number[];
  readonly total: number;
}

/** The chart's figures: every UTC day from the first to the last, every course. */
export interface EventSeries {
  /** UTC day numbers (days since 1970-01-01), consecutive. */
  readonly days: readonly number[];
  /** Largest total first, then by course key. */
  readonly courses: readonly CourseSeries[];
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/u;

function dayNumber(day: string, at: number): number {
  const match = DAY.exec(day);
  const time = match === null ? Number.NaN : Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    throw new UsageError(
      'E_OPTION',
      `eventsByDay[${String(at)}].day must be a UTC day YYYY-MM-DD, got "${day}"`,
    );
  }
  return time / DAY_MS;
}

/**
 * The events of each course on every day from the first day of any course to the last (days
 * without events are 0); several entries for the same course and day are added up.
 * @throws UsageError `E_OPTION` for a day that is not `YYYY-MM-DD` or a count that is not a
 *   non-negative integer
 */
export function eventSeries(eventsByDay: readonly RunEventsOnDay[]): EventSeries {
  const byCourse = new Map<string, Map<number, number>>();
  let first = Infinity;
  let last = -Infinity;
  for (const [at, entry] of eventsByDay.entries()) {
    const day = dayNumber(entry.day, at);
    if (!Number.isSafeInteger(entry.events) || entry.events < 0) {
      throw new UsageError(
        'E_OPTION',
        `eventsByDay[${String(at)}].events must be an integer ≥ 0, got ${String(entry.events)}`,
      );
    }
    let days = byCourse.get(entry.course);
    if (days === undefined) {
      days = new Map();
      byCourse.set(entry.course, days);
    }
    days.set(day, (days.get(day) ?? 0) + entry.events);
    if (day < first) first = day;
    if (day > last) last = day;
  }
  if (byCourse.size === 0) return { days: [], courses: [] };
  const days = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const courses = [...byCourse].map(([course, counts]) => {
    const values = days.map((day) => counts.get(day) ?? 0);
    return { course, values, total: values.reduce((sum, n) => sum + n, 0) };
  });
  courses.sort((a, b) => b.total - a.total || (a.course < b.course ? -1 : 1));
  return { days, courses };
}

/** The plot's margins inside the picture (room for the axes' labels). */
export const CHART_MARGIN = { left: 64, right: 40, top: 16, bottom: 40 } as const;

/** A round step for about five ticks up to `max`: 1, 2 or 5 times a power of ten. */
function niceStep(max: number): number {
  if (max <= 5) return 1;
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / power;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * power;
}

/** Days between two day labels: the first of these that leaves room for each label. */
const LABEL_STEPS = [1, 2, 7, 14, 28, 56, 91, 182, 364, 728];

/** A coordinate with at most one decimal. */
function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

const LEGEND_ROW = 18;
const LEGEND_COLUMN = 320;
const LABEL_CHARS = 44;

function shorten(text: string): string {
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError('E_OPTION', `renderEventsChart: \`${name}\` must be a positive integer`);
  }
  return value;
}

/**
 * An inline SVG line chart of events per UTC day, one line per course: the y axis counts
 * events (round ticks with thousands separators), the x axis shows days (`YYYY-MM-DD`, one
 * label every 1, 2, 7, 14, 28, … days as room allows), and a legend under the plot names each
 * course with its total. The {@link EventsChartOptions.maxCourses} largest courses get the
 * {@link CHART_PALETTE} colours in order; the others are thin {@link CHART_OTHERS_COLOUR}
 * lines under one legend entry. Days without events for a course are 0 (see
 * {@link eventSeries}). With no events it draws a frame that says so.
 */
export function renderEventsChart(
  eventsByDay: readonly RunEventsOnDay[],
  options: EventsChartOptions = {},
): string {
  const width = positive(options.width, 'width', 960);
  const height = positive(options.height, 'height', 320);
  const maxCourses = Math.min(
    positive(options.maxCourses, 'maxCourses', CHART_PALETTE.length),
    CHART_PALETTE.length,
  );
  const { days, courses } = eventSeries(eventsByDay);
  const label = 'Events per day per course';
  if (days.length === 0) {
    return (
      `<svg class="chart" role="img" aria-label="${label}: no events" width="${String(width)}" height="48" viewBox="0 0 ${String(width)} 48">` +
      `<text x="${px(width / 2)}" y="28" text-anchor="middle" font-size="14" fill="#333">no events were loaded</text></svg>`
    );
  }
  const m = CHART_MARGIN;
  const plotWidth = width - m.left - m.right;
  const plotHeight = height - m.top - m.bottom;
  const bottom = m.top + plotHeight;
  const max = Math.max(...courses.map((c) => Math.max(...c.values)));
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const x = (i: number): number =>
    days.length === 1 ? m.left + plotWidth / 2 : m.left + (i * plotWidth) / (days.length - 1);
  const y = (n: number): number => bottom - (n / top) * plotHeight;

  const parts: string[] = [];
  // Grid and y axis.
  for (let tick = 0; tick <= top; tick += step) {
    const ty = px(y(tick));
    parts.push(
      `<line x1="${String(m.left)}" y1="${ty}" x2="${String(m.left + plotWidth)}" y2="${ty}" stroke="#e6e6e6" stroke-width="1" shape-rendering="crispEdges"/>`,
      `<text x="${String(m.left - 6)}" y="${ty}" dy="4" text-anchor="end" font-size="11" fill="#333">${formatCount(tick)}</text>`,
    );
  }
  // X axis: a tick per day while there is room, a label every `labelStep` days.
  const maxLabels = Math.max(2, Math.floor(plotWidth / 90));
  const labelStep =
    LABEL_STEPS.find((s) => Math.ceil(days.length / s) <= maxLabels) ??
    Math.ceil(days.length / maxLabels);
  const everyDay = days.length <= plotWidth / 4;
  for (let i = 0; i < days.length; i++) {
    const labelled = i % labelStep === 0;
    if (!labelled && !everyDay) continue;
    const tx = px(x(i));
    parts.push(
      `<line x1="${tx}" y1="${String(bottom)}" x2="${tx}" y2="${String(bottom + (labelled ? 5 : 3))}" stroke="#333" stroke-width="1" shape-rendering="crispEdges"/>`,
    );
    if (labelled) {
      parts.push(
        `<text x="${tx}" y="${String(bottom + 18)}" text-anchor="middle" font-size="11" fill="#333">${dayText(days[i] ?? 0)}</text>`,
      );
    }
  }
  parts.push(
    `<line x1="${String(m.left)}" y1="${String(bottom)}" x2="${String(m.left + plotWidth)}" y2="${String(bottom)}" stroke="#333" stroke-width="1" shape-rendering="crispEdges"/>`,
    `<line x1="${String(m.left)}" y1="${String(m.top)}" x2="${String(m.left)}" y2="${String(bottom)}" stroke="#333" stroke-width="1" shape-rendering="crispEdges"/>`,
  );
  // The series: others first (underneath), then the coloured ones, largest on top.
  const coloured = courses.slice(0, maxCourses);
  const others = courses.slice(maxCourses);
  const points = (values: readonly number[]): string =>
    values.map((n, i) => `${px(x(i))},${px(y(n))}`).join(' ');
  for (const series of others) {
    parts.push(
      `<polyline class="series others" fill="none" stroke="${CHART_OTHERS_COLOUR}" stroke-width="1" points="${points(series.values)}"><title>${escapeHtml(series.course)}</title></polyline>`,
    );
  }
  const dots = days.length <= 62;
  for (let s = coloured.length - 1; s >= 0; s--) {
    const series = coloured[s] as CourseSeries;
    const colour = CHART_PALETTE[s] as string;
    parts.push(
      `<polyline class="series" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" points="${points(series.values)}"><title>${escapeHtml(series.course)}</title></polyline>`,
    );
    if (dots) {
      for (const [i, n] of series.values.entries()) {
        parts.push(
          `<circle cx="${px(x(i))}" cy="${px(y(n))}" r="2.5" fill="${colour}"><title>${escapeHtml(series.course)} ${dayText(days[i] ?? 0)}: ${formatCount(n)}</title></circle>`,
        );
      }
    }
  }
  // Legend under the plot, in columns.
  const entries = coloured.map((series, s) => ({
    colour: CHART_PALETTE[s] as string,
    text: `${shorten(series.course)} (${formatCount(series.total)})`,
    title: series.course,
  }));
  if (others.length > 0) {
    const total = others.reduce((sum, series) => sum + series.total, 0);
    entries.push({
      colour: CHART_OTHERS_COLOUR,
      text: `${formatCount(others.length)} other course${others.length === 1 ? '' : 's'} (${formatCount(total)})`,
      title: others.map((series) => series.course).join(', '),
    });
  }
  const perRow = Math.max(1, Math.floor((width - m.left) / LEGEND_COLUMN));
  const rows = Math.ceil(entries.length / perRow);
  for (const [i, entry] of entries.entries()) {
    const lx = m.left + (i % perRow) * LEGEND_COLUMN;
    const ly = height + Math.floor(i / perRow) * LEGEND_ROW + 6;
    parts.push(
      `<g><title>${escapeHtml(entry.title)}</title>` +
        `<line x1="${String(lx)}" y1="${String(ly)}" x2="${String(lx + 18)}" y2="${String(ly)}" stroke="${entry.colour}" stroke-width="3"/>` +
        `<text x="${String(lx + 24)}" y="${String(ly)}" dy="4" font-size="12" fill="#222">${escapeHtml(entry.text)}</text></g>`,
    );
  }
  const total = height + rows * LEGEND_ROW + 8;
  return (
    `<svg class="chart" role="img" aria-label="${label}" width="${String(width)}" height="${String(total)}" viewBox="0 0 ${String(width)} ${String(total)}" font-family="sans-serif">` +
    `<title>${label}</title>${parts.join('')}</svg>`
  );
}
