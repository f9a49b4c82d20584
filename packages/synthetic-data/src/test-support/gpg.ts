/**
 * Drive the real `gpg` binary in a throwaway `GNUPGHOME`, to check that generated `.gpg`
 * files decrypt the way a data czar decrypts them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GpgHome {
  readonly dir: string;
  /** `gpg --import` an armored key (public or private). */
  importKey(armored: string): Promise<void>;
  /** `gpg --decrypt` a file, returning the plaintext. */
  decrypt(path: string): Promise<Buffer>;
  dispose(): Promise<void>;
}

export async function createGpgHome(): Promise<GpgHome> {
  const dir = await mkdtemp(join(tmpdir(), 'synthetic-gpg-'));
  const env = { ...process.env, GNUPGHOME: dir, LC_ALL: 'C' };
  const base = ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', ''];
  return {
    dir,
    async importKey(armored) {
      const file = join(dir, `import-${Date.now()}.asc`);
      await writeFile(file, armored);
      await run('gpg', [...base, '--import', file], { env });
    },
    async decrypt(path) {
      const { stdout } = await run('gpg', [...base, '--decrypt', path], {
        env,
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      });
      return stdout;
    },
    async dispose() {
      try {
        await run('gpgconf', ['--kill', 'gpg-agent'], { env });
      } catch {
        // no agent to stop
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
