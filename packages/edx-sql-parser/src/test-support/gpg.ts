/**
 * A throwaway GnuPG home for tests: one curve25519 key without a passphrase, and
 * `encrypt` as a data provider would (binary OpenPGP). Needs the `gpg` binary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestGpg {
  readonly dir: string;
  /** The secret key, ASCII-armored (what `openInput`'s `key` takes). */
  readonly armoredSecretKey: string;
  /** Encrypt `input` into `output` (binary), with gpg's compression unless `compress` is false. */
  encrypt(input: string, output: string, compress?: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export async function createTestGpg(): Promise<TestGpg> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-sql-gpg-'));
  const env = { ...process.env, GNUPGHOME: dir, LC_ALL: 'C' };
  const gpg = async (args: readonly string[]): Promise<string> =>
    (await run('gpg', ['--batch', '--no-tty', ...args], { env })).stdout;
  const nopass = ['--pinentry-mode', 'loopback', '--passphrase', ''];
  const uid = 'SQL Test <sql@example.org>';
  await gpg([...nopass, '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const colons = await gpg(['--with-colons', '--list-keys', uid]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (fingerprint === undefined) throw new Error(`no fingerprint:\n${colons}`);
  await gpg([...nopass, '--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
  const armoredSecretKey = await gpg([...nopass, '--armor', '--export-secret-keys', fingerprint]);
  return {
    dir,
    armoredSecretKey,
    async encrypt(input, output, compress = true) {
      await gpg([
        '--yes',
        '--trust-model',
        'always',
        ...(compress ? [] : ['--compress-algo', 'none']),
        '--recipient',
        fingerprint,
        '--output',
        output,
        '--encrypt',
        input,
      ]);
    },
    async dispose() {
      await run('gpgconf', ['--kill', 'gpg-agent'], { env }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Flips a bit of the last byte of an encrypted file: the end of the (encrypted) SHA-1 of its
 * MDC packet. The text decrypts intact; only the integrity check, at the very end, fails.
 */
export async function tamperLastByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = bytes.length - 1;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}
