/**
 * Test helpers that drive the real `gpg` binary (GnuPG 2.2+) in a throwaway `GNUPGHOME`, so
 * that fixtures are encrypted the way a data provider encrypts them (not the way openpgp.js
 * would), and our output is decrypted the way a data czar decrypts it.
 *
 * A suite that needs `gpg` guards itself with {@link hasGpg} (skipped locally with the reason
 * printed, an error under CI). {@link createGpgHome} throws a clear error when `gpg` is missing.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { environmentHas, programProblem } from './environment.js';

const execFileAsync = promisify(execFile);

/** The kinds of key {@link GpgHome.generateKey} can make. */
export type GpgKeyType = 'rsa2048' | 'curve25519';

/** A key pair generated in a {@link GpgHome}. */
export interface GpgKey {
  /** The user id, e.g. `Test 1 <t1@example.org>`. */
  readonly uid: string;
  /** Fingerprint of the primary (signing) key. */
  readonly fingerprint: string;
  /** Long key id (16 upper-case hex digits) of the encryption subkey. */
  readonly encryptionKeyId: string;
  /** The passphrase protecting the secret key, or undefined for none. */
  readonly passphrase: string | undefined;
  /** The secret key (primary and subkeys), ASCII-armored, as `gpg --export-secret-keys` writes it. */
  readonly armoredSecretKey: string;
}

export interface GenerateKeyOptions {
  readonly type: GpgKeyType;
  /** Protect the secret key with this passphrase. @default no passphrase */
  readonly passphrase?: string;
}

export interface EncryptOptions {
  /** Write ASCII armor (`--armor`). @default false */
  readonly armor?: boolean;
  /**
   * Feed the plaintext on stdin instead of naming the file. gpg then cannot tell that the data
   * is already compressed and wraps it in a ZLIB packet. @default false
   */
  readonly viaStdin?: boolean;
  /** `--compress-algo`, e.g. `none`, `zip`, `zlib`, `bzip2`. @default gpg's choice */
  readonly compressAlgo?: string;
  /**
   * `--rfc2440`: a Symmetrically Encrypted Data packet without MDC (no integrity protection),
   * as old PGP wrote it. @default false
   */
  readonly rfc2440?: boolean;
}

/** A throwaway GnuPG home directory with helpers around it. */
export interface GpgHome {
  readonly dir: string;
  /** Generate a primary key plus an encryption subkey (sign-only keys can't be encrypted to). */
  generateKey(options: GenerateKeyOptions): Promise<GpgKey>;
  /** Encrypt `input` to every recipient (in that order) into `output`. */
  encryptFile(
    input: string,
    output: string,
    recipients: readonly GpgKey[],
    options?: EncryptOptions,
  ): Promise<void>;
  /** `gpg --import` an armored key (public or secret), e.g. one made by openpgp.js. */
  importKey(armored: string): Promise<void>;
  /** Decrypt with gpg itself, returning the plaintext. */
  decryptFile(input: string, passphrase?: string): Promise<Buffer>;
  /**
   * `gpg --list-packets` (decrypting, so the inner compression/literal packets show too), for
   * diagnostics and asserting on the packet structure.
   */
  listPackets(input: string, passphrase?: string): Promise<string>;
  /** Stop the agent and delete the directory. */
  dispose(): Promise<void>;
}

const INSTALL_GPG = 'install GnuPG (Debian/Ubuntu: apt-get install gnupg; `npm test` does as root)';

/** Why `gpg --version` cannot be run from PATH, or undefined when it can. */
export function gpgProblem(): string | undefined {
  return programProblem('gpg', ['--version'], INSTALL_GPG);
}

let gpgFound: boolean | undefined;

/**
 * True when `gpg` can be run. Otherwise the suite asking is skipped (the reason printed once
 * per run), or, under CI, this throws.
 *
 * ```ts
 * describe.skipIf(!hasGpg())('decrypting what gpg encrypted', () => { … });
 * ```
 */
export function hasGpg(): boolean {
  gpgFound ??= environmentHas('GnuPG', gpgProblem());
  return gpgFound;
}

/** Throw a clear error unless a `gpg` binary can be run. */
async function requireGpg(): Promise<void> {
  try {
    await execFileAsync('gpg', ['--version']);
  } catch (error) {
    throw new Error(`These tests need the GnuPG command-line tool: ${INSTALL_GPG}.`, {
      cause: error,
    });
  }
}

function loopback(passphrase: string | undefined): string[] {
  return ['--pinentry-mode', 'loopback', '--passphrase', passphrase ?? ''];
}

