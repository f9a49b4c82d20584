/**
 * Turning a failure to read or decrypt an OpenPGP message into an {@link InputError}.
 *
 * No error is told by its message. The fast path ({@link FastDecryptError}) says what went
 * wrong with its `kind`. openpgp's own errors are plain `Error`s (its few error classes are
 * about unsupported packets), so they are classified by what we know for certain around
 * them instead of by their English text:
 *
 * - whether the input ended inside a packet (binary, seen by the re-framer) or before the
 *   armor's END line (armored, seen by the armor reader): then the file is truncated;
 * - the stage the error came from: reading the outer packets, decrypting the session key, or
 *   streaming the decrypted data, where any failure means the data cannot be trusted (that
 *   is where openpgp's integrity check fails: the MDC, an AEAD tag, or inner data garbled by
 *   tampering).
 */
import { isEdxDataError } from '../errors.js';
import { fail, messageOf } from '../input/failure.js';
import { FastDecryptError } from './fast-decrypt.js';
import type { FastDecryptFailure } from './fast-decrypt.js';

/** What the outer framing showed about the end of the input; `cut` is final once it ended. */
export interface InputEnd {
  /** True when the input ended inside a packet, or an armored one before its END line. */
  cut: boolean;
}

/** Where in decryption an error came from. */
export type PgpStage = 'read' | 'session-key' | 'stream';

/** Why reading an OpenPGP message failed. */
export type PgpFailure = FastDecryptFailure | 'session-key';

/** The failure an error of `openpgp` itself stands for (see the module comment). */
export function openpgpFailure(stage: PgpStage, end: InputEnd): PgpFailure {
  if (end.cut) return 'truncated';
  switch (stage) {
    case 'read':
      return 'corrupt';
    case 'session-key':
      return 'session-key';
    case 'stream':
      return 'integrity';
  }
}

/** The failure an error stands for: a fast-path error's own kind, or {@link openpgpFailure}. */
export function pgpFailure(error: unknown, stage: PgpStage, end: InputEnd): PgpFailure {
  return error instanceof FastDecryptError ? error.kind : openpgpFailure(stage, end);
}

/** Context for the messages of {@link pgpError}. */
export interface PgpErrorContext {
  readonly file: string;
  readonly stage: PgpStage;
  readonly end: InputEnd;
  /** The key the session key was for, when known. */
  readonly keyId?: string | undefined;
}

/** Maps an error thrown while reading or decrypting a message to an InputError. */
export function pgpError(error: unknown, context: PgpErrorContext): Error {
  if (isEdxDataError(error)) return error;
  const { file } = context;
  const text = messageOf(error);
  const failure = pgpFailure(error, context.stage, context.end);
  switch (failure) {
    case 'truncated':
      return fail(
        'E_GPG_TRUNCATED',
        'the encrypted data ends too early (truncated file or incomplete download)',
        file,
        error,
      );
    case 'integrity':
      return fail(
        'E_INTEGRITY',
        `the OpenPGP integrity check failed (${text}): the file was modified or is corrupt; ` +
          'discard everything read from it',
        file,
        error,
      );
    case 'session-key':
      return fail(
        'E_GPG_CORRUPT',
        `the session key could not be decrypted with key ${context.keyId ?? '(anonymous recipient)'}: ` +
          `the file is corrupt or was not encrypted for this key (${text})`,
        file,
        error,
      );
    case 'corrupt':
      return fail('E_GPG_CORRUPT', `the OpenPGP data is corrupt (${text})`, file, error);
  }
}
