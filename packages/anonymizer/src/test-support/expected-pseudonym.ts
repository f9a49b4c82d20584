/**
 * The pseudonym of a subject under a key, written for the tests independently of the
 * library: the HMAC-SHA-256 of `pseudonym` NUL subject, turned into base 32 through a string
 * of bits.
 */
import { createHmac } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function expectedPseudonym(secret: string, subject: string): string {
  const mac = createHmac('sha256', secret).update(`pseudonym\0${subject}`).digest();
  const bits = [...mac].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = 'ps_';
  for (let i = 0; i < 20; i++) out += ALPHABET.charAt(parseInt(bits.slice(i * 5, i * 5 + 5), 2));
  return out;
}
