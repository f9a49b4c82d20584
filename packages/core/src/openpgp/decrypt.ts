/**
 * Decrypting an OpenPGP message as a stream: openpgp reads the outer packets and decrypts the
 * session key; the data then goes through the fast path ({@link openFastDecrypt}) when its
 * layout allows, else through openpgp's own streaming `decrypt`. Every error comes out as an
 * {@link InputError} (see `failure.ts`).
 */
import type { ReadableStream } from 'node:stream/web';
import {
  SymmetricallyEncryptedDataPacket,
  decrypt,
  decryptSessionKeys,
  readMessage,
} from 'openpgp';
import type { SessionKey } from 'openpgp';
import { mapErrors, toWebStream, webChunks } from '../input/async-iteration.js';
import { fail } from '../input/failure.js';
import { decodeArmor } from './armor.js';
import { openFastDecrypt } from './fast-decrypt.js';
import { pgpError } from './failure.js';
import type { InputEnd, PgpStage } from './failure.js';
import { loadKeys, unlockMatchingKeys } from './keys.js';
import type { PassphraseSource } from './keys.js';
import { reframePartialBodies } from './reframe.js';

export interface DecryptOptions {
  /** An armored private key, or the path of a key file. */
  readonly key: string | undefined;
  readonly passphrase: PassphraseSource;
  /**
   * Whether the fast path may be used (it is, whenever the layout allows). Only tests turn it
   * off, to compare both routes on the same messages. @default true
   */
  readonly fastPath?: boolean;
}

/** A message being decrypted. */
export interface Decryption {
  /** The plaintext (the literal data). Errors are InputErrors. */
  readonly chunks: AsyncGenerator<Uint8Array>;
  /** Long key id of the key that decrypted the session key (undefined: anonymous recipient). */
  readonly keyId: string | undefined;
  /** Which route decrypts the data: the fast path or openpgp's own `decrypt`. */
  readonly route: 'fast' | 'openpgp';
}

/**
 * Starts decrypting `ciphertext` (binary, or armored text when `armored`). Problems found
 * before any plaintext (no key, wrong key, passphrase, damaged header, no integrity
 * protection) reject; later ones (`E_INTEGRITY`, `E_GPG_TRUNCATED`) come through the chunks.
 */
export async function decryptChunks(
  ciphertext: AsyncGenerator<Uint8Array>,
  armored: boolean,
  options: DecryptOptions,
  file: string,
): Promise<Decryption> {
  if (options.key === undefined) {
    throw fail(
      'E_DECRYPT_NO_KEY',
      'the file is OpenPGP-encrypted but no private key was given',
      file,
    );
  }
  const keys = await loadKeys(options.key);
  const config = { allowUnauthenticatedStream: true };
  const end: InputEnd = { cut: false };
  const mapError =
    (stage: PgpStage, keyId?: string) =>
    (error: unknown): Error =>
      pgpError(error, { file, stage, end, keyId });
  let message;
  try {
    message = armored
      ? await readMessage({ armoredMessage: toWebStream(decodeArmor(ciphertext, end)), config })
      : await readMessage({
          binaryMessage: toWebStream(reframePartialBodies(ciphertext, end)),
          config,
        });
  } catch (error) {
    throw mapError('read')(error);
  }
  if (message.packets.some((p) => p instanceof SymmetricallyEncryptedDataPacket)) {
    // openpgp refuses these too (`allowUnauthenticatedMessages`), but only once decrypting.
    throw fail(
      'E_INTEGRITY',
      'the message has no integrity protection (a Symmetrically Encrypted Data packet, ' +
        'without MDC): it cannot be checked, so it is not read',
      file,
    );
  }
  const unlocked = await unlockMatchingKeys(
    keys,
    message.getEncryptionKeyIDs(),
    options.passphrase,
    file,
  );
  const { keyId } = unlocked;
  let sessionKeys;
  try {
    sessionKeys = await decryptSessionKeys({ message, decryptionKeys: unlocked.keys, config });
  } catch (error) {
    throw mapError('session-key', keyId)(error);
  }
  const fast = options.fastPath === false ? undefined : await openFastDecrypt(message, sessionKeys);
  if (fast !== undefined) {
    return { chunks: mapErrors(fast, mapError('stream', keyId)), keyId, route: 'fast' };
  }
  let result;
  try {
    // `algorithm` is null for SEIPDv2 session keys, which openpgp accepts (its typings don't).
    const keys = sessionKeys as SessionKey[];
    result = await decrypt({ message, sessionKeys: keys, format: 'binary', config });
  } catch (error) {
    throw mapError('session-key', keyId)(error);
  }
  // openpgp's typings reference @openpgp/web-stream-tools, which is not installed.
  const data = result.data as unknown as ReadableStream<Uint8Array>;
  return { chunks: webChunks(data, mapError('stream', keyId)), keyId, route: 'openpgp' };
}
