import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnonymizationKey } from './key.js';
import { LearnerDirectory } from './learner-directory.js';
import { PSEUDONYM_PATTERN, Pseudonymizer } from './pseudonymizer.js';
import { expectedPseudonym } from './test-support/expected-pseudonym.js';

const SECRET = 'a key for the pseudonym tests';
const key = AnonymizationKey.fromText(SECRET, 'test');

function directory(): LearnerDirectory {
  const d = new LearnerDirectory();
  d.add({ userId: 1516, username: 'lm1md2.ssx', email: 'LM@example.org', names: ['Iris Von'] });
  d.add({ userId: '1516', hashId: '1802f8bfff5727f66b3d1c36680d7c52' });
  d.add({ userId: 1516, anonymousIds: ['a1b2c3'] });
  d.add({ userId: 1553, username: 'Madalyn_Crooks49' });
  return d;
}

describe(Pseudonymizer, () => {
  it('is the HMAC of class and value without a directory', () => {
    const p = new Pseudonymizer(key);
    expect(p.pseudonym('username', 'lm1md2.ssx')).toBe(
      expectedPseudonym(SECRET, 'username:lm1md2.ssx'),
    );
    expect(p.pseudonym('user_id', '1516')).toBe(expectedPseudonym(SECRET, 'id:1516'));
    expect(p.pseudonym('user_id', '1516.0')).toBe(expectedPseudonym(SECRET, 'id:1516'));
    expect(p.pseudonym('username', '')).toBe('');
  });

  it('gives every identifier of a learner of the directory the pseudonym of its user id', () => {
    const p = new Pseudonymizer(key, directory());
    const expected = expectedPseudonym(SECRET, 'id:1516');
    expect(p.pseudonym('user_id', '1516')).toBe(expected);
    expect(p.pseudonym('username', 'lm1md2.ssx')).toBe(expected);
    expect(p.pseudonym('hash_id', '1802f8bfff5727f66b3d1c36680d7c52')).toBe(expected);
    expect(p.pseudonym('anonymous_id', 'a1b2c3')).toBe(expected);
    expect(p.pseudonym('email', 'lm@EXAMPLE.org')).toBe(expected);
    expect(p.pseudonym('username', 'Madalyn_Crooks49')).toBe(expectedPseudonym(SECRET, 'id:1553'));
    // (unknown to the directory: by class and value)
    expect(p.pseudonym('username', 'stranger')).toBe(
      expectedPseudonym(SECRET, 'username:stranger'),
    );
  });

  it('changes every pseudonym with another key, and none equals an input', () => {
    const inputs = [
      '1516',
      '1553',
      '7',
      'lm1md2.ssx',
      'Madalyn_Crooks49',
      'ps_aaaaaaaaaaaaaaaaaaaa',
    ];
    const a = new Pseudonymizer(key);
    const b = new Pseudonymizer(AnonymizationKey.fromText('another key, as long as needed', 'b'));
    for (const value of inputs) {
      const pa = a.pseudonym('username', value);
      expect(pa).toMatch(PSEUDONYM_PATTERN);
      expect(pa).not.toBe(value);
      expect(b.pseudonym('username', value)).not.toBe(pa);
    }
  });

  it('shifts a learner by the same number of days each time, within the bound', () => {
    const p = new Pseudonymizer(key);
    const n = createHmac('sha256', SECRET).update('date-shift\0id:1516').digest().readUInt32BE(0);
    expect(p.dayShift('id:1516', 30)).toBe((n % 61) - 30);
    expect(p.dayShift('id:1516', 0)).toBe(0);
    const shifts = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const s = p.dayShift(`id:${i}`, 10);
      expect(Math.abs(s)).toBeLessThanOrEqual(10);
      shifts.add(s);
    }
    expect(shifts.size).toBe(21);
  });
});
