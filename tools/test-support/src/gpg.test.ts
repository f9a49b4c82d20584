import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGpgHome, createTestGpg, gpgProblem, hasGpg } from './gpg.js';
import type { GpgHome, TestGpg } from './gpg.js';

describe('gpgProblem', () => {
  it('names the missing program and how to install it', () => {
    vi.stubEnv('PATH', '');
    try {
      expect(gpgProblem()).toMatch(/^`gpg` could not be run \(.*ENOENT.*\); install GnuPG/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe.skipIf(!hasGpg())('the GnuPG helpers', () => {
  let dir: string;
  let sender: TestGpg;
  let receiver: GpgHome;
  const text = 'line one\nline two, é ✓\n'.repeat(200);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-support-gpg-'));
    await writeFile(join(dir, 'plain.txt'), text);
    sender = await createTestGpg();
    receiver = await createGpgHome();
  });
  afterAll(async () => {
    await sender.dispose();
    await receiver.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes one curve25519 key and encrypts to it, compressed or not', async () => {
    expect(sender.armoredSecretKey).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    expect(sender.key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    await sender.encrypt(join(dir, 'plain.txt'), join(dir, 'zipped.gpg'));
    await sender.encrypt(join(dir, 'plain.txt'), join(dir, 'stored.gpg'), false);
    expect((await sender.decryptFile(join(dir, 'zipped.gpg'))).toString('utf8')).toBe(text);
    expect((await sender.decryptFile(join(dir, 'stored.gpg'))).toString('utf8')).toBe(text);
    const zipped = await sender.listPackets(join(dir, 'zipped.gpg'));
    const stored = await sender.listPackets(join(dir, 'stored.gpg'));
    expect(zipped).toMatch(/compressed packet: algo=[123]/);
    expect(stored).not.toContain('compressed packet');
    expect(stored).toContain(`keyid ${sender.key.encryptionKeyId}`);
  });

  it('imports a key made elsewhere and decrypts with it', async () => {
    await receiver.importKey(sender.armoredSecretKey);
    const plain = await readFile(join(dir, 'plain.txt'));
    const decrypted = await receiver.decryptFile(join(dir, 'stored.gpg'));
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(sha(decrypted)).toBe(sha(plain));
  });
});
