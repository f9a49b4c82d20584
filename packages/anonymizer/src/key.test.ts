import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@edx-data/core';
import { AnonymizationKey } from './key.js';

const SECRET = 'correct horse battery staple 42';

describe(AnonymizationKey, () => {
  it('names the key by a cut SHA-256 over a label and the key', () => {
    const key = AnonymizationKey.fromText(`${SECRET}\n`, '$KEY');
    const expected = createHash('sha256')
      .update(`edx-data/anonymizer key fingerprint\0${SECRET}`)
      .digest('hex')
      .slice(0, 16);
    expect(key.fingerprint).toBe(expected);
    expect(AnonymizationKey.fromText('another key of enough bytes', '$KEY').fingerprint).not.toBe(
      expected,
    );
  });

  it('signs label NUL value with HMAC-SHA-256', () => {
    const key = AnonymizationKey.fromText(SECRET, '$KEY');
    const expected = createHmac('sha256', SECRET).update('pseudonym\0id:7').digest('hex');
    expect(key.mac('pseudonym', 'id:7').toString('hex')).toBe(expected);
  });

  it('refuses a key under 16 bytes without quoting it', () => {
    const short = 'tiny-secret';
    expect(() => AnonymizationKey.fromText(short, '$EDX_KEY')).toThrow(UsageError);
    try {
      AnonymizationKey.fromText(short, '$EDX_KEY');
    } catch (error) {
      expect((error as Error).message).toContain('$EDX_KEY');
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('never shows the key when printed, stringified or inspected', () => {
    const key = AnonymizationKey.fromText(SECRET, '$KEY');
    for (const text of [String(key), JSON.stringify({ key }), inspect(key), inspect({ key })]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain(key.fingerprint);
    }
  });
});
