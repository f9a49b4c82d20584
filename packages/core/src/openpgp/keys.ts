/** Reading OpenPGP private keys, and picking and unlocking the ones a message is for. */
import { readFile } from 'node:fs/promises';
import { decryptKey, readPrivateKeys } from 'openpgp';
import type { KeyID, PrivateKey } from 'openpgp';
import { UsageError, isEdxDataError } from '../errors.js';
import { errnoCode, fail, messageOf } from '../input/failure.js';

const PRIVATE_KEY_HEADER = '-----BEGIN PGP PRIVATE KEY BLOCK-----';

/** A passphrase, or a function giving it (asked only when a protected key must be unlocked). */
export type PassphraseSource =
  string | (() => string | undefined | Promise<string | undefined>) | undefined;

/**
 * The private keys of `key`: an armored key block, or the path of a key file (armored or
 * binary).
 *
 * @throws InputError `E_FILE_NOT_FOUND` (no such key file); UsageError `E_OPTION`
 * (unreadable, or not an OpenPGP private key)
 */
export async function loadKeys(key: string): Promise<PrivateKey[]> {
  let keys: PrivateKey[];
  let source = 'the private key given';
  try {
    if (key.includes(PRIVATE_KEY_HEADER)) {
      keys = await readPrivateKeys({ armoredKeys: key });
    } else {
      source = `the private key file ${key}`;
      let bytes: Buffer;
      try {
        bytes = await readFile(key);
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          throw fail('E_FILE_NOT_FOUND', 'private key file not found', key, error);
        }
        throw new UsageError('E_OPTION', `cannot read ${source} (${messageOf(error)})`, {
          cause: error,
        });
      }
      const text = bytes.toString('latin1');
      keys = text.includes('-----BEGIN PGP')
        ? await readPrivateKeys({ armoredKeys: text })
        : await readPrivateKeys({ binaryKeys: bytes });
    }
  } catch (error) {
    if (isEdxDataError(error)) throw error;
    throw new UsageError(
      'E_OPTION',
      `${source} is not an OpenPGP private key (${messageOf(error)})`,
      { cause: error },
    );
  }
  return keys;
}

const hex = (id: KeyID): string => id.toHex().toUpperCase();

/** Picks the keys that can decrypt the message and unlocks them. */
export async function unlockMatchingKeys(
  keys: readonly PrivateKey[],
  recipients: readonly KeyID[],
  passphrase: PassphraseSource,
  file: string,
): Promise<{ keys: PrivateKey[]; keyId: string | undefined }> {
  const anonymous = recipients.some((r) => /^0+$/.test(r.toHex()));
  let keyId: string | undefined;
  const matching = keys.filter((k) =>
    k.getKeyIDs().some((own) => {
      const hit = recipients.find((r) => r.equals(own));
      if (hit !== undefined) keyId ??= hex(hit);
      return hit !== undefined;
    }),
  );
  const candidates = matching.length > 0 ? matching : anonymous ? [...keys] : [];
  if (candidates.length === 0) {
    const ours = keys.flatMap((k) => k.getKeyIDs().map(hex)).join(', ');
    const theirs = recipients.map(hex).join(', ');
    throw fail(
      'E_DECRYPT_WRONG_KEY',
      recipients.length === 0
        ? `the message is not encrypted to any public key (password-encrypted?); our key ids: ${ours}`
        : `the message is encrypted for key id(s) ${theirs}, but the private key given has ids ${ours}`,
      file,
    );
  }
  if (candidates.every((k) => k.isDecrypted())) return { keys: candidates, keyId };
  const given = typeof passphrase === 'function' ? await passphrase() : passphrase;
  if (given === undefined || given === '') {
    throw fail(
      'E_PASSPHRASE_MISSING',
      `the private key ${keyId ?? candidates.map((k) => hex(k.getKeyID())).join(', ')} is protected by a passphrase, but none was given`,
      file,
    );
  }
  const unlocked: PrivateKey[] = [];
  for (const privateKey of candidates) {
    if (privateKey.isDecrypted()) {
      unlocked.push(privateKey);
      continue;
    }
    try {
      unlocked.push(await decryptKey({ privateKey, passphrase: given }));
    } catch (error) {
      throw fail(
        'E_PASSPHRASE_WRONG',
        `wrong passphrase for the private key ${hex(privateKey.getKeyID())}`,
        file,
        error,
      );
    }
  }
  return { keys: unlocked, keyId };
}
