/**
 * The pseudonym key: the secret of an HMAC-SHA-256 that turns identifiers into pseudonyms.
 * The same key gives the same pseudonyms (across files and runs); without it they cannot be
 * recomputed from a dictionary of usernames (unlike an unsalted hash). The key is never
 * printed, logged, or put in an error: only its {@link AnonymizationKey.fingerprint} is.
 */
import { createHash, createHmac } from 'node:crypto';
import { UsageError } from '@edx-data/core';

/** Fewest bytes a key may have (128 bits). */
export const MIN_KEY_BYTES = 16;

/** A key, ready to sign; it keeps its bytes out of `toString`, `toJSON` and `inspect`. */
export class AnonymizationKey {
  readonly #secret: Buffer;
  /** A SHA-256 over a label and the key, cut to 16 hex digits: names the key, never reveals it. */
  readonly fingerprint: string;

  private constructor(secret: Buffer) {
    this.#secret = secret;
    this.fingerprint = createHash('sha256')
      .update('edx-data/anonymizer key fingerprint\0')
      .update(secret)
      .digest('hex')
      .slice(0, 16);
  }

  /**
   * A key from its text (an environment variable, a file): surrounding white space (a file's
   * last newline) is not part of it.
   * @param where what held it, for the error (`$EDX_ANON_KEY`, a file name), never the key
   * @throws UsageError `E_OPTION` when it is shorter than {@link MIN_KEY_BYTES} bytes
   */
  static fromText(text: string, where: string): AnonymizationKey {
    const secret = Buffer.from(text.trim(), 'utf8');
    if (secret.length < MIN_KEY_BYTES) {
      throw new UsageError(
        'E_OPTION',
        `the pseudonym key in ${where} has ${secret.length} bytes; give at least ${MIN_KEY_BYTES} (e.g. \`openssl rand -hex 32\`)`,
      );
    }
    return new AnonymizationKey(secret);
  }

  /** HMAC-SHA-256 of `label` NUL `value` under the key. */
  mac(label: string, value: string): Buffer {
    return createHmac('sha256', this.#secret).update(label).update('\0').update(value).digest();
  }

  toString(): string {
    return `AnonymizationKey(${this.fingerprint})`;
  }

  toJSON(): { fingerprint: string } {
    return { fingerprint: this.fingerprint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
