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
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable, addAbortSignal } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import type { ReadableStreamReadResult } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { decrypt, decryptKey, decryptSessionKeys, readMessage, readPrivateKeys } from 'openpgp';
import type { KeyID, PrivateKey, SessionKey } from 'openpgp';
import { InputError, UsageError, isEdxDataError } from './errors.js';
import { openZipEntry } from './zip-archive.js';
import { FastDecryptError, openFastDecrypt } from './openpgp-fast-decrypt.js';
import { reframePartialBodies } from './openpgp-reframe.js';
import type { ErrorCode } from './errors.js';

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

const CHUNK_BYTES = 1 << 20;
const SNIFF_BYTES = 64;
const ARMOR_HEADER = '-----BEGIN PGP MESSAGE-----';
const ARMOR_FOOTER = '-----END PGP MESSAGE-----';
const PRIVATE_KEY_HEADER = '-----BEGIN PGP PRIVATE KEY BLOCK-----';
const GPG_NAME = /\.(gpg|pgp)$/i;
const ARMOR_NAME = /\.asc$/i;
const GZIP_NAME = /\.gz$/i;
/** OpenPGP packet tags that can start an encrypted message: PKESK, SKESK, SED, marker, SEIPD, AEAD. */
const ENCRYPTED_MESSAGE_TAGS = new Set([1, 3, 9, 10, 18, 20]);

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

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(code: ErrorCode, message: string, file: string, cause?: unknown): InputError {
  return new InputError(code, message, cause === undefined ? { file } : { file, cause });
}

/** True for the first bytes of a binary OpenPGP encrypted message. */
function looksLikeBinaryPgp(head: Uint8Array): boolean {
  const b = head[0];
  if (b === undefined || (b & 0x80) === 0) return false;
  const tag = (b & 0x40) !== 0 ? b & 0x3f : (b >> 2) & 0x0f;
  return ENCRYPTED_MESSAGE_TAGS.has(tag);
}

function looksLikeArmoredPgp(head: Uint8Array): boolean {
  const text = Buffer.from(head)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  return text.trimStart().startsWith(ARMOR_HEADER);
}

function looksLikeGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Reads the file from `position` to the end, in 1 MiB chunks, reporting progress. */
async function* fileChunks(
  fh: FileHandle,
  totalBytes: number,
  progress: { bytesRead: number },
  options: OpenInputOptions,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    options.signal?.throwIfAborted();
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, progress.bytesRead);
    if (bytesRead === 0) return;
    progress.bytesRead += bytesRead;
    options.onProgress?.(progress.bytesRead, totalBytes);
    yield buf.subarray(0, bytesRead);
  }
}

/** A pull-based web stream over an async iterator (backpressure: one chunk at a time). */
function toWebStream<T>(it: AsyncIterator<T>): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(controller) {
        const next = await it.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** Decodes armored text for openpgp, noting whether the armor's END line came by. */
async function* decodeArmor(
  src: AsyncIterable<Uint8Array>,
  seen: { end: boolean },
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let tail = '';
  const look = (text: string): string => {
    const window = tail + text;
    if (!seen.end && window.includes(ARMOR_FOOTER)) seen.end = true;
    tail = window.slice(-ARMOR_FOOTER.length);
    return text;
  };
  for await (const chunk of src) yield look(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest !== '') yield look(rest);
}

/** Reads the web stream to its end, mapping its errors; cancels it if stopped early. */
async function* webChunks(
  stream: ReadableStream<Uint8Array>,
  mapError: (error: unknown) => Error,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        finished = true;
        throw mapError(error);
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Splits off the first `n` bytes (fewer at the end) without losing the rest. */
async function peek(
  src: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; rest: AsyncGenerator<Uint8Array>; cancel: () => Promise<void> }> {
  const it = src[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < n) {
    const next = await it.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    seen.push(next.value);
    length += next.value.length;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      yield* seen.splice(0);
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      if (!ended) await it.return?.();
    }
  }
  const cancel = async (): Promise<void> => {
    if (!ended) await it.return?.();
  };
  return { head: Buffer.concat(seen).subarray(0, n), rest: rest(), cancel };
}

function gzipError(error: unknown, file: string): InputError {
  if (errnoCode(error) === 'Z_BUF_ERROR') {
    return fail(
      'E_GZIP_TRUNCATED',
      'gzip data ends too early (truncated file or incomplete download)',
      file,
      error,
    );
  }
  return fail('E_GZIP_CORRUPT', `gzip data is corrupt (${messageOf(error)})`, file, error);
}

/**
 * Gunzips `src` (all members of a multi-member gzip), mapping zlib errors to InputErrors.
 *
 * With `verifyOnError` (the source is decrypted data), a gzip error is only reported after the
 * rest of the source has been read and discarded: if the ciphertext was tampered with, the
 * decompressor usually trips first, but the true cause is the failed integrity check at the
 * end, and that is the error to report.
 */
async function* gunzipChunks(
  src: AsyncIterable<Uint8Array>,
  file: string,
  verifyOnError: boolean,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const it = src[Symbol.asyncIterator]();
  const stopFeeding = new AbortController();
  /** `ended`: the source ran out cleanly; `error`: reading the source failed. */
  const state: { ended: boolean; error: Error | undefined } = { ended: false, error: undefined };
  // A function, so that TypeScript does not narrow the field across the awaits below.
  const sourceError = (): Error | undefined => state.error;
  /**
   * The next chunk, already asked for while gunzip works on the one before: the stages
   * upstream (decryption, inflation) then run alongside it instead of in turn.
   */
  let prefetched: Promise<IteratorResult<Uint8Array>> | undefined;
  const pull = (): Promise<IteratorResult<Uint8Array>> => {
    const next = prefetched ?? it.next();
    prefetched = undefined;
    return next;
  };
  const feeding = (async () => {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await pull();
      } catch (error) {
        state.error = error instanceof Error ? error : new Error(String(error));
        gunzip.destroy(state.error);
        return;
      }
      if (next.done === true) {
        state.ended = true;
        if (!gunzip.destroyed) gunzip.end();
        return;
      }
      if (gunzip.destroyed) return;
      if (!gunzip.write(next.value)) {
        prefetched = it.next();
        prefetched.catch(() => undefined); // awaited later, by pull()
        try {
          await once(gunzip, 'drain', { signal: stopFeeding.signal });
        } catch {
          return; // gunzip failed (its error reaches the reader below) or we stopped
        }
      }
    }
  })();
  let failed = false;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    failed = true;
    if (state.error !== undefined) throw state.error;
    const mapped = gzipError(error, file);
    if (!verifyOnError) throw mapped;
    stopFeeding.abort();
    await feeding;
    const late = sourceError();
    if (late !== undefined) throw late;
    // Drain the rest of the decrypted data: an integrity failure there wins.
    while (!state.ended) state.ended = (await pull()).done === true;
    throw mapped;
  } finally {
    stopFeeding.abort();
    gunzip.destroy();
    await feeding;
    if (!state.ended && !failed && state.error === undefined) await it.return?.();
  }
}

