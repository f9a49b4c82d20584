/**
 * Open an input file as a plaintext byte stream, whatever its wrapping: OpenPGP encryption
 * (`.gpg`, binary or armored), gzip (`.gz`, including multi-member), both (`.log.gz.gpg`), or
 * neither. Everything streams: the plaintext is never written to disk and no file is held in
 * memory.
 *
 * READ THIS BEFORE COMMITTING ANYTHING: with streaming decryption, OpenPGP can only check the
 * integrity of the data (the MDC of a SEIPDv1 message, as GnuPG 2.2 writes it) at the very
 * end, after all of the plaintext has been handed out. A tampered or corrupt file therefore
 * looks fine until its last chunk. {@link OpenedInput.done} is the verdict: commit what you
 * derived from the stream only after `done` has resolved.
 */
import { Readable, addAbortSignal } from 'node:stream';
import { UsageError, isEdxDataError } from './errors.js';
import { peek } from './input/async-iteration.js';
import { fileSource, zipEntrySource } from './input/byte-source.js';
import { errnoCode, fail, messageOf } from './input/failure.js';
import { gunzipChunks } from './input/gunzip.js';
import {
  ARMOR_NAME,
  GPG_NAME,
  GZIP_NAME,
  SNIFF_BYTES,
  looksLikeArmoredPgp,
  looksLikeBinaryPgp,
  looksLikeGzip,
} from './input/sniff.js';
import { decryptChunks } from './openpgp/decrypt.js';

/** A wrapping that {@link openInput} removed, outermost first. */
export type InputLayer = 'gpg' | 'gzip';

/** Supplies the passphrase of the private key when (and only when) it is needed. */
export type PassphraseProvider = () => string | undefined | Promise<string | undefined>;

export interface OpenInputOptions {
  /**
   * The OpenPGP private key (or keys) for `.gpg` input: an ASCII-armored key block, or the
   * path of a file holding one (armored or binary). Needed only if the file is encrypted.
   */
  readonly key?: string | undefined;
  /**
   * Passphrase of the private key, or a function returning it (called at most once, only if
   * the matching key is protected). @default none
   */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Abort reading: the stream is destroyed and `done` rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called after each read from disk with the bytes of the file read so far (ciphertext or
   * compressed bytes, not plaintext) and the file size.
   */
  readonly onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined;
}

/** What is known about an input once its stream has ended cleanly. */
export interface InputVerdict {
  readonly file: string;
  /** The wrappings that were removed, outermost first: `[]`, `['gzip']`, `['gpg', 'gzip']`... */
  readonly layers: readonly InputLayer[];
  /** Size of the file on disk. */
  readonly totalBytes: number;
  /** Bytes read from disk (equals `totalBytes` after a clean end). */
  readonly bytesRead: number;
  /** Plaintext bytes handed out by the stream. */
  readonly plaintextBytes: number;
  /** Long key id (16 upper-case hex digits) of the key that decrypted the file, for `.gpg`. */
  readonly decryptionKeyId: string | undefined;
  /** True when the OpenPGP integrity check (MDC/AEAD) passed; false for unencrypted input. */
  readonly integrityChecked: boolean;
}

/** An input opened by {@link openInput}. */
export interface OpenedInput {
  /** The path as given. */
  readonly file: string;
  /** The wrappings detected (from magic bytes and the name), outermost first. */
  readonly layers: readonly InputLayer[];
  /**
   * The plaintext bytes. It ends with `'error'` (an {@link InputError}) when anything goes
   * wrong, including a failed integrity check after the last byte, so a clean `'end'` means
   * the whole input was read and verified. Destroying it early (or `break` in `for await`)
   * closes the file.
   */
  readonly stream: Readable;
  /**
   * The end-of-stream verdict. Resolves only after the stream ended cleanly and every check
   * (OpenPGP integrity, gzip CRC and length) passed; rejects with the same error the stream
   * emitted, with `signal.reason` on abort, or with a `UsageError` (`E_USAGE`) if the stream
   * was destroyed before its end. **Commit nothing derived from the stream before this
   * resolves.** Rejections are not reported as unhandled if you never look at it.
   */
  readonly done: Promise<InputVerdict>;
}

/** An entry of a zip archive, as {@link walkInputs} yields it. */
export interface ZipEntryInput {
  /** The zip file. */
  readonly archive: string;
  /** The entry's path inside it. */
  readonly entry: string;
}

function normalizeOptions(options: OpenInputOptions): OpenInputOptions {
  const { key, passphrase, signal, onProgress } = options;
  if (key !== undefined && (typeof key !== 'string' || key === '')) {
    throw new UsageError('E_OPTION', 'openInput: `key` must be an armored key or a file path');
  }
  if (
    passphrase !== undefined &&
    typeof passphrase !== 'string' &&
    typeof passphrase !== 'function'
  ) {
    throw new UsageError('E_OPTION', 'openInput: `passphrase` must be a string or a function');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new UsageError('E_OPTION', 'openInput: `onProgress` must be a function');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new UsageError('E_OPTION', 'openInput: `signal` must be an AbortSignal');
  }
  return { key, passphrase, signal, onProgress };
}

