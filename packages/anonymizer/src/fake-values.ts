/**
 * Realistic fake values in place of scrubbed spans, for qualitative studies: a fake name,
 * username, email, phone number or URL from `@faker-js/faker`, seeded from the key and the
 * learner (or, for a span that names no known learner, from the span), so the same learner
 * gets the same fake name in every post, and another key gives other names. A fake value
 * that happens to be a real learner's name, username or email is drawn again.
 */
// The English build only: the whole package (every locale) costs 16 MiB of heap in every run.
import { faker } from '@faker-js/faker/locale/en';
import type { Faker } from '@faker-js/faker';
import type { Replacer, ScrubKind } from './scrubber.js';

export interface FakeValueSettings {
  /** A 32-bit seed for a subject (`Pseudonymizer.seedOf`). */
  readonly seedOf: (subject: string) => number;
  /** True when a value is a real identifier (`Scrubber.isKnown`): it is drawn again. */
  readonly isReal: (value: string) => boolean;
}

function draw(faker: Faker, kind: ScrubKind, original: string): string {
  switch (kind) {
    case 'PERSON':
      return original.includes(' ')
        ? `${faker.person.firstName()} ${faker.person.lastName()}`
        : faker.person.firstName();
    case 'USERNAME':
      return faker.internet.username();
    case 'EMAIL':
      return faker.internet.email({ provider: 'example.com' });
    case 'PHONE':
      return faker.phone.number({ style: 'international' });
    case 'URL':
      return faker.internet.url();
  }
}

/** A {@link Replacer} that writes fake values, deterministic per learner. */
export function fakeValues(settings: FakeValueSettings): Replacer {
  // One instance, reseeded before every draw (draws are synchronous).
  return (kind, original, subject) => {
    const base = settings.seedOf(`${kind}\0${subject ?? original.toLowerCase()}`);
    for (let attempt = 0; ; attempt++) {
      faker.seed(base + attempt);
      const value = draw(faker, kind, original);
      if (!settings.isReal(value) && value.toLowerCase() !== original.toLowerCase()) return value;
    }
  };
}