async function loadKeys(key: string): Promise<PrivateKey[]> {
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
async function unlockMatchingKeys(
  keys: readonly PrivateKey[],
  recipients: readonly KeyID[],
  options: OpenInputOptions,
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
  const given = options.passphrase;
  const passphrase = typeof given === 'function' ? await given() : given;
  if (passphrase === undefined || passphrase === '') {
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
      unlocked.push(await decryptKey({ privateKey, passphrase }));
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

/** Maps an error thrown by openpgp while reading or decrypting to an InputError. */
function pgpError(
  error: unknown,
  file: string,
  streaming: boolean,
  armor: { end: boolean } | undefined,
): Error {
  if (isEdxDataError(error)) return error;
  if (error instanceof FastDecryptError && error.kind === 'corrupt') {
    return fail('E_GPG_CORRUPT', `the OpenPGP data is corrupt (${error.message})`, file, error);
  }
  if (error instanceof FastDecryptError && error.kind === 'truncated') {
    return fail(
      'E_GPG_TRUNCATED',
      'the encrypted data ends too early (truncated file or incomplete download)',
      file,
      error,
    );
  }
  const text = messageOf(error);
  const armorCut = armor !== undefined && !armor.end && /armor/i.test(text);
  if (armorCut || /Unexpected end of packet|end of stream|Unexpected EOF/i.test(text)) {
    return fail(
      'E_GPG_TRUNCATED',
      'the encrypted data ends too early (truncated file or incomplete download)',
      file,
      error,
    );
  }
  if (/Modification detected|integrity|authentication tag|checksum/i.test(text) || streaming) {
    return fail(
      'E_INTEGRITY',
      `the OpenPGP integrity check failed (${text}): the file was modified or is corrupt; ` +
        'discard everything read from it',
      file,
      error,
    );
  }
  return fail('E_GPG_CORRUPT', `the OpenPGP data is corrupt (${text})`, file, error);
}

async function decryptChunks(
  ciphertext: AsyncGenerator<Uint8Array>,
  armored: boolean,
  options: OpenInputOptions,
  file: string,
): Promise<{ chunks: AsyncGenerator<Uint8Array>; keyId: string | undefined }> {
  if (options.key === undefined) {
    throw fail(
      'E_DECRYPT_NO_KEY',
      'the file is OpenPGP-encrypted but no private key was given',
      file,
    );
  }
  const keys = await loadKeys(options.key);
  const config = { allowUnauthenticatedStream: true };
  /** A truncated armored file fails as "Misformed armored text": tell it by the missing END line. */
  const armor = { end: false };
  let message;
  try {
    message = armored
      ? await readMessage({ armoredMessage: toWebStream(decodeArmor(ciphertext, armor)), config })
      : await readMessage({
          binaryMessage: toWebStream(reframePartialBodies(ciphertext)),
          config,
        });
  } catch (error) {
    throw pgpError(error, file, false, armored ? armor : undefined);
  }
  const unlocked = await unlockMatchingKeys(keys, message.getEncryptionKeyIDs(), options, file);
  const sessionKeyError = (error: unknown): Error => {
    const text = messageOf(error);
    if (/Session key decryption failed|Decryption error|No decryption key packets/i.test(text)) {
      return fail(
        'E_GPG_CORRUPT',
        `the session key could not be decrypted with key ${unlocked.keyId ?? '(anonymous recipient)'}: ` +
          `the file is corrupt or was not encrypted for this key (${text})`,
        file,
        error,
      );
    }
    return pgpError(error, file, false, armored ? armor : undefined);
  };
  const mapStreamError = (error: unknown): Error =>
    pgpError(error, file, true, armored ? armor : undefined);
  let sessionKeys;
  try {
    sessionKeys = await decryptSessionKeys({ message, decryptionKeys: unlocked.keys, config });
  } catch (error) {
    throw sessionKeyError(error);
  }
  const fast = await openFastDecrypt(message, sessionKeys);
  if (fast !== undefined) {
    return { chunks: mapErrors(fast, mapStreamError), keyId: unlocked.keyId };
  }
  let result;
  try {
    // `algorithm` is null for SEIPDv2 session keys, which openpgp accepts (its typings don't).
    const keys = sessionKeys as SessionKey[];
    result = await decrypt({ message, sessionKeys: keys, format: 'binary', config });
  } catch (error) {
    throw sessionKeyError(error);
  }
  // openpgp's typings reference @openpgp/web-stream-tools, which is not installed.
  const data = result.data as unknown as ReadableStream<Uint8Array>;
  return { chunks: webChunks(data, mapStreamError), keyId: unlocked.keyId };
}

/** Passes the chunks through, mapping the errors thrown while reading them. */
async function* mapErrors(
  src: AsyncGenerator<Uint8Array>,
  mapError: (error: unknown) => Error,
): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await src.next();
      } catch (error) {
        finished = true;
        throw mapError(error);
      }
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await src.return(undefined).catch(() => undefined);
  }
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    const fh = await open(path, 'r');
    const stat = await fh.stat().catch(async (error: unknown) => {
      await fh.close();
      throw error;
    });
    if (!stat.isFile()) {
      await fh.close();
      throw fail('E_INPUT', 'not a regular file', path);
    }
    return fh;
  } catch (error) {
    if (isEdxDataError(error)) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw fail('E_FILE_NOT_FOUND', 'file not found', path, error);
    }
    if (code === 'EISDIR') throw fail('E_INPUT', 'not a regular file', path, error);
    throw fail('E_INPUT', `cannot open the file (${messageOf(error)})`, path, error);
  }
}

