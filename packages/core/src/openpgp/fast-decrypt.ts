/**
 * A fast path for the most common OpenPGP message layout, as GnuPG 2.2 writes it: a SEIPDv1
 * packet (CFB + MDC) with an AES session key, holding a Literal Data packet, either directly
 * or inside a ZIP/ZLIB Compressed Data packet.
 *
 * openpgp (v6) decompresses through the web `DecompressionStream`, behind a chain of web
 * streams, which is slow and memory-hungry for large files. Here openpgp only parses the outer
 * packets and decrypts the session key; the bulk data goes through Node's own AES-CFB, SHA-1
 * and zlib, and the inner packets are parsed here. The MDC is checked once the last byte has
 * been read, as openpgp does with `allowUnauthenticatedStream`.
 *
 * {@link openFastDecrypt} returns `undefined` (touching nothing that openpgp still needs)
 * for any other layout; the caller then decrypts with openpgp as usual.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import type { Decipher, Hash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import type { TransformOptions } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { createInflate, createInflateRaw } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { SymEncryptedIntegrityProtectedDataPacket } from 'openpgp';
import type { Message } from 'openpgp';
import { PartialBody } from './partial-body.js';

/** Why the fast path failed: the caller maps this to its own error codes. */
export type FastDecryptFailure = 'integrity' | 'truncated' | 'corrupt';

export class FastDecryptError extends Error {
  constructor(
    readonly kind: FastDecryptFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FastDecryptError';
  }
}

/** Node cipher names for the OpenPGP symmetric algorithms handled here (16-byte blocks). */
const CIPHERS: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  aes128: { name: 'aes-128-cfb', keyBytes: 16 },
  aes192: { name: 'aes-192-cfb', keyBytes: 24 },
  aes256: { name: 'aes-256-cfb', keyBytes: 32 },
};
const BLOCK_BYTES = 16;
/** The MDC packet at the end of the plaintext: 0xD3 0x14 and a 20-byte SHA-1. */
const MDC_BYTES = 22;
const TAG_SIGNATURE = 2;
const TAG_ONE_PASS_SIGNATURE = 4;
const TAG_COMPRESSED = 8;
const TAG_MARKER = 10;
const TAG_LITERAL = 11;
const TAG_PADDING = 21;
/** Packets that may stand beside the literal data and carry nothing we hand out. */
const SKIPPED_TAGS = new Set([TAG_SIGNATURE, TAG_ONE_PASS_SIGNATURE, TAG_MARKER, TAG_PADDING]);
const ZIP = 1;
const ZLIB = 2;
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** Decrypted bytes gathered before they are handed on. */
const GATHER_BYTES = 256 * 1024;

interface SeipdFields {
  version: unknown;
  encrypted: unknown;
}

/** One session key, as openpgp's `decryptSessionKeys` returns it. */
export interface SessionKey {
  readonly data: Uint8Array;
  readonly algorithm: string | null;
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return value instanceof ReadableStream || value instanceof globalThis.ReadableStream;
}

/** A 4-byte big-endian number. */
function be32(b: ArrayLike<number>, at: number): number {
  return (
    (((b[at] ?? 0) << 24) |
      ((b[at + 1] ?? 0) << 16) |
      ((b[at + 2] ?? 0) << 8) |
      (b[at + 3] ?? 0)) >>>
    0
  );
}

/** One chunk from several pieces. */
function join(parts: readonly Uint8Array[]): Uint8Array {
  const [first] = parts;
  return parts.length === 1 && first !== undefined ? first : Buffer.concat(parts);
}

/** Reads (and drops) the rest of an async iterable. */
async function skip(src: AsyncIterable<unknown>): Promise<void> {
  const it = src[Symbol.asyncIterator]();
  while ((await it.next()).done !== true);
}

