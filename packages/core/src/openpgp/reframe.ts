/**
 * Re-frames the partial body lengths of binary OpenPGP packets into large chunks.
 *
 * GnuPG writes the data of a message it does not know the length of (encrypting from stdin)
 * with partial body lengths of 8 KiB. openpgp hands each partial chunk through its chain of
 * web streams separately, which costs about as much per chunk as decrypting a megabyte. This
 * rewrites such a packet's framing into 1 MiB partial chunks (and a final definite length),
 * byte for byte the same packet contents; everything else passes through unchanged.
 *
 * Input that is not well-formed is passed on as it is from where the problem starts, so that
 * openpgp reports it; a packet cut short is passed on cut short (its last chunk announced with
 * a longer length than it has), so that openpgp fails on it too. Before the end of the input
 * is passed on, `end.cut` tells whether the input ended inside a packet (a header or a body):
 * that, not openpgp's message, is how truncation is told apart.
 */

import type { InputEnd } from './failure.js';
import { PartialBody } from './partial-body.js';

/** Partial chunk size written: 2^20 bytes. */
const TARGET_LOG2 = 20;
const TARGET_BYTES = 1 << TARGET_LOG2;

class ChunkQueue {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Ensures `n` contiguous bytes at `pos` (n is small); false if the input ends first. */
  async need(n: number): Promise<boolean> {
    while (this.available < n) {
      if (this.ended) return false;
      const next = await this.it.next();
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      const rest = this.buf.subarray(this.pos);
      if (rest.length === 0) {
        this.buf = next.value;
      } else {
        const joined = new Uint8Array(rest.length + next.value.length);
        joined.set(rest);
        joined.set(next.value, rest.length);
        this.buf = joined;
      }
      this.pos = 0;
    }
    return true;
  }

  /** The available bytes (a view). */
  view(): Uint8Array {
    return this.buf.subarray(this.pos);
  }

  skip(n: number): void {
    this.pos += n;
  }

  peek(i: number): number {
    return this.buf[this.pos + i] ?? 0;
  }

  /** Consumes `n` available bytes (copied: they may be kept). */
  consume(n: number): Uint8Array {
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * Up to `n` bytes, as pieces (views of the input); fewer only at the end of the input.
   * Returns how many bytes were missing (0 when all `n` came).
   */
  async *take(n: number): AsyncGenerator<Uint8Array, number> {
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.need(1))) return left;
      const part = this.buf.subarray(this.pos, this.pos + left);
      this.pos += part.length;
      left -= part.length;
      yield part;
    }
    return 0;
  }

  /** Everything left, as is. */
  async *rest(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.available > 0) {
        const part = this.buf.subarray(this.pos);
        this.pos = this.buf.length;
        yield part;
      }
      if (!(await this.need(1))) return;
    }
  }
}

function definiteLength(n: number): Uint8Array {
  return new Uint8Array([0xff, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/**
 * Splits the first `n` bytes (n ≤ total) off a list of pieces, as one copy. The used pieces
 * are removed in one splice: shifting them one by one costs O(pieces²) when they are small.
 */
function shift(pieces: Uint8Array[], n: number): Buffer {
  const out = Buffer.concat(pieces, n);
  let left = n;
  let used = 0;
  while (left > 0 && used < pieces.length) {
    const piece = pieces[used] as Uint8Array;
    if (piece.length <= left) {
      left -= piece.length;
      used += 1;
    } else {
      pieces[used] = piece.subarray(left);
      left = 0;
    }
  }
  pieces.splice(0, used);
  return out;
}

/** Re-frames the partial body lengths of a binary OpenPGP packet sequence (see above). */
export async function* reframePartialBodies(
  src: AsyncIterable<Uint8Array>,
  end: InputEnd = { cut: false },
): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  const q = new ChunkQueue(it);
  /** The input ended inside a packet: say so, then pass on what is left. */
  const cut = (): void => {
    end.cut = true;
  };
  try {
    for (;;) {
      if (!(await q.need(1))) return;
      const ctb = q.peek(0);
      if ((ctb & 0x80) === 0) break; // not a packet: let openpgp complain
      if ((ctb & 0x40) === 0) {
        // Old format.
        const type = ctb & 3;
        if (type === 3) break; // indeterminate length: the rest is this packet
        const hlen = 1 + ([1, 2, 4][type] ?? 0);
        if (!(await q.need(hlen))) {
          cut();
          break;
        }
        let n = 0;
        for (let i = 1; i < hlen; i++) n = n * 256 + q.peek(i);
        yield q.consume(hlen);
        if ((yield* q.take(n)) > 0) cut();
        continue;
      }
      // New format.
      if (!(await q.need(2))) {
        cut();
        break;
      }
      const o1 = q.peek(1);
      if (o1 < 224 || o1 === 255) {
        const hlen = o1 < 192 ? 2 : o1 < 224 ? 3 : 6;
        if (!(await q.need(hlen))) {
          cut();
          break;
        }
        const n =
          o1 < 192
            ? o1
            : o1 < 224
              ? ((o1 - 192) << 8) + q.peek(2) + 192
              : ((q.peek(2) << 24) | (q.peek(3) << 16) | (q.peek(4) << 8) | q.peek(5)) >>> 0;
        yield q.consume(hlen);
        if ((yield* q.take(n)) > 0) cut();
        continue;
      }
      // Partial body lengths: gather the chunks and write them out again, 1 MiB at a time.
      yield q.consume(1);
      const body = new PartialBody(1 << (q.peek(0) & 0x1f));
      q.consume(1);
      const pieces: Uint8Array[] = [];
      let gathered = 0;
      while (!body.done) {
        if (q.available === 0 && !(await q.need(1))) {
          // The input ends inside the packet: pass on what there is, announced as a longer
          // chunk, so that openpgp sees the packet cut short.
          cut();
          yield new Uint8Array([0xe0 | TARGET_LOG2]);
          if (gathered > 0) yield shift(pieces, gathered);
          return;
        }
        const out: Uint8Array[] = [];
        q.skip(body.push(q.view(), out));
        for (const piece of out) {
          pieces.push(piece);
          gathered += piece.length;
        }
        while (gathered >= TARGET_BYTES) {
          yield new Uint8Array([0xe0 | TARGET_LOG2]);
          yield shift(pieces, TARGET_BYTES);
          gathered -= TARGET_BYTES;
        }
      }
      yield definiteLength(gathered);
      if (gathered > 0) yield shift(pieces, gathered);
    }
    // Not something to re-frame: pass the rest on as it is.
    yield* q.rest();
  } finally {
    await it.return?.();
  }
}
