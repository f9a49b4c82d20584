/**
 * Strips the length headers from the body of an OpenPGP packet written with partial body
 * lengths, synchronously, one input chunk at a time: GnuPG writes 8 KiB partial chunks, and
 * going through a chain of async generators for each would cost more than the data itself.
 */
export class PartialBody {
  /** Bytes left in the current chunk. */
  private left: number;
  /** Whether the current chunk is the last one (it had a definite length). */
  private last = false;
  /** Bytes of a length header seen so far. */
  private header: number[] = [];
  /** True once the last chunk has been read in full. */
  done = false;

  /** @param first the length of the first partial chunk (from the packet header) */
  constructor(first: number) {
    this.left = first;
  }

  /** Bytes of the body still expected, as far as known (for error messages and checks). */
  get pending(): number {
    return this.left;
  }

  /**
   * Takes body bytes from `chunk` (appending views of them to `out`) until the chunk or the
   * body ends; returns how many bytes of `chunk` were used (the rest follows the packet).
   */
  push(chunk: Uint8Array, out: Uint8Array[]): number {
    let pos = 0;
    while (!this.done) {
      if (this.left > 0) {
        if (pos >= chunk.length) break;
        const take = Math.min(this.left, chunk.length - pos);
        out.push(chunk.subarray(pos, pos + take));
        pos += take;
        this.left -= take;
        continue;
      }
      if (this.last) {
        this.done = true;
        break;
      }
      if (pos >= chunk.length) break;
      const header = this.header;
      header.push(chunk[pos++] ?? 0);
      const o1 = header[0] ?? 0;
      if (o1 >= 224 && o1 < 255) {
        this.left = 1 << (o1 & 0x1f);
      } else if (o1 < 192) {
        this.left = o1;
        this.last = true;
      } else if (o1 < 224) {
        if (header.length < 2) continue;
        this.left = ((o1 - 192) << 8) + (header[1] ?? 0) + 192;
        this.last = true;
      } else {
        if (header.length < 5) continue;
        this.left =
          (((header[1] ?? 0) << 24) |
            ((header[2] ?? 0) << 16) |
            ((header[3] ?? 0) << 8) |
            (header[4] ?? 0)) >>>
          0;
        this.last = true;
      }
      this.header = [];
    }
    return pos;
  }
}
