import { describe, expect, it } from 'vitest';
import { escapeStudentModuleField, escapeTsvField, tsvRow } from './tsv.js';

describe(escapeTsvField, () => {
  it('writes NULL for null and keeps the empty string empty', () => {
    expect(escapeTsvField(null)).toBe('NULL');
    expect(escapeTsvField('')).toBe('');
    expect(escapeTsvField(0)).toBe('0');
  });

  it('escapes backslash first, then CR, TAB and LF, and drops NUL, like the exporter', () => {
    expect(escapeTsvField('a\\nb')).toBe('a\\\\nb');
    expect(escapeTsvField('line 1\r\nline 2\tend\\')).toBe('line 1\\r\\nline 2\\tend\\\\');
    expect(escapeTsvField('x\0y')).toBe('xy');
    expect(escapeTsvField('say "hi"')).toBe('say "hi"');
  });

  it('joins a row with tabs and ends it with LF', () => {
    expect(tsvRow([1, 'a\tb', null])).toBe('1\ta\\tb\tNULL\n');
  });
});

describe(escapeStudentModuleField, () => {
  it('only doubles backslashes (and escapes TAB/LF with a backslash), as Python csv escapechar does', () => {
    expect(escapeStudentModuleField('{"a": "say \\"hi\\""}')).toBe('{"a": "say \\\\"hi\\\\""}');
    expect(escapeStudentModuleField('a\tb\nc')).toBe('a\\\tb\\\nc');
    expect(escapeStudentModuleField(null)).toBe('NULL');
  });
});
