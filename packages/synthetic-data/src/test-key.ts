import { generateKey, readKey } from 'openpgp';
import type { PublicKey } from 'openpgp';
import { UsageError } from '@edx-data/core';

export interface TestKeyOptions {
  /**
   * `curve25519` (fast; a v4 Ed25519 + Cv25519 key that GnuPG 2.2 reads) or `rsa` (what edX
   * asked data czars to make). @default 'curve25519'
   */
  readonly type?: 'curve25519' | 'rsa';
  /** RSA modulus size. @default 2048 */
  readonly rsaBits?: number;
  /** The user id name. @default 'edx-data synthetic test key' */
  readonly name?: string;
  /** The user id email. @default 'synthetic@example.org' */
  readonly email?: string;
}

/** A throwaway OpenPGP key pair, ASCII-armored, the private key without a passphrase. */
export interface TestKey {
  readonly publicKey: string;
  readonly privateKey: string;
  /** Fingerprint of the primary key (lower-case hex). */
  readonly fingerprint: string;
}

/**
 * Make a throwaway key pair to encrypt a synthetic package to (never use it for real data:
 * the private key has no passphrase).
 */
export async function generateTestKey(options: TestKeyOptions = {}): Promise<TestKey> {
  const userIDs = [
    {
      name: options.name ?? 'edx-data synthetic test key',
      email: options.email ?? 'synthetic@example.org',
    },
  ];
  const { publicKey, privateKey } =
    options.type === 'rsa'
      ? await generateKey({
          type: 'rsa',
          rsaBits: options.rsaBits ?? 2048,
          userIDs,
          format: 'armored',
        })
      : // The legacy (v4) Ed25519/Cv25519 key, which GnuPG 2.2 reads; openpgp's
        // `type: 'curve25519'` makes RFC 9580 keys that GnuPG before 2.3/2.5 does not.
        await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs, format: 'armored' });
  const key = await readKey({ armoredKey: publicKey });
  return { publicKey, privateKey, fingerprint: key.getFingerprint() };
}

/** Read armored public keys, with a usage error naming the bad one. */
export async function readPublicKeys(armored: readonly string[]): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const [index, text] of armored.entries()) {
    try {
      const key = await readKey({ armoredKey: text });
      keys.push(key.toPublic());
    } catch (error) {
      throw new UsageError(
        'E_OPTION',
        `generatePackage: encryptTo[${index}] is not a readable OpenPGP key`,
        { cause: error },
      );
    }
  }
  return keys;
}
