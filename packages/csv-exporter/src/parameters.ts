/**
 * Report parameters as given on the command line (`--param name=value`): `name=value` applies
 * to every selected report that has a parameter of that name, `report.name=value` to that
 * report only. Values are parsed by the parameter's type and defaulted; a name no selected
 * report has, or a value of the wrong type, is a usage error.
 */
import { UsageError } from '@edx-data/core';
import type { ParameterSpec, ParameterValue, ReportDefinition } from './report.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/u;

function fail(spec: ParameterSpec, report: string, text: string, expected: string): never {
  throw new UsageError('E_OPTION', `--param ${report}.${spec.name}=${text}: expected ${expected}`);
}

/** Parse one value of a parameter. */
export function parseValue(spec: ParameterSpec, report: string, text: string): ParameterValue {
  switch (spec.type) {
    case 'string':
      if (spec.choices !== undefined && !spec.choices.includes(text)) {
        fail(spec, report, text, `one of ${spec.choices.join(', ')}`);
      }
      return text;
    case 'integer': {
      if (!/^-?\d+$/u.test(text.trim())) fail(spec, report, text, 'a whole number');
      return Number(text);
    }
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) fail(spec, report, text, 'a number');
      return value;
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(lower)) return true;
      if (['false', 'no', '0'].includes(lower)) return false;
      return fail(spec, report, text, 'true or false');
    }
    case 'date': {
      const time = DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
      if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
        fail(spec, report, text, 'a day YYYY-MM-DD');
      }
      return text;
    }
    case 'list': {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const choices = spec.choices;
      const bad = choices === undefined ? undefined : items.find((i) => !choices.includes(i));
      if (bad !== undefined) fail(spec, report, text, `items among ${choices?.join(', ') ?? ''}`);
      return items;
    }
  }
}

function defaultOf(spec: ParameterSpec): ParameterValue {
  const value = spec.default;
  return Array.isArray(value) ? [...(value as readonly string[])] : value;
}

export interface ParsedParameters {
  /** Each runnable report's values, parsed and defaulted. */
  readonly values: Map<ReportDefinition, Record<string, ParameterValue>>;
  /** With `skipIncomplete`: the reports left out, and why (a required parameter not given). */
  readonly skipped: Map<ReportDefinition, string>;
}

/**
 * The parameters of each report, from what was given.
 * @param skipIncomplete a report whose required parameter is not given is skipped (listed in
 *   `skipped`) instead of refused: `export all` runs every report it can
 * @throws UsageError `E_OPTION` for a name no selected report has, a bad value, or (unless
 *   `skipIncomplete`) a required parameter left out
 */
export function parseParameters(
  reports: readonly ReportDefinition[],
  given: Readonly<Record<string, string>>,
  skipIncomplete = false,
): ParsedParameters {
  const used = new Set<string>();
  const out = new Map<ReportDefinition, Record<string, ParameterValue>>();
  const skipped = new Map<ReportDefinition, string>();
  for (const report of reports) {
    const values: Record<string, ParameterValue> = {};
    let missing: string | undefined;
    for (const spec of report.parameters) {
      const scoped = `${report.name}.${spec.name}`;
      const text = given[scoped] ?? given[spec.name];
      if (given[scoped] !== undefined) used.add(scoped);
      if (given[spec.name] !== undefined) used.add(spec.name);
      if (text === undefined) {
        if (spec.required === true) {
          const message = `report ${report.name} needs --param ${spec.name}=… (${spec.description})`;
          if (!skipIncomplete) throw new UsageError('E_OPTION', message);
          missing ??= `needs --param ${report.name}.${spec.name}=… (${spec.description})`;
          continue;
        }
        values[spec.name] = defaultOf(spec);
      } else {
        values[spec.name] = parseValue(spec, report.name, text);
      }
    }
    if (missing === undefined) out.set(report, values);
    else skipped.set(report, missing);
  }
  for (const name of Object.keys(given)) {
    if (!used.has(name)) {
      throw new UsageError(
        'E_OPTION',
        `--param ${name}: no selected report has a parameter of that name (see edx-pipeline export --list)`,
      );
    }
  }
  return { values: out, skipped };
}
