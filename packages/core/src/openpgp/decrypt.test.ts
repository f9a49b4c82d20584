/**
 * Differential test of the two decryption routes: the same messages, made by real GnuPG, go
 * through the fast path (Node's AES-CFB, SHA-1 and zlib) and through openpgp's own streaming
 * `decrypt`, and must give the same plaintext or the same verdict.
 *
 * The expected plaintext is the file gpg encrypted; the expected verdicts are written by hand
 * from what each tampering does (a flipped ciphertext byte or MDC byte, a missing MDC: the
 * integrity check fails; a cut file: truncated), and gpg itself is asked to confirm that every
 * tampered message is bad.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { createGpgHome, hasGpg } from '@edx-data/test-support';
import type { GpgHome, GpgKey } from '@edx-data/test-support';
import { decryptChunks } from './decrypt.js';

/** Where the body bytes of a top-level packet lie in the file (partial chunks: several). */
interface PacketSpan {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  readonly body: readonly (readonly [number, number])[];
}

/** Parses the top-level packets of a binary OpenPGP message (test helper, no validation). */
function packetSpans(bytes: Uint8Array): PacketSpan[] {
  const spans: PacketSpan[] = [];
  let at = 0;
  const byte = (i: number): number => bytes[i] ?? 0;
  while (at < bytes.length) {
    const start = at;
    const ctb = byte(at++);
    const body: [number, number][] = [];
    let tag: number;
    if ((ctb & 0x40) === 0) {
      tag = (ctb >> 2) & 0x0f;
      const type = ctb & 3;
      if (type === 3) {
        body.push([at, bytes.length]);
        at = bytes.length;
      } else {
        let n = 0;
        for (let i = 0; i < [1, 2, 4][type]!; i++) n = n * 256 + byte(at++);
        body.push([at, at + n]);
        at += n;
      }
    } else {
      tag = ctb & 0x3f;
      for (;;) {
        const o1 = byte(at++);
        let n: number;
        let partial = false;
        if (o1 < 192) n = o1;
        else if (o1 < 224) n = ((o1 - 192) << 8) + byte(at++) + 192;
        else if (o1 < 255) {
          n = 1 << (o1 & 0x1f);
          partial = true;
        } else {
          n = ((byte(at) << 24) | (byte(at + 1) << 16) | (byte(at + 2) << 8) | byte(at + 3)) >>> 0;
          at += 4;
        }
        body.push([at, at + n]);
        at += n;
        if (!partial) break;
      }
    }
    spans.push({ tag, start, end: at, body });
  }
  return spans;
}

function bodyLength(span: PacketSpan): number {
  return span.body.reduce((n, [s, e]) => n + e - s, 0);
}

/** The file offset of byte `i` of a packet's body (negative `i`: from the end). */
function bodyOffset(span: PacketSpan, i: number): number {
  let left = i < 0 ? bodyLength(span) + i : i;
  for (const [s, e] of span.body) {
    if (left < e - s) return s + left;
    left -= e - s;
  }
  throw new Error(`body byte ${String(i)} out of range`);
}

const TAG_SEIPD = 18;

function seipdOf(bytes: Uint8Array): PacketSpan {
  const span = packetSpans(bytes).find((p) => p.tag === TAG_SEIPD);
  if (span === undefined) throw new Error('no SEIPD packet');
  return span;
}

/** The tamperings, each with the verdict it must give (by hand, see the file comment). */
const TAMPERINGS = {
  /** Untouched: the plaintext. */
  none: undefined,
  /** One ciphertext byte in the middle of the encrypted data (CFB: garbles two blocks). */
  'flipped ciphertext byte': 'E_INTEGRITY',
  /** The last byte of the encrypted data: part of the MDC's SHA-1. */
  'flipped MDC byte': 'E_INTEGRITY',
  /** The file cut in the middle of the encrypted data. */
  'cut in the middle': 'E_GPG_TRUNCATED',
  /** The last 10 bytes missing. */
  'cut 10 bytes short': 'E_GPG_TRUNCATED',
  /** The 22 bytes of the MDC packet removed, the packet re-written with a 5-byte length. */
  'MDC removed': 'E_INTEGRITY',
} as const;
type Tampering = keyof typeof TAMPERINGS;

function tamper(bytes: Buffer, how: Tampering): Buffer {
  const out = Buffer.from(bytes);
  const seipd = seipdOf(out);
  switch (how) {
    case 'none':
      return out;
    case 'flipped ciphertext byte':
      out[bodyOffset(seipd, bodyLength(seipd) >> 1)]! ^= 0x01;
      return out;
    case 'flipped MDC byte':
      out[bodyOffset(seipd, -1)]! ^= 0x80;
      return out;
    case 'cut in the middle':
      return out.subarray(0, bodyOffset(seipd, bodyLength(seipd) >> 1));
    case 'cut 10 bytes short':
      return out.subarray(0, out.length - 10);
    case 'MDC removed': {
      const body = Buffer.concat(seipd.body.map(([s, e]) => out.subarray(s, e)));
      const kept = body.subarray(0, body.length - 22);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(kept.length);
      return Buffer.concat([
        out.subarray(0, seipd.start),
        Buffer.from([0xc0 | TAG_SEIPD, 0xff]),
        length,
        kept,
        out.subarray(seipd.end),
      ]);
    }
  }
}

interface Outcome {
  readonly route: string | undefined;
  readonly plaintext: Buffer | undefined;
  readonly code: string | undefined;
}

async function* chunked(bytes: Uint8Array, size = 65_536): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    await Promise.resolve();
    yield bytes.subarray(at, at + size);
  }
}