/** Reads bytes from an async iterator of chunks. The iterator is not closed by it. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** False at the end of the data. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      const next = await this.it.next();
      if (next.done === true) return false;
      this.buf = next.value;
      this.pos = 0;
    }
    return true;
  }

  async byte(): Promise<number | undefined> {
    if (!(await this.fill())) return undefined;
    return this.buf[this.pos++];
  }

  async mustByte(): Promise<number> {
    const b = await this.byte();
    if (b === undefined) throw new FastDecryptError('corrupt', 'unexpected end of packet data');
    return b;
  }

  async bytes(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let have = 0;
    while (have < n) {
      if (!(await this.fill())) {
        throw new FastDecryptError('corrupt', 'unexpected end of packet data');
      }
      const part = this.buf.subarray(this.pos, this.pos + n - have);
      out.set(part, have);
      have += part.length;
      this.pos += part.length;
    }
    return out;
  }

  /** Exactly `n` bytes, as they come. */
  async *take(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) {
        throw new FastDecryptError('corrupt', 'unexpected end of packet data');
      }
      const part = this.buf.subarray(this.pos, this.pos + left);
      this.pos += part.length;
      left -= part.length;
      yield part;
    }
  }

  /** The body of a packet with partial body lengths, without its length headers. */
  async *partial(first: number): AsyncGenerator<Uint8Array> {
    const body = new PartialBody(first);
    while (!body.done) {
      if (!(await this.fill())) {
        throw new FastDecryptError('corrupt', 'unexpected end of packet data');
      }
      const out: Uint8Array[] = [];
      this.pos += body.push(this.buf.subarray(this.pos), out);
      if (out.length > 0) yield join(out);
    }
  }

  /** Everything up to the end of the data. */
  async *rest(): AsyncGenerator<Uint8Array> {
    while (await this.fill()) {
      const part = this.buf.subarray(this.pos);
      this.pos = this.buf.length;
      yield part;
    }
  }
}

/** A packet header: the tag and how its body length is given. */
interface PacketHeader {
  readonly tag: number;
  /** A byte count; `'partial'` with `first` the first chunk; `'rest'`: up to the end. */
  readonly length: number | 'rest' | 'partial';
  readonly first: number;
}

async function readNewLength(r: ByteReader): Promise<{ n: number; partial: boolean }> {
  const o1 = await r.mustByte();
  if (o1 < 192) return { n: o1, partial: false };
  if (o1 < 224) return { n: ((o1 - 192) << 8) + (await r.mustByte()) + 192, partial: false };
  if (o1 === 255) {
    return { n: be32(await r.bytes(4), 0), partial: false };
  }
  return { n: 1 << (o1 & 0x1f), partial: true };
}

/** Reads a packet header; `undefined` at the end of the data. */
async function readHeader(r: ByteReader): Promise<PacketHeader | undefined> {
  const b = await r.byte();
  if (b === undefined) return undefined;
  if ((b & 0x80) === 0) throw new FastDecryptError('corrupt', 'invalid packet header');
  if ((b & 0x40) !== 0) {
    const { n, partial } = await readNewLength(r);
    return partial
      ? { tag: b & 0x3f, length: 'partial', first: n }
      : { tag: b & 0x3f, length: n, first: 0 };
  }
  const tag = (b >> 2) & 0x0f;
  switch (b & 3) {
    case 0:
      return { tag, length: await r.mustByte(), first: 0 };
    case 1:
      return { tag, length: ((await r.mustByte()) << 8) | (await r.mustByte()), first: 0 };
    case 2:
      return { tag, length: be32(await r.bytes(4), 0), first: 0 };
    default:
      return { tag, length: 'rest', first: 0 };
  }
}

/** The body of a packet, without its length headers. */
async function* packetBody(r: ByteReader, header: PacketHeader): AsyncGenerator<Uint8Array> {
  if (header.length === 'rest') {
    yield* r.rest();
    return;
  }
  if (header.length !== 'partial') {
    yield* r.take(header.length);
    return;
  }
  yield* r.partial(header.first);
}

/** Inflates a ZIP (raw deflate) or ZLIB stream with Node's zlib. */
function inflate(algorithm: number, body: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  // A deep input buffer lets decryption run while zlib works (zlib passes the stream options
  // on to its Transform; its typings omit them).
  const options: ZlibOptions & TransformOptions = {
    chunkSize: INFLATE_CHUNK_BYTES,
    writableHighWaterMark: 1 << 20,
    readableHighWaterMark: 1 << 20,
  };
  const inflater = algorithm === ZIP ? createInflateRaw(options) : createInflate(options);
  return pipeline(Readable.from(body, { objectMode: false }), inflater, () => undefined);
}

/**
 * The contents of the literal data packet in a packet sequence, unwrapping one level of
 * ZIP/ZLIB compression. Signature, one-pass signature, marker and padding packets are skipped.
 */
