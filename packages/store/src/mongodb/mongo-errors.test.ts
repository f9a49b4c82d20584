import { describe, expect, it } from 'vitest';
import { Redactor } from './mongo-errors.js';

describe(Redactor, () => {
  it('hides the literal password of the URI wherever a driver message echoes it', () => {
    const cases: readonly [uri: string, password: string][] = [
      ['mongodb://u:secretpw@h:27017/db', 'secretpw'],
      ['mongodb://u:p@ss@h/', 'p@ss'],
      ['mongodb://u:pa/ss@h/', 'pa/ss'],
      ['mongodb+srv://u:a?b#c@cluster.example.net/', 'a?b#c'],
    ];
    for (const [uri, password] of cases) {
      const text = new Redactor(uri).text(`authentication failed for u with ${password} at h`);
      expect(text, uri).toBe('authentication failed for u with *** at h');
    }
  });

  it('hides the percent-decoded password too', () => {
    const redactor = new Redactor('mongodb://u:p%40ss%2Fw@h/');
    expect(redactor.text('bad p@ss/w, p%40ss%2Fw')).toBe('bad ***, ***');
  });
});