/**
 * Open a file (or an entry of a zip archive) and return its plaintext as a byte stream, removing OpenPGP encryption and gzip
 * compression, each detected from the magic bytes as well as the name (`.gpg`/`.pgp`/`.asc`,
 * `.gz`). A name that promises a wrapping the bytes don't have is an error.
 *
 * Decryption streams (openpgp v6 with `allowUnauthenticatedStream`), so integrity is only
 * known at the end: **a tampered file hands out all of its plaintext and only then fails**
 * with `E_INTEGRITY`. The stream then ends with `'error'` instead of `'end'`, and `done`
 * rejects. Stage whatever you derive from the stream and commit it only once `done` resolved:
 *
 * ```ts
 * const input = await openInput('x.log.gz.gpg', { key: 'secret.asc', passphrase: () => env.PASS });
 * for await (const { text } of readLines(input.stream, { file: input.file })) stage(text);
 * await input.done; // throws E_INTEGRITY etc. here if anything was wrong
 * commit();
 * ```
 *
 * Problems found before any plaintext is available reject the returned promise instead:
 * `E_FILE_NOT_FOUND`, `E_DECRYPT_NO_KEY`, `E_DECRYPT_WRONG_KEY` (naming the key ids),
 * `E_PASSPHRASE_MISSING`, `E_PASSPHRASE_WRONG`, `E_GPG_CORRUPT`, `E_GPG_TRUNCATED`,
 * `E_GZIP_CORRUPT`, `E_GZIP_TRUNCATED`. Later ones (`E_INTEGRITY`, `E_GPG_TRUNCATED`,
 * `E_GZIP_*`) come through the stream and `done`. Every error names the file.
 *
 * @throws UsageError `E_OPTION` for invalid options or an unreadable/unparsable key.
 */
export async function openInput(
  input: string | ZipEntryInput,
  options: OpenInputOptions = {},
): Promise<OpenedInput> {
  const opts = normalizeOptions(options);
  opts.signal?.throwIfAborted();
  const file = typeof input === 'string' ? input : `${input.archive}:${input.entry}`;
  const source =
    typeof input === 'string'
      ? await fileSource(input)
      : await zipEntrySource(input.archive, input.entry);
  const progress = { bytesRead: 0 };
  let handedOver = false;
  try {
    const totalBytes = source.totalBytes;
    const head = await source.head(SNIFF_BYTES);
    const layers: InputLayer[] = [];
    let inner = file;
    let chunks: AsyncGenerator<Uint8Array> = source.chunks(progress, opts);
    let keyId: string | undefined;

    const binaryPgp = looksLikeBinaryPgp(head);
    const armoredPgp = !binaryPgp && looksLikeArmoredPgp(head);
    if (binaryPgp || armoredPgp || GPG_NAME.test(file)) {
      if (!binaryPgp && !armoredPgp) {
        throw totalBytes === 0
          ? fail('E_GPG_TRUNCATED', 'the file is empty, but its name says OpenPGP-encrypted', file)
          : fail('E_GPG_CORRUPT', 'the file does not start with an OpenPGP message', file);
      }
      layers.push('gpg');
      inner = file.replace(GPG_NAME, '').replace(ARMOR_NAME, '');
      const decrypted = await decryptChunks(
        chunks,
        armoredPgp,
        { key: opts.key, passphrase: opts.passphrase },
        file,
      );
      chunks = decrypted.chunks;
      keyId = decrypted.keyId;
    }

    const peeked =
      layers.length === 0
        ? { head, rest: chunks, cancel: () => Promise.resolve() }
        : await peek(chunks, 2);
    chunks = peeked.rest;
    if (looksLikeGzip(peeked.head) || GZIP_NAME.test(inner)) {
      if (!looksLikeGzip(peeked.head)) {
        await peeked.cancel();
        throw peeked.head.length < 2
          ? fail('E_GZIP_TRUNCATED', 'the gzip data is empty or cut short', file)
          : fail('E_GZIP_CORRUPT', 'the data does not start with a gzip header', file);
      }
      layers.push('gzip');
      chunks = gunzipChunks(chunks, file, layers.includes('gpg'));
    }

    let settle!: { resolve: (v: InputVerdict) => void; reject: (e: unknown) => void };
    const done = new Promise<InputVerdict>((resolve, reject) => {
      settle = { resolve, reject };
    });
    done.catch(() => undefined);
    let plaintextBytes = 0;
    let ended = false;
    let failure: unknown;
    const plaintext = chunks;
    async function* output(): AsyncGenerator<Uint8Array> {
      /** Errors thrown in at the yield come from destroying the stream, not from the input. */
      let yielding = false;
      try {
        for await (const chunk of plaintext) {
          plaintextBytes += chunk.length;
          yielding = true;
          yield chunk;
          yielding = false;
        }
        ended = true;
      } catch (error) {
        if (!yielding) failure = error;
        throw error;
      }
    }
    const stream = Readable.from(output(), { objectMode: false });
    if (opts.signal !== undefined) addAbortSignal(opts.signal, stream);
    // 'close' comes after the generator has finished or been returned (which cancels the
    // decryption and gunzip stages), also when the stream is destroyed before its first read.
    stream.once('close', () => {
      void source
        .close()
        .catch(() => undefined)
        .then(() => {
          if (ended) {
            settle.resolve({
              file,
              layers,
              totalBytes,
              bytesRead: progress.bytesRead,
              plaintextBytes,
              decryptionKeyId: keyId,
              integrityChecked: layers.includes('gpg'),
            });
          } else if (opts.signal?.aborted === true) {
            settle.reject(opts.signal.reason);
          } else if (failure !== undefined) {
            settle.reject(failure);
          } else if (stream.errored !== null && stream.errored.name !== 'AbortError') {
            settle.reject(stream.errored); // destroy(error) by the caller
          } else {
            settle.reject(
              new UsageError('E_USAGE', 'the input stream was closed before its end', {
                file,
                cause: stream.errored ?? undefined,
              }),
            );
          }
        });
    });
    handedOver = true;
    return { file, layers, stream, done };
  } catch (error) {
    throw isEdxDataError(error) || errnoCode(error) === undefined
      ? error
      : fail('E_INPUT', `cannot read the file (${messageOf(error)})`, file, error);
  } finally {
    if (!handedOver) await source.close().catch(() => undefined);
  }
}
