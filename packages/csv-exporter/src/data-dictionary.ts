/** The data dictionary written beside every export: `<name>.schema.json`. */
import type { ColumnSpec, ParameterValue, ReportDefinition } from './report.js';

export interface DataDictionary {
  readonly report: string;
  readonly question: string;
  /** The version of the report's definition. */
  readonly version: string;
  /** The exact definition (Markdown), as in docs/reports.md. */
  readonly definition: string;
  /** The parameters the export ran with. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly columns: readonly ColumnSpec[];
}

export function dataDictionary(
  report: ReportDefinition,
  parameters: Readonly<Record<string, ParameterValue>>,
): DataDictionary {
  return {
    report: report.name,
    question: report.question,
    version: report.version,
    definition: report.definition,
    parameters,
    columns: report.columns.map((column) => ({ ...column })),
  };
}
