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
    expect(params.values.get(a)).toEqual({ final: true, top: 3, ids: ['x', 'y', 'z'] });
    expect(params.values.get(b)).toEqual({ top: 3, since: undefined });
    expect(parseParameters([a, b], { 'b.top': '7' }).values.get(a)).toMatchObject({ top: 10 });
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

  it('checks a fixed set of choices, for a string and for each item of a list', () => {
    const c = report('c', [
      {
        name: 'layout',
        type: 'string',
        description: '',
        default: 'long',
        choices: ['long', 'wide'],
      },
      { name: 'kinds', type: 'list', description: '', default: [], choices: ['x', 'y'] },
    ]);
    expect(parseParameters([c], { layout: 'wide', kinds: 'y,x' }).values.get(c)).toEqual({
      layout: 'wide',
      kinds: ['y', 'x'],
    });
    expect(() => parseParameters([c], { layout: 'tall' })).toThrow(
      /c\.layout=tall: expected one of long, wide/u,
    );
    expect(() => parseParameters([c], { kinds: 'x,z' })).toThrow(/expected items among x, y/u);
  });

  it('with skipIncomplete, leaves out a report whose required parameter is missing, and says why', () => {
    const needs = report('c', [
      { name: 'ids', type: 'list', description: 'the ids', required: true },
    ]);
    const parsed = parseParameters([a, needs], { top: '4' }, true);
    expect([...parsed.values.keys()]).toEqual([a]);
    expect(parsed.skipped.get(needs)).toBe('needs --param c.ids=… (the ids)');
    expect(parseParameters([a, needs], { ids: 'p' }, true).values.get(needs)).toEqual({
      ids: ['p'],
    });
  });
});
