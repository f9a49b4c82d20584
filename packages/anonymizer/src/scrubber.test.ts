import { describe, expect, it } from 'vitest';
import { fakeValues } from './fake-values.js';
import { LearnerDirectory } from './learner-directory.js';
import { sampleDirectory } from './test-support/sample-directory.js';
import { emptyScrubCounts, Scrubber } from './scrubber.js';

describe(Scrubber, () => {
  const scrubber = new Scrubber({ directory: sampleDirectory() });

  it.each([
    ['write to jo.doe+mooc@mail.example.net today', 'write to <EMAIL> today', 'EMAIL'],
    ['call +1 (514) 398-4455 or 514.398.4455', 'call <PHONE> or <PHONE>', 'PHONE'],
    ['see https://courses.edx.org/u/someone/profile now', 'see <URL> now', 'URL'],
    ['see https://example.org/page?user_id=77', 'see <URL>', 'URL'],
    ['thanks @someone_else!', 'thanks <USERNAME>!', 'USERNAME'],
    ['Iris Von said so', '<PERSON> said so', 'PERSON'],
    ['ask iris, or von.', 'ask <PERSON>, or <PERSON>.', 'PERSON'],
    ['cc lm1md2.ssx.', 'cc <USERNAME>.', 'USERNAME'],
    ['@lm1md2.ssx and @Madalyn_Crooks49', '@<USERNAME> and @<USERNAME>', 'USERNAME'],
    ['MADALYN CROOKS wrote', '<PERSON> wrote', 'PERSON'],
  ] as const)('%j → %j', (text, expected, kind) => {
    const counts = emptyScrubCounts();
    expect(scrubber.scrub(text, counts)).toBe(expected);
    expect(counts[kind]).toBeGreaterThan(0);
  });

  it('counts every replacement by kind', () => {
    const counts = emptyScrubCounts();
    scrubber.scrub('Iris Von (lm1md2.ssx@example.org, +44 20 7946 0958) met @bob', counts);
    expect(counts).toEqual({ EMAIL: 1, PHONE: 1, URL: 0, USERNAME: 1, PERSON: 1 });
  });

  it.each([
    'the exam is on 2024-01-08 at 10:30',
    'pi is 3.14159265 and e is 2.7182818',
    'see https://courses.edx.org/courses/course-v1:X+Y+Z/courseware',
    'Vox credo vitiosus bibo ver crebro deficio.',
    'problem 1516 of chapter 3',
  ])('leaves text with nothing personal as it is: %j', (text) => {
    expect(scrubber.scrub(text)).toBe(text);
  });

  it('finds a URL personal when it holds a known username or user id', () => {
    expect(scrubber.scrub('https://forum.example.org/threads/lm1md2.ssx/x')).toBe('<URL>');
    expect(scrubber.scrub('https://forum.example.org/posts/1516')).toBe('<URL>');
  });

  it('writes fake values, the same for a learner each time, none of them real', () => {
    const fake = new Scrubber({
      directory: sampleDirectory(),
      replace: fakeValues({
        seedOf: (subject) =>
          Array.from(Buffer.from(subject)).reduce((a, c) => (a * 31 + c) >>> 0, 7),
        isReal: (value) => scrubber.isKnown(value),
      }),
    });
    const once = fake.scrub('Iris Von wrote to lm1md2.ssx@example.org');
    const twice = fake.scrub('Iris Von wrote to lm1md2.ssx@example.org');
    expect(once).toBe(twice);
    expect(once).not.toMatch(/Iris|Von|lm1md2|<PERSON>|<EMAIL>/u);
    expect(once).toMatch(/^\S+ \S+ wrote to \S+@example\.com$/u);
    expect(fake.scrub('Madalyn Crooks')).not.toBe(fake.scrub('Iris Von'));
  });
});

describe('Scrubber.scrubWholeCell', () => {
  const scrubber = new Scrubber({ directory: sampleDirectory() });
  it.each([
    ['madalyn_crooks49', '<USERNAME>'],
    ['iris', '<PERSON>'],
    ['Iris Von', '<PERSON>'],
    ['LM1MD2.SSX@example.org', '<EMAIL>'],
    ['iris von and more', 'iris von and more'],
    ['von', '<PERSON>'],
    ['audit', 'audit'],
  ])('%j → %j', (cell, expected) => {
    expect(scrubber.scrubWholeCell(cell)).toBe(expected);
  });

  it('leaves a name part under 3 letters (a country code, an education code)', () => {
    const d = new LearnerDirectory();
    d.add({ userId: 1, username: 'someone', names: ['Ana De Souza'] });
    const s = new Scrubber({ directory: d });
    expect(s.scrubWholeCell('DE')).toBe('DE');
    expect(s.scrubWholeCell('souza')).toBe('<PERSON>');
  });
});