/** Decrypts `bytes` by one route, reading it all; the plaintext, or the error code. */
async function run(
  bytes: Uint8Array,
  key: GpgKey,
  fastPath: boolean,
  armored = false,
): Promise<Outcome> {
  const file = 'message.gpg';
  let route: string | undefined;
  const parts: Buffer[] = [];
  try {
    const decryption = await decryptChunks(
      chunked(bytes),
      armored,
      { key: key.armoredSecretKey, passphrase: undefined, fastPath },
      file,
    );
    route = decryption.route;
    for await (const chunk of decryption.chunks) parts.push(Buffer.from(chunk));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(file);
    return { route, plaintext: undefined, code: (error as InputError).code };
  }
  return { route, plaintext: Buffer.concat(parts), code: undefined };
}

describe.skipIf(!hasGpg())('fast path and openpgp, on the same GnuPG messages', () => {
  let dir: string;
  const homes: GpgHome[] = [];
  let gpg: GpgHome;
  let key: GpgKey;
  let plain: Buffer;
  const at = (name: string): string => join(dir, name);
  const LAYOUTS = [
    { compress: 'none', viaStdin: false, framing: 'definite' },
    { compress: 'none', viaStdin: true, framing: 'partial' },
    { compress: 'zip', viaStdin: false, framing: 'partial' },
    { compress: 'zip', viaStdin: true, framing: 'partial' },
    { compress: 'zlib', viaStdin: false, framing: 'partial' },
    { compress: 'zlib', viaStdin: true, framing: 'partial' },
  ] as const;
  const name = (l: (typeof LAYOUTS)[number]): string =>
    `${l.compress}-${l.viaStdin ? 'stdin' : 'file'}.gpg`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edx-differential-'));
    gpg = await createGpgHome();
    homes.push(gpg);
    key = await gpg.generateKey({ type: 'curve25519' });
    // ~300 KB of log-like lines: many 8 KiB partial chunks, compressible about 2:1.
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++)
      lines.push(`{"n":${i},"r":"${randomBytes(32).toString('hex')}"}`);
    plain = Buffer.from(lines.join('\n') + '\n');
    await writeFile(at('plain.log'), plain);
    for (const layout of LAYOUTS) {
      await gpg.encryptFile(at('plain.log'), at(name(layout)), [key], {
        compressAlgo: layout.compress,
        viaStdin: layout.viaStdin,
      });
    }
  });

  afterAll(async () => {
    for (const home of homes) await home.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(LAYOUTS)('gpg wrote $compress from $viaStdin with $framing lengths', async (layout) => {
    const packets = await gpg.listPackets(at(name(layout)));
    const seipd = /tag=18 hlen=\d+ plen=\d+( partial)?/.exec(packets);
    expect(seipd?.[1] === ' partial' ? 'partial' : 'definite').toBe(layout.framing);
    if (layout.compress === 'none') expect(packets).not.toContain('compressed packet');
    else expect(packets).toContain(`compressed packet: algo=${layout.compress === 'zip' ? 1 : 2}`);
  });

  const cases = LAYOUTS.flatMap((layout) =>
    (Object.keys(TAMPERINGS) as Tampering[]).map((how) => ({ ...layout, how })),
  );

  it.each(cases)(
    '$compress from stdin=$viaStdin, $how: same result by both routes',
    async ({ how, ...layout }) => {
      const bytes = tamper(await readFile(at(name(layout))), how);
      const fast = await run(bytes, key, true);
      const reference = await run(bytes, key, false);
      const expected = TAMPERINGS[how];
      // Every case here decrypts its first bytes fine, so the fast path is really taken.
      expect(fast.route).toBe('fast');
      expect(reference.route).toBe('openpgp');
      expect(fast.code).toBe(expected);
      expect(reference.code).toBe(expected);
      if (expected === undefined) {
        expect(fast.plaintext?.equals(plain)).toBe(true);
        expect(reference.plaintext?.equals(plain)).toBe(true);
      } else {
        // gpg agrees that the message is bad.
        await writeFile(at('tampered.gpg'), bytes);
        await expect(gpg.decryptFile(at('tampered.gpg'))).rejects.toThrow();
      }
    },
  );

  it('refuses a message without integrity protection (SED packet, gpg --rfc2440) by both routes', async () => {
    await gpg.encryptFile(at('plain.log'), at('sed.gpg'), [key], { rfc2440: true });
    const bytes = await readFile(at('sed.gpg'));
    expect(packetSpans(bytes).map((p) => p.tag)).toEqual([1, 9]);
    for (const fastPath of [true, false]) {
      expect(await run(bytes, key, fastPath)).toEqual({
        route: undefined,
        plaintext: undefined,
        code: 'E_INTEGRITY',
      });
    }
  });

  it('gives the same verdicts on armored messages', async () => {
    await gpg.encryptFile(at('plain.log'), at('zlib.asc'), [key], {
      compressAlgo: 'zlib',
      armor: true,
    });
    const text = await readFile(at('zlib.asc'), 'latin1');
    const middle = text.length >> 1;
    const swapped = text[middle] === 'A' ? 'B' : 'A'; // still base64, another value
    const variants = [
      { text, expected: undefined },
      { text: text.slice(0, middle), expected: 'E_GPG_TRUNCATED' },
      { text: text.slice(0, middle) + swapped + text.slice(middle + 1), expected: 'E_INTEGRITY' },
    ];
    for (const { text: armored, expected } of variants) {
      const bytes = Buffer.from(armored, 'latin1');
      const fast = await run(bytes, key, true, true);
      const reference = await run(bytes, key, false, true);
      expect([fast.route, fast.code]).toEqual(['fast', expected]);
      expect([reference.route, reference.code]).toEqual(['openpgp', expected]);
      if (expected === undefined) {
        expect(fast.plaintext?.equals(plain)).toBe(true);
        expect(reference.plaintext?.equals(plain)).toBe(true);
      }
    }
  });
});
