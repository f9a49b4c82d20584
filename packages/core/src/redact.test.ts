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
});

describe(redactSecrets, () => {
  it('hides armored private keys and given passphrases', () => {
    const key = '-----BEGIN PGP PRIVATE KEY BLOCK-----\nabc\n-----END PGP PRIVATE KEY BLOCK-----';
    expect(redactSecrets(`key: ${key} pass: correct horse`, ['correct horse'])).toBe(
      'key: [private key redacted] pass: ***',
    );
  });
});
