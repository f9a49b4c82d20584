/**
 * Keyed pseudonyms: HMAC-SHA-256 under the run's key, written `ps_` + 20 base-32 letters
 * (100 bits). With a {@link LearnerDirectory}, every identifier of a learner (user id,
 * username, hash id, anonymous id, email) maps to the pseudonym of one canonical learner, so
 * files that name learners differently agree; an identifier the directory does not know (and
 * every identifier without a directory) maps to the HMAC of its class and value, stable too.
 */
import type { AnonymizationKey } from './key.js';
import type { IdentifierClass, Learner, LearnerDirectory } from './learner-directory.js';

/** The alphabet of pseudonyms: RFC 4648 base 32, lower case, no digits 0/1 to misread. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** What every pseudonym starts with. */
export const PSEUDONYM_PREFIX = 'ps_';

/** A pseudonym looks like this (and no edX user id, hash id or anonymous id does). */
export const PSEUDONYM_PATTERN = /^ps_[a-z2-7]{20}$/u;

function base32(bytes: Buffer, letters: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < letters) {
      out += ALPHABET[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= letters) break;
  }
  return out;
}

export class Pseudonymizer {
  readonly #key: AnonymizationKey;
  readonly #directory: LearnerDirectory | undefined;
  readonly #cache = new Map<string, string>();

  constructor(key: AnonymizationKey, directory?: LearnerDirectory) {
    this.#key = key;
    this.#directory = directory;
  }

  /** The learner an identifier names, when a directory is given and knows it. */
  learnerOf(kind: IdentifierClass, value: string): Learner | undefined {
    return this.#directory?.find(kind, value);
  }

  /**
   * The canonical subject of an identifier: `id:<user id>` or `username:<name>` for a
   * learner of the directory, else `<class>:<value>`.
   */
  subjectOf(kind: IdentifierClass, value: string): string {
    const learner = this.learnerOf(kind, value);
    if (learner !== undefined) return learner.key;
    const normal = kind === 'email' ? value.trim().toLowerCase() : value.trim();
    return kind === 'user_id' ? `id:${normal.replace(/\.0+$/u, '')}` : `${kind}:${normal}`;
  }

  /** The pseudonym of a subject (see {@link subjectOf}). */
  ofSubject(subject: string): string {
    let pseudonym = this.#cache.get(subject);
    if (pseudonym === undefined) {
      pseudonym = PSEUDONYM_PREFIX + base32(this.#key.mac('pseudonym', subject), 20);
      if (this.#cache.size >= 50_000) this.#cache.clear();
      this.#cache.set(subject, pseudonym);
    }
    return pseudonym;
  }

  /** The pseudonym of an identifier; '' stays ''. */
  pseudonym(kind: IdentifierClass, value: string): string {
    if (value.trim() === '') return '';
    return this.ofSubject(this.subjectOf(kind, value));
  }

  /**
   * A whole number of days in [-maxDays, maxDays], the same for every date of one subject
   * (so that intervals within a learner's rows survive), from the key.
   */
  dayShift(subject: string, maxDays: number): number {
    if (maxDays <= 0) return 0;
    const n = this.#key.mac('date-shift', subject).readUInt32BE(0);
    return (n % (2 * maxDays + 1)) - maxDays;
  }

  /** A 32-bit seed from the key for a subject (fake values in the scrubber). */
  seedOf(subject: string): number {
    return this.#key.mac('fake-seed', subject).readUInt32BE(0);
  }
}
