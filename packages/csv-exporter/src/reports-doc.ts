/**
 * `docs/reports.md`, rendered from the catalogue itself, so that the documentation of every
 * report is its definition (a test checks that the file in the repository is up to date:
 * `UPDATE_REPORTS_DOC=1 npx vitest run --project @edx-data/csv-exporter reports-doc` rewrites it).
 */
import type { ReportDefinition } from './report.js';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function defaultText(value: string | number | boolean | readonly string[] | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'object') return value.join(',');
  return String(value);
}

/**
 * The Markdown of one report. `changesHeading` titles its `changes`: what changed from the
 * McGill script (a report), or how it compares with edx2bigquery and simeon (a dataset).
 */
export function renderReport(
  report: ReportDefinition,
  changesHeading = 'Changes from the McGill script',
): string {
  const lines = [
    `## \`${report.name}\``,
    '',
    `**${report.question}**`,
    '',
    `Version ${report.version}. ${report.kind === 'tracking' ? 'Computed in the shared pass over the course\u2019s events (in learner and time order, within `--from`/`--to`).' : 'Computed from the course database\u2019s collections.'} Reads: ${report.reads.map((r) => `\`${r}\``).join(', ')}.`,
    '',
    '### Definition',
    '',
    report.definition,
    '',
  ];
  if (report.parameters.length > 0) {
    lines.push(
      '### Parameters',
      '',
      '| name | type | default | meaning |',
      '| --- | --- | --- | --- |',
    );
    for (const p of report.parameters) {
      lines.push(
        `| \`${p.name}\` | ${p.type} | ${p.required === true ? '(required)' : cell(defaultText(p.default))} | ${cell(p.choices === undefined ? p.description : `${p.description} (one of: ${p.choices.join(', ')})`)} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '### Columns',
    '',
    '| column | type | meaning | identifier |',
    '| --- | --- | --- | --- |',
  );
  for (const c of report.columns) {
    lines.push(`| \`${c.name}\` | ${c.type} | ${cell(c.description)} | ${c.identifier ?? ''} |`);
  }
  lines.push('', `### ${changesHeading}`, '', report.changes, '');
  return lines.join('\n');
}

/** The whole of `docs/reports.md`. */
export function renderReportsDoc(catalogue: readonly ReportDefinition[]): string {
  return [
    '# Reports',
    '',
    '<!-- Generated from packages/csv-exporter/src/reports by reports-doc.ts: edit the report definitions, not this file. -->',
    '',
    'The report catalogue of `@edx-data/csv-exporter` (`edx-pipeline export`): every question the',
    'McGill scripts answered (`../shared/research/mcgillx-inventory.md` §4), answered again with',
    'its definition written down. Conventions for all reports:',
    '',
    '- A report reads one course database (`--course`); learner rows carry `user_id`, `username`',
    '  and `hash_id` in separate columns (from `user_id_map`, else `auth_user`), so that the',
    '  anonymiser can find them; the `identifier` of a column in the tables below says what it',
    '  holds.',
    '- Times are UTC and written as ISO 8601 (`2024-01-08T09:30:00.000Z`); a day is a UTC day.',
    '  `--from DAY --to DAY` keep the events of those days, both whole days included.',
    '- "Events" are the course\u2019s extracted events (`tracking` of the course database): distinct',
    '  log lines (a repeated line is one event), attributed to the course by the loader.',
    '- Nested values are written as JSON; an empty cell is a missing value (null).',
    '- Beside each `<report>.csv` an export writes `<report>.schema.json` (these columns, types,',
    '  descriptions, the definition and its version, the parameters used) and one `manifest.json`.',
    '- `export all` runs every report it can: a report that needs a parameter that was not given,',
    '  or reads a table the course’s package did not have, is skipped and listed with its reason',
    '  under `skipped` in `manifest.json` (a report named on the command line is refused instead).',
    '',
    '| report | question |',
    '| --- | --- |',
    ...catalogue.map((r) => `| [\`${r.name}\`](#${r.name}) | ${cell(r.question)} |`),
    '',
    ...catalogue.map((r) => renderReport(r)),
  ].join('\n');
}

/** The whole of `docs/datasets.md`. */
export function renderDatasetsDoc(datasets: readonly ReportDefinition[]): string {
  return [
    '# Datasets',
    '',
    '<!-- Generated from packages/csv-exporter/src/datasets by reports-doc.ts: edit the dataset definitions, not this file. -->',
    '',
    'The research-standard datasets of `@edx-data/csv-exporter` (`edx-pipeline export`): the',
    'tables that edx2bigquery (MIT, Harvard) defined and simeon carried on, that researchers',
    'publish and compare across institutions (`../shared/research/anchors.md` §4a gives the',
    'definitions with their sources). They are reports of the same catalogue: they export,',
    'document and anonymise like the others (`docs/reports.md` gives the conventions: UTC times,',
    'identifier columns, `--from`/`--to` both days included, data dictionary and manifest).',
    'Every choice is written in its definition; where edx2bigquery (E2B) and simeon (SIM)',
    'differ, the variant is a parameter and both are described.',
    '',
    'Conventions for all datasets:',
    '',
    '- An "event" is an extracted course event with a non-empty `username` whose `event_type`',
    '  does not contain `/xblock/` (E2B\u2019s filter for person_course_day: xblock handler URLs',
    '  repeat the semantic events), unless a definition says otherwise.',
    '- A day is a UTC day; "within a day" means the same UTC date.',
    '- Each dataset has a `version`: it is bumped whenever a figure could change, and the data',
    '  dictionary beside each export carries it, so a figure in a paper can be traced to a',
    '  definition.',
    '',
    '| dataset | question |',
    '| --- | --- |',
    ...datasets.map((r) => `| [\`${r.name}\`](#${r.name}) | ${cell(r.question)} |`),
    '',
    ...datasets.map((r) => renderReport(r, 'Compared with edx2bigquery and simeon')),
  ].join('\n');
}
