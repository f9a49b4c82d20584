/**
 * docs/reports.md is the catalogue's own documentation: this test fails when it is out of date
 * (`UPDATE_REPORTS_DOC=1 npx vitest run --project @edx-data/csv-exporter reports-doc` rewrites it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, DATASETS, REPORTS } from './catalogue.js';
import { renderDatasetsDoc, renderReportsDoc } from './reports-doc.js';

const DOC = new URL('../../../docs/reports.md', import.meta.url);
const DATASETS_DOC = new URL('../../../docs/datasets.md', import.meta.url);

describe(renderReportsDoc, () => {
  it('docs/reports.md documents every report as its definition says', async () => {
    const rendered = renderReportsDoc(REPORTS);
    if (process.env['UPDATE_REPORTS_DOC'] === '1') await writeFile(DOC, rendered);
    expect(await readFile(DOC, 'utf8')).toBe(rendered);
  });

  it('docs/datasets.md documents every dataset as its definition says', async () => {
    const rendered = renderDatasetsDoc(DATASETS);
    if (process.env['UPDATE_REPORTS_DOC'] === '1') await writeFile(DATASETS_DOC, rendered);
    expect(await readFile(DATASETS_DOC, 'utf8')).toBe(rendered);
  });

  it('every report has a question, a definition, its changes, and described columns', () => {
    const names = new Set<string>();
    for (const report of CATALOGUE) {
      expect(report.name).toMatch(/^[a-z][a-z0-9_]*$/u);
      expect(names.has(report.name)).toBe(false);
      names.add(report.name);
      expect(report.question.endsWith('?')).toBe(true);
      expect(report.definition.length).toBeGreaterThan(80);
      expect(report.changes.length).toBeGreaterThan(40);
      expect(report.columns.length).toBeGreaterThan(0);
      for (const column of report.columns) expect(column.description).not.toBe('');
      expect(new Set(report.columns.map((c) => c.name)).size).toBe(report.columns.length);
    }
  });
});
