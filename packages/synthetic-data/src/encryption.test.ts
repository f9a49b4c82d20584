import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile, openInput } from '@edx-data/core';
import { createGpgHome, hasGpg } from '@edx-data/test-support';
import type { GpgHome } from '@edx-data/test-support';
import { generatePackage } from './generate-package.js';
import type { GeneratedPackage } from './generate-package.js';
import { generateTestKey } from './test-key.js';
import type { TestKey } from './test-key.js';
import { countEventLines, listFiles, readAllLines } from './test-support/read-package.js';

const OPTIONS = {
  org: 'DelftX',
  courses: 2,
  learners: 15,
  days: 2,
  seed: 5,
  quirks: ['duplicate-lines', 'broken-lines'],
} as const;

let root: string;
let key: TestKey;
let second: TestKey;
/** A GnuPG home holding `key`, when gpg can be run (the one test needing it skips otherwise). */
let gpg: GpgHome | undefined;
let plain: GeneratedPackage;
let encrypted: GeneratedPackage;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'synthetic-gpg-pkg-'));
  [key, second] = await Promise.all([
    generateTestKey(),
    generateTestKey({ name: 'Second recipient' }),
  ]);
  if (hasGpg()) {
    gpg = await createGpgHome();
    await gpg.importKey(key.privateKey);
  }
  plain = await generatePackage({ ...OPTIONS, dir: join(root, 'plain') });
  encrypted = await generatePackage({
    ...OPTIONS,
    dir: join(root, 'gpg'),
    encryptTo: [second.publicKey, key.publicKey],
  });
});

afterAll(async () => {
  await gpg?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe(generateTestKey, () => {
  it('makes an armored key pair without a passphrase', async () => {
    expect(key.publicKey).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(key.privateKey).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
    expect(key.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    const rsa = await generateTestKey({ type: 'rsa', rsaBits: 2048 });
    expect(rsa.publicKey).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  });
});

describe('generatePackage with encryptTo', () => {
  it('encrypts every file, named + .gpg, with the same ground truth as the plain package', async () => {
    const files = (await listFiles(encrypted.dir)).filter((f) => f !== 'ground-truth.json');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file).toMatch(/\.gpg$/);
      expect(classifyFile(file)).toMatchObject({ encrypted: true });
    }
    expect(files.filter((f) => f.endsWith('.log.gz.gpg'))).toHaveLength(2);
    const { options: a, files: fa, ...restA } = encrypted.groundTruth;
    const { options: b, files: fb, ...restB } = plain.groundTruth;
    expect(restA).toEqual(
      JSON.parse(JSON.stringify(restB).replaceAll('.log.gz"', '.log.gz.gpg"')) as unknown,
    );
    expect(a).toEqual({ ...b, encrypted: true });
    expect(fa.map((f) => f.path)).toEqual(fb.map((f) => `${f.path}.gpg`));
  });

  it.skipIf(!hasGpg())(
    'gives files that gpg --decrypt turns into the plain generation, byte for byte',
    async () => {
      const wanted = plain.groundTruth.files.filter((f, i) => i < 3 || f.kind !== 'table');
      for (const file of wanted) {
        const decrypted = await gpg!.decryptFile(join(encrypted.dir, `${file.path}.gpg`));
        const original = await readFile(join(plain.dir, file.path));
        expect(decrypted.equals(original), file.path).toBe(true);
      }
    },
  );

  it('gives files that core openInput decrypts and gunzips with the private key', async () => {
    const day = encrypted.groundTruth.events.files[0]!;
    const input = await openInput(join(encrypted.dir, day.file), { key: key.privateKey });
    expect(input.layers).toEqual(['gpg', 'gzip']);
    input.stream.resume();
    const verdict = await input.done;
    expect(verdict.integrityChecked).toBe(true);
    const lines = await readAllLines(join(encrypted.dir, day.file), key.privateKey);
    const counted = countEventLines(lines);
    expect(counted.lines).toBe(day.lines);
    expect(counted.unique).toBe(day.uniqueEvents);
    expect(counted.rejectedLines).toEqual(day.rejectedLines.map((r) => r.line));
    const plainLines = await readAllLines(join(plain.dir, day.file.replace(/\.gpg$/, '')));
    expect(lines).toEqual(plainLines);
  });
});
