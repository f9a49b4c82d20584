import { describe, expect, it } from 'vitest';
import { EdxDataError, InputError, StoreError, UsageError, isEdxDataError } from './errors.js';

describe(EdxDataError, () => {
  it('puts the position at the end of the message and keeps it as data', () => {
    const error = new InputError('E_INPUT', 'expected a JSON object', {
      file: 'a.log',
      line: 7,
      column: 3,
    });
    expect(error.message).toBe('expected a JSON object at a.log:7:3');
    expect(error).toMatchObject({
      name: 'InputError',
      code: 'E_INPUT',
      file: 'a.log',
      line: 7,
      column: 3,
    });
    expect(new InputError('E_INPUT', 'bad', { line: 2 }).message).toBe('bad at line 2');
    expect(new UsageError('E_OPTION', 'bad option').message).toBe('bad option');
  });

  it('keeps the cause and is recognised by isEdxDataError', () => {
    const cause = new Error('driver said no');
    const error = new StoreError('E_STORE', 'write failed', { cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(EdxDataError);
    expect(isEdxDataError(error)).toBe(true);
    expect(isEdxDataError(cause)).toBe(false);
  });
});
