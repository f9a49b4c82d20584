import { describe, expect, it } from 'vitest';
import { parseParameters } from './parameters.js';
import type { QueryReport, ReportDefinition } from './report.js';

function report(name: string, parameters: QueryReport['parameters']): ReportDefinition {
  return {
    kind: 'query',
    name,
    question: '',
    version: '1',
    parameters,
    columns: [],
    definition: '',
    changes: '',
    reads: [],
    rows: async function* () {
      // no rows
    },
  };
}

const a = report('a', [
  { name: 'final', type: 'boolean', description: '', default: false },
  { name: 'top', type: 'integer', description: '', default: 10 },
  { name: 'ids', type: 'list', description: '', default: [] },
]);
const b = report('b', [
  { name: 'top', type: 'integer', description: '', default: 5 },
  { name: 'since', type: 'date', description: '' },
]);

describe(parseParameters, () => {
  it('defaults, parses by type, applies a bare name to every report and a scoped one to one', () => {
    const params = parseParameters([a, b], { top: '3', 'a.final': 'yes', ids: 'x, y,,z' });
    expect(params.get(a)).toEqual({ final: true, top: 3, ids: ['x', 'y', 'z'] });
    expect(params.get(b)).toEqual({ top: 3, since: undefined });
    expect(parseParameters([a, b], { 'b.top': '7' }).get(a)).toMatchObject({ top: 10 });
  });

  it('refuses a bad value, an impossible day, a name no report has, a missing required one', () => {
    expect(() => parseParameters([a], { top: 'ten' })).toThrow(
      /a\.top=ten: expected a whole number/u,
    );
    expect(() => parseParameters([a], { final: 'maybe' })).toThrow(/expected true or false/u);
    expect(() => parseParameters([b], { since: '2024-02-30' })).toThrow(/expected a day/u);
    expect(() => parseParameters([a], { since: '2024-01-01' })).toThrow(/no selected report/u);
    const needs = report('c', [
      { name: 'ids', type: 'list', description: 'the ids', required: true },
    ]);
    expect(() => parseParameters([needs], {})).toThrow(/report c needs --param ids=… \(the ids\)/u);
  });
});
