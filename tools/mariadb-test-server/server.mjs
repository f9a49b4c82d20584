// A throwaway MariaDB server for tests: the real MySQL-family writer whose `mysql --batch`
// and `mysqldump` output our parsers must read back exactly. Debian's mariadb-server is
// installed by .ci/run; this starts a private instance (own data folder, unix socket only,
// no TCP) and stops it again.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARIES = ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump'];

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The paths of the MariaDB programs, or an error saying how to install them. */
export function mariadbBinaries() {
  const found = Object.fromEntries(BINARIES.map((name) => [name, which(name)]));
  const missing = BINARIES.filter((name) => found[name] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `MariaDB is not installed (missing ${missing.join(', ')}): apt-get install mariadb-server mariadb-client (.ci/run does)`,
    );
  }
  return found;
}

async function waitUntilReady(bin, socket, child, deadline) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}`);
    const ping = spawnSync(
      bin.mariadb,
      ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'SELECT 1'],
      { encoding: 'utf8' },
    );
    if (ping.status === 0) return;
    if (Date.now() > deadline)
      throw new Error(`mariadbd did not answer within 60 s: ${ping.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Start a private MariaDB: `{ socket, dir, client(args, input?), dump(args), stop() }`.
 * `client` runs the `mariadb` client (`--batch` and the like) and returns its stdout.
 */
export async function startMariaDb({ log = () => undefined } = {}) {
  const bin = mariadbBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'edx-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const install = spawnSync(
    bin['mariadb-install-db'],
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
  }
  const child = spawn(
    bin.mariadbd,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--skip-networking',
      '--user=root',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--innodb-buffer-pool-size=32M',
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitUntilReady(bin, socket, child, Date.now() + 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  log(`MariaDB started (pid ${child.pid}) on ${socket}`);
  const run = (program, args, input) => {
    const result = spawnSync(
      program,
      ['--no-defaults', `--socket=${socket}`, '-uroot', '--default-character-set=utf8mb4', ...args],
      {
        input,
        maxBuffer: 1 << 30,
      },
    );
    if (result.status !== 0)
      throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr.toString()}`);
    return result.stdout;
  };
  return {
    socket,
    dir,
    /** Run the `mariadb` client; returns stdout as bytes. */
    client: (args, input) => run(bin.mariadb, args, input),
    /** Run `mariadb-dump`; returns stdout as bytes. */
    dump: (args) => run(bin['mariadb-dump'], args),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