/** An entry of a zip archive, as {@link walkInputs} yields it. */
export interface ZipEntryInput {
  /** The zip file. */
  readonly archive: string;
  /** The entry's path inside it. */
  readonly entry: string;
}

/** Where the bytes of an input come from: a file on disk or an entry of a zip archive. */
interface ByteSource {
  readonly totalBytes: number;
  /** The first `n` bytes (fewer for a shorter input), without consuming them. */
  head(n: number): Promise<Uint8Array>;
  /** Every byte from the start, reporting progress. */
  chunks(progress: { bytesRead: number }, options: OpenInputOptions): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

async function fileSource(path: string): Promise<ByteSource> {
  const fh = await openFile(path);
  try {
    const totalBytes = (await fh.stat()).size;
    return {
      totalBytes,
      head: async (n) => {
        const buf = Buffer.alloc(n);
        return buf.subarray(0, (await fh.read(buf, 0, n, 0)).bytesRead);
      },
      chunks: (progress, options) => fileChunks(fh, totalBytes, progress, options),
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

async function zipEntrySource(input: ZipEntryInput): Promise<ByteSource> {
  const { stream, size } = await openZipEntry(input.archive, input.entry);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let exhausted = false;
  const pull = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done === true) {
      exhausted = true;
      return false;
    }
    buffered.push(next.value);
    bufferedBytes += next.value.length;
    return true;
  };
  return {
    totalBytes: size,
    head: async (n) => {
      while (bufferedBytes < n && !exhausted && (await pull()));
      return Buffer.concat(buffered).subarray(0, n);
    },
    chunks: async function* (progress, options) {
      for (;;) {
        options.signal?.throwIfAborted();
        const chunk = buffered.shift() ?? ((await pull()) ? buffered.shift() : undefined);
        if (chunk === undefined) return;
        progress.bytesRead += chunk.length;
        options.onProgress?.(progress.bytesRead, size);
        yield chunk;
      }
    },
    close: () => {
      stream.destroy();
      return Promise.resolve();
    },
  };
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
  const source = typeof input === 'string' ? await fileSource(input) : await zipEntrySource(input);
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
      const decrypted = await decryptChunks(chunks, armoredPgp, opts, file);
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
