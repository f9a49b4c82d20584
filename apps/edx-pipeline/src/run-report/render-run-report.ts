/**
 * The run report as one self-contained HTML page: inline CSS, an inline SVG chart, no
 * script and no reference to anything outside the page except the relative links to the
 * report files the run wrote. Every figure is defined in docs/run-report.md.
 */
import { writeFile } from 'node:fs/promises';
import { eventSeries, renderEventsChart } from './events-chart.js';
import type { EventsChartOptions } from './events-chart.js';
import { formatCount } from '../text-table.js';
import { dayText, escapeHtml, formatDuration, formatSeconds } from './html.js';
import type { RunReport } from './run-report.js';

const STYLE = `
body { font-family: system-ui, sans-serif; color: #222; background: #fff; margin: 24px; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0 0 12px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
tr.failed td, tr.refused td { background: #fdecea; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
.warnings li { color: #8a1c12; }
.empty { color: #555; font-style: italic; }
.scroll { overflow-x: auto; max-width: 100%; }
svg.chart { max-width: 100%; height: auto; }
details summary { cursor: pointer; margin: 6px 0; }
`;

/** A table row: cells already escaped, and a class (a status, `total`). */
interface Row {
  readonly cells: readonly string[];
  readonly className?: string;
}

/** A table: header cells (`true`: a number column, right-aligned) and rows. */
function table(head: readonly (readonly [string, boolean])[], rows: readonly Row[]): string {
  const th = head
    .map(([text, numeric]) => `<th${numeric ? ' class="n"' : ''}>${escapeHtml(text)}</th>`)
    .join('');
  const body = rows
    .map((row) => {
      const tds = row.cells
        .map((cell, i) => `<td${head[i]?.[1] === true ? ' class="n"' : ''}>${cell}</td>`)
        .join('');
      const cls = row.className === undefined ? '' : ` class="${escapeHtml(row.className)}"`;
      return `<tr${cls}>${tds}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function empty(text: string): string {
  return `<p class="empty">${escapeHtml(text)}</p>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A relative link to a report file: each path segment percent-encoded, so it stays relative. */
function fileLink(file: string): string {
  const href = file
    .replace(/\\/gu, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `<a href="${escapeHtml(href)}">${escapeHtml(file)}</a>`;
}

function summary(report: RunReport): string {
  const items: [string, string][] = [
    ['Started', report.started.toISOString()],
    ['Finished', report.finished.toISOString()],
    ['Duration', formatDuration(report.finished.getTime() - report.started.getTime())],
    ['Store', `${report.store.engine}: ${report.store.location}`],
  ];
  const dl = items
    .map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const warnings =
    report.warnings.length === 0
      ? '<p>Warnings: none.</p>'
      : `<p>Warnings:</p><ul class="warnings">${report.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`;
  return `<section id="summary"><h1>${escapeHtml(report.title)}</h1>\n<dl>${dl}</dl>\n${warnings}\n</section>`;
}

function events(report: RunReport, chart: EventsChartOptions): string {
  const { days, courses } = eventSeries(report.eventsByDay);
  if (days.length === 0)
    return section('events', 'Events per day per course', empty('no events were loaded'));
  const head: [string, boolean][] = [
    ['Day (UTC)', false],
    ...courses.map((c): [string, boolean] => [c.course, true]),
    ['All courses', true],
  ];
  const rows: Row[] = days.map((day, i) => {
    const values = courses.map((c) => c.values[i] ?? 0);
    return {
      cells: [
        dayText(day),
        ...values.map(formatCount),
        formatCount(values.reduce((a, b) => a + b, 0)),
      ],
    };
  });
  const totals = courses.map((c) => c.total);
  rows.push({
    className: 'total',
    cells: ['Total', ...totals.map(formatCount), formatCount(totals.reduce((a, b) => a + b, 0))],
  });
  const small = days.length <= 31 && courses.length <= 12;
  const numbers =
    `<details${small ? ' open' : ''}><summary>The numbers: ${formatCount(days.length)} day${days.length === 1 ? '' : 's'} × ${formatCount(courses.length)} course${courses.length === 1 ? '' : 's'}</summary>\n` +
    table(head, rows) +
    '</details>';
  return section(
    'events',
    'Events per day per course',
    `${renderEventsChart(report.eventsByDay, chart)}\n${numbers}`,
  );
}

function files(report: RunReport): string {
  if (report.files.length === 0) return section('files', 'Files', empty('no input file was read'));
  const byStatus = new Map<string, number>();
  for (const file of report.files) byStatus.set(file.status, (byStatus.get(file.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, n]) => `${formatCount(n)} ${status}`).join(', ');
  const rows: Row[] = report.files.map((file) => ({
    className: file.status,
    cells: [
      escapeHtml(file.stage),
      escapeHtml(file.file),
      escapeHtml(file.status),
      formatCount(file.records),
      formatCount(file.rejected),
      escapeHtml(file.reason ?? ''),
    ],
  }));
  rows.push({
    className: 'total',
    cells: [
      'Total',
      '',
      escapeHtml(counts),
      formatCount(report.files.reduce((sum, f) => sum + f.records, 0)),
      formatCount(report.files.reduce((sum, f) => sum + f.rejected, 0)),
      '',
    ],
  });
  const head: [string, boolean][] = [
    ['Stage', false],
    ['File', false],
    ['Status', false],
    ['Records', true],
    ['Rejected', true],
    ['Reason', false],
  ];
  return section('files', 'Files', `<p>${escapeHtml(counts)}.</p>\n${table(head, rows)}`);
}

function rejects(report: RunReport): string {
  if (report.rejects.length === 0)
    return section('rejects', 'Rejects by reason', empty('no record was rejected'));
  const rows: Row[] = report.rejects.map((r) => ({
    cells: [escapeHtml(r.collection), escapeHtml(r.reason), formatCount(r.count)],
  }));
  rows.push({
    className: 'total',
    cells: ['Total', '', formatCount(report.rejects.reduce((sum, r) => sum + r.count, 0))],
  });
  return section(
    'rejects',
    'Rejects by reason',
    table(
      [
        ['Kept in', false],
        ['Reason', false],
        ['Records', true],
      ],
      rows,
    ),
  );
}

function collections(report: RunReport): string {
  if (report.collections.length === 0)
    return section('collections', 'Rows per collection', empty('the store holds no collection'));
  const rows = report.collections.map((c) => ({
    cells: [escapeHtml(c.database), escapeHtml(c.collection), formatCount(c.documents)],
  }));
  return section(
    'collections',
    'Rows per collection',
    table(
      [
        ['Database', false],
        ['Collection', false],
        ['Documents', true],
      ],
      rows,
    ),
  );
}

function reports(report: RunReport): string {
  if (report.reports.length === 0)
    return section('reports', 'Report files', empty('no report file was written'));
  const rows = report.reports.map((r) => ({
    cells: [
      escapeHtml(r.course),
      escapeHtml(r.report),
      fileLink(r.file),
      formatCount(r.rows),
      r.anonymised ? 'yes' : 'no',
    ],
  }));
  return section(
    'reports',
    'Report files',
    table(
      [
        ['Course', false],
        ['Report', false],
        ['File', false],
        ['Rows', true],
        ['Anonymised', false],
      ],
      rows,
    ),
  );
}

function stages(report: RunReport): string {
  if (report.stages.length === 0) return section('stages', 'Stages', empty('no stage ran'));
  const rows: Row[] = report.stages.map((s) => ({
    className: s.status,
    cells: [
      escapeHtml(s.name),
      escapeHtml(s.subject),
      escapeHtml(s.status),
      escapeHtml(s.detail),
      formatSeconds(s.seconds),
    ],
  }));
  rows.push({
    className: 'total',
    cells: [
      'Total',
      '',
      '',
      '',
      formatSeconds(report.stages.reduce((sum, s) => sum + s.seconds, 0)),
    ],
  });
  return section(
    'stages',
    'Stages',
    table(
      [
        ['Stage', false],
        ['Subject', false],
        ['Status', false],
        ['Detail', false],
        ['Seconds', true],
      ],
      rows,
    ),
  );
}

/**
 * The run report as one HTML page, sections in this order: summary (title, start and end in
 * ISO UTC, duration, store, warnings), events per day per course (chart and table), files,
 * rejects by reason, rows per collection, report files, stages. Every text is escaped and
 * every count has thousands separators; an empty section says so. Pure.
 */
export function renderRunReport(report: RunReport, chart: EventsChartOptions = {}): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}: run report</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    summary(report),
    events(report, chart),
    files(report),
    rejects(report),
    collections(report),
    reports(report),
    stages(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Write {@link renderRunReport}'s page to `path` (its folder must exist). */
export async function writeRunReport(path: string, report: RunReport): Promise<void> {
  await writeFile(path, renderRunReport(report), 'utf8');
}
