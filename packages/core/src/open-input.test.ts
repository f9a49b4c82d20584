import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readPrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from './errors.js';
import { openInput } from './open-input.js';
import type { InputVerdict, OpenInputOptions } from './open-input.js';
import { readLines } from './read-lines.js';
import { createGpgHome, hasGpg } from '@edx-data/test-support';
import type { GpgHome, GpgKey } from '@edx-data/test-support';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface Drained {
  readonly sha: string;
  readonly bytes: number;
  /** The error the stream ended with (or openInput rejected with). */
  readonly error: unknown;
  /** What `done` settled with. */
  readonly verdict: InputVerdict | undefined;
  readonly doneError: unknown;
}

/** Reads the whole plaintext as a caller would, recording how it ended. */
async function drain(path: string, options: OpenInputOptions = {}): Promise<Drained> {
  const hash = createHash('sha256');
  let bytes = 0;
  let input;
  try {
    input = await openInput(path, options);
  } catch (error) {
    return { sha: '', bytes, error, verdict: undefined, doneError: error };
  }
  let error: unknown;
  try {
    for await (const chunk of input.stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (e) {
    error = e;
  }
  let verdict: InputVerdict | undefined;
  let doneError: unknown;
  try {
    verdict = await input.done;
  } catch (e) {
    doneError = e;
  }
  return { sha: hash.digest('hex'), bytes, error, verdict, doneError };
}

function expectInputError(error: unknown, code: string, file: string): InputError {
  expect(error).toBeInstanceOf(InputError);
  const e = error as InputError;
  expect(e.code).toBe(code);
  expect(e.file).toBe(file);
  expect(e.message).toContain(file);
  return e;
}

describe.skipIf(!hasGpg())(openInput, () => {
  let dir: string;
  let gpg: GpgHome;
  /** Filled once created, so afterAll works even if beforeAll failed (e.g. no gpg). */
  const homes: GpgHome[] = [];
  let rsa: GpgKey;
  let rsaPass: GpgKey;
  let cv: GpgKey;
  let cvPass: GpgKey;
  let plain: Buffer;
  let plainSha: string;
  const at = (name: string): string => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edx-open-input-'));
    gpg = await createGpgHome();
    homes.push(gpg);
    [rsa, rsaPass, cv, cvPass] = [
      await gpg.generateKey({ type: 'rsa2048' }),
      await gpg.generateKey({ type: 'rsa2048', passphrase: 'rsa secret' }),
      await gpg.generateKey({ type: 'curve25519' }),
      await gpg.generateKey({ type: 'curve25519', passphrase: 'cv secret' }),
    ];
    // ~1.5 MB of log-like lines: several 1 MiB read chunks, and it compresses only 2:1.
    const lines: string[] = [];
    for (let i = 0; i < 15_000; i++)
      lines.push(`{"n":${i},"r":"${randomBytes(40).toString('hex')}"}`);
    plain = Buffer.from(lines.join('\n') + '\n');
    plainSha = sha256(plain);
    await writeFile(at('plain.log'), plain);
    await writeFile(at('plain.log.gz'), gzipSync(plain));
    await writeFile(at('key-rsa.asc'), rsa.armoredSecretKey);
    // From a file: gpg sees the .gz is compressed and adds no compression packet.
    await gpg.encryptFile(at('plain.log.gz'), at('a.log.gz.gpg'), [rsa]);
    // From stdin: ZLIB packet.
    await gpg.encryptFile(at('plain.log'), at('b.log.gpg'), [cvPass], { viaStdin: true });
    // Two recipients, ours second.
    await gpg.encryptFile(at('plain.log.gz'), at('c.log.gz.gpg'), [cv, rsaPass]);
    await gpg.encryptFile(at('plain.log.gz'), at('d.log.gz.asc'), [rsa], { armor: true });
    await gpg.encryptFile(at('plain.log'), at('e.log.gpg'), [rsa], { compressAlgo: 'none' });
    await gpg.encryptFile(at('plain.log'), at('default.log.gpg'), [cv]);
    for (const algo of ['zip', 'zlib', 'bzip2']) {
      await gpg.encryptFile(at('plain.log'), at(`${algo}.log.gpg`), [cv], { compressAlgo: algo });
    }
  });

  afterAll(async () => {
    for (const home of homes) await home.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the fixtures with the packet structure the tests rely on', async () => {
    const a = await gpg.listPackets(at('a.log.gz.gpg'));
    expect(a).toContain(':literal data packet:');
    expect(a).not.toContain('compressed packet');
    expect(await gpg.listPackets(at('b.log.gpg'), 'cv secret')).toContain(
      'compressed packet: algo=2',
    );
    expect(await gpg.listPackets(at('bzip2.log.gpg'))).toContain('compressed packet: algo=3');
    const two = await gpg.listPackets(at('c.log.gz.gpg'));
    expect(two.indexOf(cv.encryptionKeyId)).toBeLessThan(two.indexOf(rsaPass.encryptionKeyId));
    expect(sha256(await gpg.decryptFile(at('e.log.gpg')))).toBe(plainSha);
  });

  it.each([
    {
      name: 'RSA, .gz inside, no compression packet',
      file: 'a.log.gz.gpg',
      who: 'rsa',
      layers: ['gpg', 'gzip'],
    },
    {
      name: 'Curve25519 with passphrase, plain inside, ZLIB packet',
      file: 'b.log.gpg',
      who: 'cvPass',
      layers: ['gpg'],
    },
    {
      name: 'two recipients, ours second, RSA with passphrase',
      file: 'c.log.gz.gpg',
      who: 'rsaPass',
      layers: ['gpg', 'gzip'],
    },
    { name: 'armored', file: 'd.log.gz.asc', who: 'rsa', layers: ['gpg', 'gzip'] },
    { name: 'no compression', file: 'e.log.gpg', who: 'rsa', layers: ['gpg'] },
    { name: 'gpg default compression', file: 'default.log.gpg', who: 'cv', layers: ['gpg'] },
    { name: 'ZIP packet', file: 'zip.log.gpg', who: 'cv', layers: ['gpg'] },
    { name: 'ZLIB packet', file: 'zlib.log.gpg', who: 'cv', layers: ['gpg'] },
    { name: 'BZip2 packet', file: 'bzip2.log.gpg', who: 'cv', layers: ['gpg'] },
  ])('decrypts byte-identical: $name', async ({ file, who, layers }) => {
    const key = { rsa, rsaPass, cv, cvPass }[who]!;
    const result = await drain(at(file), {
      key: key.armoredSecretKey,
      ...(key.passphrase === undefined ? {} : { passphrase: key.passphrase }),
    });
    expect(result.error).toBeUndefined();
    expect(result.sha).toBe(plainSha);
    expect(result.verdict).toMatchObject({
      file: at(file),
      layers,
      plaintextBytes: plain.length,
      decryptionKeyId: key.encryptionKeyId,
      integrityChecked: true,
    });
    expect(result.verdict?.bytesRead).toBe(result.verdict?.totalBytes);
  });

  it('reads the key from a file and asks a passphrase callback once, only when needed', async () => {
    expect((await drain(at('a.log.gz.gpg'), { key: at('key-rsa.asc') })).sha).toBe(plainSha);
    let asked = 0;
    const withCallback = await drain(at('c.log.gz.gpg'), {
      key: rsaPass.armoredSecretKey,
      passphrase: () => {
        asked += 1;
        return Promise.resolve('rsa secret');
      },
    });
    expect(withCallback.sha).toBe(plainSha);
    expect(asked).toBe(1);
  });

  it('detects gpg and gzip by their magic bytes, whatever the name', async () => {
    await copyFile(at('a.log.gz.gpg'), at('no-extension.bin'));
    const result = await drain(at('no-extension.bin'), { key: rsa.armoredSecretKey });
    expect(result.sha).toBe(plainSha);
    expect(result.verdict?.layers).toEqual(['gpg', 'gzip']);
    await copyFile(at('plain.log.gz'), at('gzipped.txt'));
    const gz = await drain(at('gzipped.txt'));
    expect(gz.sha).toBe(plainSha);
    expect(gz.verdict?.layers).toEqual(['gzip']);
  });

  it('passes a plain file through and gunzips a .gz', async () => {
    const raw = await drain(at('plain.log'));
    expect(raw.sha).toBe(plainSha);
    expect(raw.verdict).toMatchObject({
      layers: [],
      integrityChecked: false,
      decryptionKeyId: undefined,
    });
    expect((await drain(at('plain.log.gz'))).sha).toBe(plainSha);
  });

  it('gunzips every member of a multi-member gzip', async () => {
    const parts = [plain.subarray(0, 1000), plain.subarray(1000, 500_000), plain.subarray(500_000)];
    await writeFile(at('multi.log.gz'), Buffer.concat(parts.map((p) => gzipSync(p))));
    const result = await drain(at('multi.log.gz'));
    expect(result.error).toBeUndefined();
    expect(result.sha).toBe(plainSha);
    expect(result.bytes).toBe(plain.length);
  });

  it('reports progress over the bytes read from disk', async () => {
    const calls: [number, number][] = [];
    const size = (await readFile(at('e.log.gpg'))).length;
    await drain(at('e.log.gpg'), {
      key: rsa.armoredSecretKey,
      onProgress: (read, total) => calls.push([read, total]),
    });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([size, size]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
  });

  it('feeds readLines', async () => {
    const input = await openInput(at('c.log.gz.gpg'), {
      key: rsaPass.armoredSecretKey,
      passphrase: 'rsa secret',
    });
    const lines = readLines(input.stream, { file: input.file });
    let last = '';
    for await (const { text } of lines) last = text;
    await input.done;
    expect(lines.summary.lines).toBe(15_000);
    expect(last).toMatch(/^\{"n":14999,/);
  });

  describe('tampering (integrity is only known at the end)', () => {
    async function tampered(source: string, name: string): Promise<string> {
      const bytes = await readFile(at(source));
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(at(name), bytes);
      return at(name);
    }

    it('hands out all the plaintext, then ends with E_INTEGRITY, and done rejects', async () => {
      const file = await tampered('e.log.gpg', 'tampered-e.log.gpg');
      const result = await drain(file, { key: rsa.armoredSecretKey });
      // The data came out (one byte of it is wrong) before the error.
      expect(result.bytes).toBe(plain.length);
      expect(result.sha).not.toBe(plainSha);
      expectInputError(result.error, 'E_INTEGRITY', file);
      expect(result.doneError).toBe(result.error);
      expect(result.verdict).toBeUndefined();
    });

    it('reports E_INTEGRITY, not a gzip error, when the tampered data is a .gz', async () => {
      const file = await tampered('a.log.gz.gpg', 'tampered-a.log.gz.gpg');
      const result = await drain(file, { key: rsa.armoredSecretKey });
      expect(result.bytes).toBeGreaterThan(0);
      expectInputError(result.error, 'E_INTEGRITY', file);
      expectInputError(result.doneError, 'E_INTEGRITY', file);
    });

    it('reports E_INTEGRITY inside a ZLIB packet', async () => {
      const file = await tampered('b.log.gpg', 'tampered-b.log.gpg');
      const result = await drain(file, { key: cvPass.armoredSecretKey, passphrase: 'cv secret' });
      expectInputError(result.doneError, 'E_INTEGRITY', file);
    });
  });

  it('reports a truncated .gpg as E_GPG_TRUNCATED', async () => {
    const bytes = await readFile(at('a.log.gz.gpg'));
    await writeFile(at('cut.log.gz.gpg'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const result = await drain(at('cut.log.gz.gpg'), { key: rsa.armoredSecretKey });
    expectInputError(result.doneError, 'E_GPG_TRUNCATED', at('cut.log.gz.gpg'));
    expect(result.error).toBe(result.doneError);
    await writeFile(at('empty.gpg'), '');
    expectInputError(
      (await drain(at('empty.gpg'), { key: rsa.armoredSecretKey })).error,
      'E_GPG_TRUNCATED',
      at('empty.gpg'),
    );
  });

  it('reports a truncated .gpg with partial body lengths (from stdin) as E_GPG_TRUNCATED', async () => {
    const bytes = await readFile(at('b.log.gpg'));
    for (const [name, end] of [
      ['cut-b.log.gpg', Math.floor(bytes.length * 0.6)],
      ['cut-end-b.log.gpg', bytes.length - 10],
    ] as const) {
      await writeFile(at(name), bytes.subarray(0, end));
      const result = await drain(at(name), {
        key: cvPass.armoredSecretKey,
        passphrase: 'cv secret',
      });
      expectInputError(result.doneError, 'E_GPG_TRUNCATED', at(name));
      expect(result.error).toBe(result.doneError);
    }
  });

  it('reports E_INTEGRITY inside a ZIP packet and in an uncompressed literal from stdin', async () => {
    for (const [source, name] of [
      ['zip.log.gpg', 'tampered-zip.log.gpg'],
      ['default.log.gpg', 'tampered-default.log.gpg'],
    ] as const) {
      const bytes = await readFile(at(source));
      bytes[bytes.length - 100]! ^= 0x01;
      await writeFile(at(name), bytes);
      const result = await drain(at(name), { key: cv.armoredSecretKey });
      expectInputError(result.doneError, 'E_INTEGRITY', at(name));
    }
  });

  it('reports a truncated armored file as E_GPG_TRUNCATED', async () => {
    const text = await readFile(at('d.log.gz.asc'), 'utf8');
    await writeFile(at('cut.log.gz.asc'), text.slice(0, text.length >> 1));
    const result = await drain(at('cut.log.gz.asc'), { key: rsa.armoredSecretKey });
    expectInputError(result.doneError, 'E_GPG_TRUNCATED', at('cut.log.gz.asc'));
  });

  it('reports a damaged session key packet as E_GPG_CORRUPT', async () => {
    const bytes = await readFile(at('a.log.gz.gpg'));
    bytes[20]! ^= 0xff; // inside the RSA-encrypted session key
    await writeFile(at('bad-header.log.gz.gpg'), bytes);
    const result = await drain(at('bad-header.log.gz.gpg'), { key: rsa.armoredSecretKey });
    expectInputError(result.error, 'E_GPG_CORRUPT', at('bad-header.log.gz.gpg'));
    expect(result.bytes).toBe(0);
  });

  it('reports a .gpg that is not OpenPGP as E_GPG_CORRUPT', async () => {
    await writeFile(at('junk.gpg'), 'hello, not encrypted\n');
    const result = await drain(at('junk.gpg'), { key: rsa.armoredSecretKey });
    expectInputError(result.error, 'E_GPG_CORRUPT', at('junk.gpg'));
  });

  it('reports a truncated .gz as E_GZIP_TRUNCATED, also when empty', async () => {
    const gz = await readFile(at('plain.log.gz'));
    await writeFile(at('cut.log.gz'), gz.subarray(0, gz.length - 100));
    const result = await drain(at('cut.log.gz'));
    expect(result.bytes).toBeGreaterThan(0);
    expectInputError(result.error, 'E_GZIP_TRUNCATED', at('cut.log.gz'));
    expectInputError(result.doneError, 'E_GZIP_TRUNCATED', at('cut.log.gz'));
    await writeFile(at('empty.log.gz'), '');
    expectInputError(
      (await drain(at('empty.log.gz'))).error,
      'E_GZIP_TRUNCATED',
      at('empty.log.gz'),
    );
  });

  it('reports a corrupted .gz as E_GZIP_CORRUPT, also when it is not gzip at all', async () => {
    const gz = await readFile(at('plain.log.gz'));
    gz[gz.length >> 1]! ^= 0xff;
    await writeFile(at('bad.log.gz'), gz);
    expectInputError((await drain(at('bad.log.gz'))).doneError, 'E_GZIP_CORRUPT', at('bad.log.gz'));
    await writeFile(at('not.log.gz'), 'plain text');
    expectInputError((await drain(at('not.log.gz'))).error, 'E_GZIP_CORRUPT', at('not.log.gz'));
  });

  it('reports a gpg that holds a broken .gz as a gzip error once integrity is verified', async () => {
    await writeFile(at('inner-cut.log.gz'), gzipSync(plain).subarray(0, 5000));
    await gpg.encryptFile(at('inner-cut.log.gz'), at('inner-cut.log.gz.gpg'), [rsa]);
    const result = await drain(at('inner-cut.log.gz.gpg'), { key: rsa.armoredSecretKey });
    expectInputError(result.doneError, 'E_GZIP_TRUNCATED', at('inner-cut.log.gz.gpg'));
  });

  it('reports a .gz.gpg whose plaintext is not gzip as E_GZIP_CORRUPT', async () => {
    await gpg.encryptFile(at('plain.log'), at('liar.log.gz.gpg'), [rsa]);
    const result = await drain(at('liar.log.gz.gpg'), { key: rsa.armoredSecretKey });
    expectInputError(result.error, 'E_GZIP_CORRUPT', at('liar.log.gz.gpg'));
  });

  it('reads a binary key file', async () => {
    const key = await readPrivateKey({ armoredKey: rsa.armoredSecretKey });
    await writeFile(at('key-rsa.gpg'), key.write());
    expect((await drain(at('a.log.gz.gpg'), { key: at('key-rsa.gpg') })).sha).toBe(plainSha);
  });

  it('names the key ids when the message is not for our key', async () => {
    const result = await drain(at('a.log.gz.gpg'), { key: cv.armoredSecretKey });
    const e = expectInputError(result.error, 'E_DECRYPT_WRONG_KEY', at('a.log.gz.gpg'));
    expect(e.message).toContain(rsa.encryptionKeyId);
    expect(e.message).toContain(cv.encryptionKeyId);
  });

  it('says when no key was given for an encrypted file', async () => {
    const result = await drain(at('a.log.gz.gpg'));
    expectInputError(result.error, 'E_DECRYPT_NO_KEY', at('a.log.gz.gpg'));
  });

  it('tells a missing passphrase from a wrong one', async () => {
    const missing = await drain(at('b.log.gpg'), { key: cvPass.armoredSecretKey });
    expectInputError(missing.error, 'E_PASSPHRASE_MISSING', at('b.log.gpg'));
    const empty = await drain(at('b.log.gpg'), {
      key: cvPass.armoredSecretKey,
      passphrase: () => undefined,
    });
    expectInputError(empty.error, 'E_PASSPHRASE_MISSING', at('b.log.gpg'));
    const wrong = await drain(at('b.log.gpg'), {
      key: cvPass.armoredSecretKey,
      passphrase: 'nope',
    });
    const e = expectInputError(wrong.error, 'E_PASSPHRASE_WRONG', at('b.log.gpg'));
    expect(e.message).not.toContain('nope');
  });

  it('reports a missing file (and a missing key file) as E_FILE_NOT_FOUND', async () => {
    expectInputError((await drain(at('nope.log.gz'))).error, 'E_FILE_NOT_FOUND', at('nope.log.gz'));
    const noKey = await drain(at('a.log.gz.gpg'), { key: at('nope.asc') });
    expectInputError(noKey.error, 'E_FILE_NOT_FOUND', at('nope.asc'));
  });

  it('rejects bad options with a UsageError', async () => {
    await expect(openInput(at('plain.log'), { key: '' })).rejects.toThrow(UsageError);
    await expect(
      openInput(at('plain.log'), { onProgress: 'x' as unknown as () => void }),
    ).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(openInput(at('a.log.gz.gpg'), { key: 'not a key' })).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
    });
    await expect(openInput(at('a.log.gz.gpg'), { key: at('plain.log') })).rejects.toMatchObject({
      name: 'UsageError',
      code: 'E_OPTION',
    });
  });

  it('closes the file and rejects done when the reader stops early', async () => {
    const handles = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'FileHandle').length;
    const before = handles();
    const input = await openInput(at('c.log.gz.gpg'), {
      key: rsaPass.armoredSecretKey,
      passphrase: 'rsa secret',
    });
    for await (const chunk of input.stream as AsyncIterable<Buffer>) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await expect(input.done).rejects.toMatchObject({ name: 'UsageError', code: 'E_USAGE' });
    expect(input.stream.destroyed).toBe(true);
    expect(handles()).toBe(before);
  });

  it('closes the file when the reader stops early inside a ZLIB packet', async () => {
    const handles = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'FileHandle').length;
    const before = handles();
    const input = await openInput(at('b.log.gpg'), {
      key: cvPass.armoredSecretKey,
      passphrase: 'cv secret',
    });
    for await (const chunk of input.stream as AsyncIterable<Buffer>) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await expect(input.done).rejects.toMatchObject({ name: 'UsageError', code: 'E_USAGE' });
    expect(handles()).toBe(before);
  });

  it('closes the file when the stream is destroyed before the first read', async () => {
    const input = await openInput(at('plain.log.gz'));
    input.stream.destroy();
    await expect(input.done).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('stops on abort and rejects done with the reason', async () => {
    const controller = new AbortController();
    const input = await openInput(at('a.log.gz.gpg'), {
      key: rsa.armoredSecretKey,
      signal: controller.signal,
    });
    let error: unknown;
    try {
      for await (const chunk of input.stream as AsyncIterable<Buffer>) {
        expect(chunk.length).toBeGreaterThan(0);
        controller.abort(new Error('user pressed ^C'));
      }
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AbortError' });
    await expect(input.done).rejects.toThrow('user pressed ^C');
  });
});