/** Create a throwaway `GNUPGHOME` (mkdtemp) and return helpers bound to it. */
export async function createGpgHome(): Promise<GpgHome> {
  await requireGpg();
  const dir = await mkdtemp(join(tmpdir(), 'edx-gpg-'));
  const env = { ...process.env, GNUPGHOME: dir, LC_ALL: 'C' };
  let count = 0;
  let imports = 0;

  async function gpg(args: readonly string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync('gpg', ['--batch', '--no-tty', ...args], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout;
    } catch (error) {
      const stderr = (error as { stderr?: unknown }).stderr;
      throw new Error(
        `gpg ${args.join(' ')} failed: ${typeof stderr === 'string' ? stderr : String(error)}`,
        { cause: error },
      );
    }
  }

  return {
    dir,

    async generateKey(options) {
      count += 1;
      const uid = `Test ${count} <t${count}@example.org>`;
      const pass = loopback(options.passphrase);
      const [primary, sub] =
        options.type === 'rsa2048' ? ['rsa2048', 'rsa2048'] : ['ed25519', 'cv25519'];
      await gpg([...pass, '--quick-gen-key', uid, primary, 'sign', 'never']);
      const colons = await gpg(['--with-colons', '--list-keys', uid]);
      const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
      if (fingerprint === undefined) throw new Error(`no fingerprint for ${uid}:\n${colons}`);
      await gpg([...pass, '--quick-add-key', fingerprint, sub, 'encr', 'never']);
      const after = await gpg(['--with-colons', '--list-keys', fingerprint]);
      const encryptionKeyId = /^sub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(after)?.[1];
      if (encryptionKeyId === undefined) throw new Error(`no subkey for ${uid}:\n${after}`);
      const armoredSecretKey = await gpg([...pass, '--armor', '--export-secret-keys', fingerprint]);
      return {
        uid,
        fingerprint,
        encryptionKeyId,
        passphrase: options.passphrase,
        armoredSecretKey,
      };
    },

    async encryptFile(input, output, recipients, options = {}) {
      const args = ['--yes', '--trust-model', 'always', '--output', output];
      if (options.armor === true) args.push('--armor');
      if (options.compressAlgo !== undefined) args.push('--compress-algo', options.compressAlgo);
      if (options.rfc2440 === true) args.push('--rfc2440');
      if (options.rfc2440 === true) args.push('--rfc2440');
      for (const r of recipients) args.push('--recipient', r.fingerprint);
      args.push('--encrypt');
      if (options.viaStdin !== true) {
        await gpg([...args, input]);
        return;
      }
      // `< input`: spawn with the file as stdin, so gpg sees a pipe, not a name.
      const fh = await open(input, 'r');
      try {
        await new Promise<void>((resolve, reject) => {
          const child = spawn('gpg', ['--batch', '--no-tty', ...args], {
            env,
            stdio: [fh.fd, 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code) => {
            if (code === 0) resolve();
            else reject(new Error(`gpg --encrypt (stdin) exited ${String(code)}: ${stderr}`));
          });
        });
      } finally {
        await fh.close();
      }
    },

    async importKey(armored) {
      imports += 1;
      const file = join(dir, `import-${String(imports)}.asc`);
      await writeFile(file, armored);
      await gpg(['--import', file]);
    },

    async decryptFile(input, passphrase) {
      const { stdout } = await execFileAsync(
        'gpg',
        ['--batch', '--no-tty', ...loopback(passphrase), '--decrypt', input],
        { env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      );
      return stdout;
    },

    async listPackets(input, passphrase) {
      const { stdout, stderr } = await execFileAsync(
        'gpg',
        ['--batch', '--no-tty', ...loopback(passphrase), '--list-packets', input],
        { env, maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout + stderr;
    },

    async dispose() {
      try {
        await execFileAsync('gpgconf', ['--kill', 'gpg-agent'], { env });
      } catch {
        // no agent running, or no gpgconf: nothing to stop
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A {@link GpgHome} holding one curve25519 key without a passphrase, ready to encrypt to. */
export interface TestGpg extends GpgHome {
  readonly key: GpgKey;
  /** The secret key, ASCII-armored (what `openInput`'s `key` takes). */
  readonly armoredSecretKey: string;
  /** Encrypt `input` into `output` (binary), with gpg's compression unless `compress` is false. */
  encrypt(input: string, output: string, compress?: boolean): Promise<void>;
}

/** {@link createGpgHome} plus one key: the usual fixture of a test that decrypts. */
export async function createTestGpg(): Promise<TestGpg> {
  const home = await createGpgHome();
  try {
    const key = await home.generateKey({ type: 'curve25519' });
    return {
      ...home,
      key,
      armoredSecretKey: key.armoredSecretKey,
      encrypt: (input, output, compress = true) =>
        home.encryptFile(input, output, [key], compress ? {} : { compressAlgo: 'none' }),
    };
  } catch (error) {
    await home.dispose();
    throw error;
  }
}

/**
 * Flip a bit of the last byte of a file GnuPG encrypted: the end of the (encrypted) SHA-1 of
 * its MDC packet. The text still decrypts intact; only the integrity check, at the very end,
 * fails (what a loader must not commit).
 */
export async function tamperLastByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = bytes.length - 1;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}