async function* literalData(r: ByteReader, nested: boolean): AsyncGenerator<Uint8Array> {
  let literals = 0;
  for (;;) {
    const header = await readHeader(r);
    if (header === undefined) break;
    if (header.tag === TAG_LITERAL) {
      if (++literals > 1)
        throw new FastDecryptError('corrupt', 'more than one literal data packet');
      const body = new ByteReader(packetBody(r, header)[Symbol.asyncIterator]());
      await body.mustByte(); // format
      await body.bytes(await body.mustByte()); // file name
      await body.bytes(4); // date
      yield* body.rest();
    } else if (header.tag === TAG_COMPRESSED && !nested && literals === 0) {
      const body = packetBody(r, header)[Symbol.asyncIterator]();
      const first = await body.next();
      if (first.done === true) throw new FastDecryptError('corrupt', 'empty compressed packet');
      const algorithm = first.value[0];
      if (algorithm !== ZIP && algorithm !== ZLIB) {
        throw new FastDecryptError(
          'corrupt',
          `unexpected compression algorithm ${String(algorithm)}`,
        );
      }
      const rest = first.value.subarray(1);
      async function* compressed(): AsyncGenerator<Uint8Array> {
        if (rest.length > 0) yield rest;
        for (;;) {
          const next = await body.next();
          if (next.done === true) return;
          yield next.value;
        }
      }
      // Reads the inflated data to its end: zlib fails if the compressed data was cut short.
      yield* literalData(
        new ByteReader(inflate(algorithm, compressed())[Symbol.asyncIterator]()),
        true,
      );
      literals++;
    } else if (SKIPPED_TAGS.has(header.tag)) {
      await skip(packetBody(r, header));
    } else {
      throw new FastDecryptError('corrupt', `unexpected packet (tag ${String(header.tag)})`);
    }
  }
  if (literals === 0) throw new FastDecryptError('corrupt', 'no literal data packet');
}

/**
 * The plaintext of a SEIPDv1 packet, after the random prefix and before the MDC packet; the
 * MDC is checked after the source ended, and its failure thrown there.
 */
