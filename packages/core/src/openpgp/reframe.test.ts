import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PartialBody } from './partial-body.js';
import { reframePartialBodies } from './reframe.js';

/** A new-format packet with the body in partial chunks of 2^log2 bytes, then a 5-byte length. */
function partialPacket(tag: number, body: Uint8Array, log2: number): Buffer {
  const parts: Uint8Array[] = [new Uint8Array([0xc0 | tag])];
  let at = 0;
  while (body.length - at > 1 << log2) {
    parts.push(new Uint8Array([0xe0 | log2]), body.subarray(at, at + (1 << log2)));
    at += 1 << log2;
  }
  const n = body.length - at;
  parts.push(new Uint8Array([0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
  parts.push(body.subarray(at));
  return Buffer.concat(parts);
}

async function* pieces(bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length;) {
    const n = sizes();
    await Promise.resolve(); // arrives later, as from a file
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const chunk of src) out.push(chunk);
  return Buffer.concat(out);
}

/** Parses one packet at the start of `bytes` with partial lengths: its tag, body and the rest. */
function unframe(bytes: Buffer): { tag: number; body: Buffer; rest: Buffer; chunks: number } {
  const tag = (bytes[0] ?? 0) & 0x3f;
  const first = 1 << ((bytes[1] ?? 0) & 0x1f);
  const body = new PartialBody(first);
  const out: Uint8Array[] = [];
  const used = body.push(bytes.subarray(2), out);
  expect(body.done).toBe(true);
  return { tag, body: Buffer.concat(out), rest: bytes.subarray(2 + used), chunks: out.length };
}

describe(reframePartialBodies, () => {
  const header = Buffer.from([0x85, 0x00, 0x03, 1, 2, 3]); // old-format packet, 3 bytes
  const data = randomBytes(3 * 1024 * 1024 + 12_345);
  const packet = partialPacket(18, data, 13);

  it('rewrites 8 KiB partial chunks as 1 MiB ones, whatever the input chunking', async () => {
    for (const sizes of [() => 1 << 20, () => 1 + Math.floor(Math.random() * 20_000), () => 7]) {
      const input = Buffer.concat([header, packet]);
      const output = await collect(reframePartialBodies(pieces(input, sizes)));
      expect(output.subarray(0, header.length)).toEqual(header);
      const { tag, body, rest, chunks } = unframe(output.subarray(header.length));
      expect(tag).toBe(18);
      expect(body.equals(data)).toBe(true);
      expect(rest.length).toBe(0);
      expect(chunks).toBe(4); // three 1 MiB chunks and the rest
    }
  });

  it('passes through what it does not re-frame, and a cut packet cut short', async () => {
    const junk = Buffer.from('not openpgp at all');
    expect((await collect(reframePartialBodies(pieces(junk, () => 5)))).equals(junk)).toBe(true);
    const cut = Buffer.concat([header, packet.subarray(0, 2_000_000)]);
    const output = await collect(reframePartialBodies(pieces(cut, () => 65_536)));
    // The last chunk is announced longer than it is: openpgp then reports a truncated packet.
    const body = new PartialBody(1 << ((output[header.length + 1] ?? 0) & 0x1f));
    const out: Uint8Array[] = [];
    body.push(output.subarray(header.length + 2), out);
    expect(body.done).toBe(false);
    expect(Buffer.concat(out).equals(data.subarray(0, Buffer.concat(out).length))).toBe(true);
  });

  it('says whether the input ended inside a packet', async () => {
    const whole = Buffer.concat([header, packet]);
    const cases: [string, Buffer, boolean][] = [
      ['whole', whole, false],
      ['cut in a partial body', whole.subarray(0, 2_000_000), true],
      ['cut in an old-format body', header.subarray(0, 4), true],
      ['cut in an old-format header', header.subarray(0, 2), true],
      ['cut after a partial chunk header', whole.subarray(0, header.length + 2), true],
      ['cut in a 5-byte length', Buffer.from([0xc0 | 18, 0xff, 0, 0]), true],
      ['not a packet', Buffer.from('plain text'), false],
    ];
    for (const [name, bytes, cut] of cases) {
      const end = { cut: false };
      await collect(
        reframePartialBodies(
          pieces(bytes, () => 4096),
          end,
        ),
      );
      expect([name, end.cut]).toEqual([name, cut]);
    }
  });
});
