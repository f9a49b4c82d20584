import { describe, expect, it } from 'vitest';
import { planColumns } from './column-plan.js';
import { AnonymizationKey } from './key.js';
import { LearnerDirectory } from './learner-directory.js';
import { Pseudonymizer } from './pseudonymizer.js';
import { RowAnonymizer } from './row-anonymizer.js';
import { Scrubber } from './scrubber.js';
import { expectedPseudonym } from './test-support/expected-pseudonym.js';

const SECRET = 'row anonymizer test key 0123456789';

function anonymizer(): RowAnonymizer {
  const directory = new LearnerDirectory();
  directory.add({ userId: 42, username: 'ada_l', names: ['Ada Lovelace'] });
  const key = AnonymizationKey.fromText(SECRET, 'test');
  const dictionary = {
    columns: [
      { name: 'user_id', type: 'integer', identifier: 'user_id' as const },
      { name: 'answers', type: 'json', identifier: 'free_text' as const },
      { name: 'word', type: 'string' },
      { name: 'count', type: 'integer' },
    ],
  };
  const plans = planColumns(['user_id', 'answers', 'word', 'count'], dictionary, {}, 'x.csv');
  return new RowAnonymizer(plans, {
    pseudonymizer: new Pseudonymizer(key, directory),
    scrubber: new Scrubber({ directory }),
    countryOf: () => null,
    shiftDays: 0,
  });
}

describe(RowAnonymizer, () => {
  it('pseudonymises learner keys inside a JSON payload and scrubs its strings', () => {
    const rows = anonymizer();
    const payload = JSON.stringify({
      username: 'ada_l',
      user_id: 42,
      answer: 'Ada Lovelace wrote this',
      nested: [{ author_id: '42' }, 7],
    });
    const out = rows.transform(['42', payload, 'ada_l', '42']);
    const p = expectedPseudonym(SECRET, 'id:42');
    expect(out).toEqual({
      user_id: p,
      answers: JSON.stringify({
        username: p,
        user_id: p,
        answer: '<PERSON> wrote this',
        nested: [{ author_id: p }, 7],
      }),
      word: '<USERNAME>',
      count: '42',
    });
  });

  it('counts only the rows committed', () => {
    const rows = anonymizer();
    rows.transform(['42', '"Ada"', 'x', '1']);
    rows.transform(['42', '"Ada"', 'x', '1']);
    rows.commit();
    expect(rows.counts.get('user_id')?.pseudonymised).toBe(1);
    expect(rows.counts.get('answers')).toMatchObject({ scrubbedCells: 1, scrubbed: { PERSON: 1 } });
    expect(rows.columns).toEqual(['user_id', 'answers', 'word', 'count']);
  });
});
