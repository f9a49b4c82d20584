import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUri } from './redact.js';

describe(redactUri, () => {
  it('hides URI passwords and keeps the rest', () => {
    expect(redactUri('at mongodb://reader:s3cr%40t@db.example.org:27017/x?tls=true')).toBe(
      'at mongodb://reader:***@db.example.org:27017/x?tls=true',
    );
    expect(redactUri('mongodb+srv://u:p@cluster0.example.net')).toBe(
      'mongodb+srv://u:***@cluster0.example.net',
    );
    expect(redactUri('mongodb://host:27017/')).toBe('mongodb://host:27017/');
  });

  it('hides a password holding an unescaped @ up to the last @ (issue 18)', () => {
    expect(redactUri('mongodb://u:p@ss@h')).toBe('mongodb://u:***@h');
    expect(redactUri('cannot reach mongodb://u:a@b@c@db.example.org:27017/edx, retrying')).toBe(
      'cannot reach mongodb://u:***@db.example.org:27017/edx, retrying',
    );
  });

  it('hides a password holding / ? # or : (issue 18)', () => {
    expect(redactUri('mongodb://u:pa/ss@h')).toBe('mongodb://u:***@h');
    expect(redactUri('mongodb://u:a?b#c:d/e@h/db?authSource=admin')).toBe(
      'mongodb://u:***@h/db?authSource=admin',
    );
    expect(redactUri('mongodb://u:/@h')).toBe('mongodb://u:***@h');
  });

  it('reads a user name holding @ and keeps URIs without a password', () => {
    expect(redactUri('mongodb://me@example.org:pw@h/db')).toBe('mongodb://me@example.org:***@h/db');
    expect(redactUri('mongodb://u:@h')).toBe('mongodb://u:***@h');
    expect(redactUri('mongodb://user@h/db')).toBe('mongodb://user@h/db');
    expect(redactUri('see https://example.org/a:b and mail me@example.org')).toBe(
      'see https://example.org/a:b and mail me@example.org',
    );
  });

  it('redacts each URI of a text, stopping at blanks', () => {
    expect(redactUri('from mongodb://a:x@h1/ to mongodb://b:y/z@h2/ by admin@example.org')).toBe(
      'from mongodb://a:***@h1/ to mongodb://b:***@h2/ by admin@example.org',
    );
    // Glued together: hides both passwords, and what lies between them.
    expect(redactUri('mongodb://a:x@h1,mongodb://b:y@h2')).toBe('mongodb://a:***@h2');
  });
});

describe(redactSecrets, () => {
  it('hides armored private keys and given passphrases', () => {
    const key = '-----BEGIN PGP PRIVATE KEY BLOCK-----\nabc\n-----END PGP PRIVATE KEY BLOCK-----';
    expect(redactSecrets(`key: ${key} pass: correct horse`, ['correct horse'])).toBe(
      'key: [private key redacted] pass: ***',
    );
  });

  it('hides a secret of 3 characters or more everywhere, even inside words', () => {
    expect(redactSecrets('the pin abc was wrong; xabcx', ['abc'])).toBe(
      'the pin *** was wrong; x***x',
    );
  });

  it('hides a 1-2 character secret where it stands as a token, not inside words', () => {
    expect(redactSecrets('passphrase "x7" is wrong for key x77 (x7)', ['x7'])).toBe(
      'passphrase "***" is wrong for key x77 (***)',
    );
    expect(redactSecrets('e: wrong, see the help', ['e'])).toBe('***: wrong, see the help');
    expect(redactSecrets('pass=?, next', ['?'])).toBe('pass=***, next');
    expect(redactSecrets('passphrase é.', ['é'])).toBe('passphrase ***.');
    expect(redactSecrets('café', ['é'])).toBe('café');
  });

  it('ignores the empty string and hides the longest secret first', () => {
    expect(redactSecrets('nothing secret', [''])).toBe('nothing secret');
    expect(redactSecrets('token abcdef', ['abc', 'abcdef'])).toBe('token ***');
  });
});