async function* decryptMdc(
  first: readonly Uint8Array[],
  source: ReadableStreamDefaultReader<Uint8Array>,
  decipher: Decipher,
  hash: Hash,
  afterEnd: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  let skip = BLOCK_BYTES + 2;
  let tail: Uint8Array = new Uint8Array(0);
  const out = function* (plain: Uint8Array): Generator<Uint8Array> {
    // Hold back the last MDC_BYTES bytes seen: they may be the MDC packet.
    let emit: Uint8Array;
    if (plain.length >= MDC_BYTES) {
      const keep = plain.length - MDC_BYTES;
      if (tail.length > 0) {
        hash.update(tail);
        if (skip > 0) {
          const s = Math.min(skip, tail.length);
          skip -= s;
          if (tail.length > s) yield tail.subarray(s);
        } else yield tail;
      }
      emit = plain.subarray(0, keep);
      tail = plain.slice(keep);
    } else {
      const all = new Uint8Array(tail.length + plain.length);
      all.set(tail);
      all.set(plain, tail.length);
      const keep = Math.max(0, all.length - MDC_BYTES);
      emit = all.subarray(0, keep);
      tail = all.slice(keep);
    }
    if (emit.length === 0) return;
    hash.update(emit);
    if (skip > 0) {
      const s = Math.min(skip, emit.length);
      skip -= s;
      emit = emit.subarray(s);
    }
    if (emit.length > 0) yield emit;
  };
  // openpgp hands out the data in small pieces (GnuPG's partial body chunks are 8 KiB): gather
  // them, so that each later stage (zlib in particular) works on large chunks.
  let pending: Uint8Array[] = first.map((chunk) => decipher.update(chunk));
  let pendingBytes = pending.reduce((n, chunk) => n + chunk.length, 0);
  for (;;) {
    const next = await source.read();
    if (next.done) break;
    const plain = decipher.update(next.value);
    pending.push(plain);
    pendingBytes += plain.length;
    if (pendingBytes >= GATHER_BYTES) {
      yield* out(Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield* out(Buffer.concat(pending, pendingBytes));
  yield* out(decipher.final());
  await afterEnd();
  if (tail.length < MDC_BYTES || skip > 0) {
    throw new FastDecryptError('truncated', 'the encrypted data ends too early');
  }
  hash.update(tail.subarray(0, 2));
  const digest = hash.digest();
  if (tail[0] !== 0xd3 || tail[1] !== 0x14 || !digest.equals(tail.subarray(2))) {
    throw new FastDecryptError('integrity', 'Modification detected.');
  }
}

/**
 * Starts decrypting `message` with `sessionKeys` on the fast path, or returns `undefined`
 * when its layout is not one handled here (nothing is consumed then).
 *
 * The returned chunks are the literal data. Errors: {@link FastDecryptError} for what is found
 * here, and whatever reading the encrypted data throws (openpgp's errors), as is. When the
 * inner data is malformed, the rest of the encrypted data is still read so that a failed
 * integrity check is reported instead.
 */
export async function openFastDecrypt(
  message: Pick<Message<never>, 'packets'>,
  sessionKeys: readonly SessionKey[],
): Promise<AsyncGenerator<Uint8Array> | undefined> {
  const packets: readonly unknown[] = message.packets;
  const seipd = packets.find((p) => p instanceof SymEncryptedIntegrityProtectedDataPacket);
  const [sessionKey] = sessionKeys;
  if (seipd === undefined || sessionKeys.length !== 1 || sessionKey === undefined) return;
  const fields = seipd as unknown as SeipdFields;
  const cipher = CIPHERS[sessionKey.algorithm ?? ''];
  if (fields.version !== 1 || cipher === undefined) return;
  if (sessionKey.data.length !== cipher.keyBytes || !isWebStream(fields.encrypted)) return;
  const encrypted = fields.encrypted;
  const outerRest = (message.packets as unknown as { stream?: unknown }).stream;

  // Decrypt the first bytes to see the layout: prefix, packet header, compression algorithm.
  const probe = createDecipheriv(cipher.name, sessionKey.data, Buffer.alloc(BLOCK_BYTES));
  const reader = encrypted.getReader();
  const first: Uint8Array[] = [];
  const seen: Uint8Array[] = [];
  let seenBytes = 0;
  const want = BLOCK_BYTES + 2 + 8;
  let ended = false;
  try {
    while (seenBytes < want) {
      const next = await reader.read();
      if (next.done) {
        ended = true;
        break;
      }
      first.push(next.value);
      const plain = probe.update(next.value);
      seen.push(plain);
      seenBytes += plain.length;
    }
  } catch {
    ended = true; // let openpgp report it
  }
  const head = Buffer.concat(seen);
  let fast = false;
  if (!ended && head.length >= want) {
    const b = head[BLOCK_BYTES + 2] ?? 0;
    const tag = (b & 0x40) !== 0 ? b & 0x3f : (b >> 2) & 0x0f;
    if (tag === TAG_LITERAL) fast = true;
    else if (tag === TAG_COMPRESSED) {
      // The algorithm follows the length: 1 octet (old format, or new < 192), 2, 4 or 5.
      let at = BLOCK_BYTES + 3;
      if ((b & 0x40) !== 0) {
        const o1 = head[at] ?? 0;
        at += o1 < 192 || (o1 >= 224 && o1 < 255) ? 1 : o1 < 224 ? 2 : 5;
      } else at += [1, 2, 4, 0][b & 3] ?? 0;
      const algorithm = head[at];
      fast = algorithm === ZIP || algorithm === ZLIB;
    }
  }
  if (!fast) {
    // Give openpgp the bytes read so far, then the rest.
    const replay = first.splice(0);
    fields.encrypted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const chunk = replay.shift();
          if (chunk !== undefined) {
            controller.enqueue(chunk);
            return;
          }
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return;
  }

  const decipher = createDecipheriv(cipher.name, sessionKey.data, Buffer.alloc(BLOCK_BYTES));
  const hash = createHash('sha1');
  /** Reads what follows the encrypted packet (trailing packets, armor checksum), for its errors. */
  const afterEnd = async (): Promise<void> => {
    if (!isWebStream(outerRest)) return;
    const rest = outerRest.getReader();
    for (;;) if ((await rest.read()).done) return;
  };
  const source: { done: boolean; failed: boolean; error: unknown } = {
    done: false,
    failed: false,
    error: undefined,
  };
  // Functions, so that TypeScript does not narrow the fields across the awaits below.
  const sourceOver = (): boolean => source.done || source.failed;
  const sourceFailed = (): boolean => source.failed;
  const plain = (async function* () {
    try {
      yield* decryptMdc(first, reader, decipher, hash, afterEnd);
      source.done = true;
    } catch (error) {
      source.failed = true;
      source.error = error;
      throw error;
    }
  })();
  return (async function* () {
    try {
      try {
        // Reads the decrypted data to its end, where the MDC is checked.
        yield* literalData(new ByteReader(plain), false);
      } catch (error) {
        // Malformed inner data: a failed integrity check at the end is the better diagnosis.
        // (The source's error may also have reached a reader other than this one: zlib's.)
        if (!sourceOver()) await skip(plain);
        if (sourceFailed()) throw source.error;
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && code.startsWith('Z_')) {
          const message = error instanceof Error ? error.message : String(error);
          throw new FastDecryptError('corrupt', `compressed data is corrupt: ${message}`, {
            cause: error,
          });
        }
        throw error;
      }
    } finally {
      if (!sourceOver()) {
        await plain.return(undefined).catch(() => undefined);
        await reader.cancel().catch(() => undefined);
      }
      try {
        reader.releaseLock();
      } catch {
        // a read still pending: nothing more to do
      }
    }
  })();
}
