import { describe, expect, it } from 'vitest';
import { pyDumps, pyDumpsPretty } from './python-json.js';

describe(pyDumps, () => {
  it('writes Python json.dumps separators and escapes non-ASCII like ensure_ascii', () => {
    expect(pyDumps({ a: [1, 'é'], b: null, c: { d: true } })).toBe(
      '{"a": [1, "\\u00e9"], "b": null, "c": {"d": true}}',
    );
    expect(pyDumps('日本')).toBe('"\\u65e5\\u672c"');
    expect(pyDumps({ skipped: undefined, kept: 0 })).toBe('{"kept": 0}');
  });
});

describe(pyDumpsPretty, () => {
  it('sorts keys and indents by 2, like json.dumps(indent=2, sort_keys=True)', () => {
    expect(pyDumpsPretty({ b: [], a: { y: 1, x: ['k'] } })).toBe(
      '{\n  "a": {\n    "x": [\n      "k"\n    ],\n    "y": 1\n  },\n  "b": []\n}',
    );
  });
});

describe('pyDumps strings', () => {
  it('escapes quotes, backslashes and control characters, and keeps DEL and plain ASCII', () => {
    expect(pyDumps('a "b" \\ c\n\t\u0001')).toBe('"a \\"b\\" \\\\ c\\n\\t\\u0001"');
    expect(pyDumps('plain [text] {x} ~')).toBe('"plain [text] {x} ~"');
    expect(pyDumps('\u007f')).toBe('"\u007f"');
  });
});
