import { describe, expect, it } from 'vitest';
import { collectSecrets, createRedactor } from './redaction.js';

describe(collectSecrets, () => {
  it('finds URI passwords in argv and EDX_STORE, and secret-looking environment variables', () => {
    const secrets = collectSecrets(['--store', 'mongodb+srv://u:p%40ss@h/db', 'status'], {
      EDX_STORE: 'mongodb://v:other@h2/',
      EDX_GPG_PASSPHRASE: 'open sesame',
      HOME: '/home/me',
    });
    expect(secrets.sort()).toEqual(['open sesame', 'other', 'p%40ss', 'p@ss']);
  });
});

describe(createRedactor, () => {
  it('hides known secrets, added ones and every URI password', () => {
    const redactor = createRedactor(['hunter22']);
    redactor.add('later-secret');
    expect(redactor.redact('a hunter22 b later-secret c mongodb://u:pw@h/')).toBe(
      'a *** b *** c mongodb://u:***@h/',
    );
  });
});
