/**
 * A throwaway MariaDB server for tests: the real MySQL-family writer whose `mysql --batch`
 * and `mysqldump` output our parsers must read back exactly. It starts a private instance
 * (own data folder under the OS temp folder, unix socket only, no TCP) and stops it again.
 * Needs Debian's `mariadb-server` and `mariadb-client` (`npm test` installs them as root).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentHas } from './environment.js';

const PROGRAMS = ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump'] as const;
type Program = (typeof PROGRAMS)[number];

/** A running private MariaDB. */
export interface MariaDb {
  readonly socket: string;
  readonly dir: string;
  /** Run the `mariadb` client with `args` (and `input` on stdin); returns its stdout. */
  client(args: readonly string[], input?: string): Buffer;
  /** Run `mariadb-dump` with `args`; returns its stdout. */
  dump(args: readonly string[]): Buffer;
  /** Stop the server and remove its folder. */
  stop(): Promise<void>;
}

/**
 * `name` in a folder of PATH or in the `sbin` beside one of its `bin` folders (mariadbd is
 * in /usr/sbin, which is not on most users' PATH).
 */
function which(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs
    .flatMap((dir) => (/\/bin\/?$/.test(dir) ? [dir, dir.replace(/bin\/?$/, 'sbin')] : [dir]))
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

function findPrograms(): { found: Partial<Record<Program, string>>; missing: Program[] } {
  const found: Partial<Record<Program, string>> = {};
  const missing: Program[] = [];
  for (const name of PROGRAMS) {
    const path = which(name);
    if (path === undefined) missing.push(name);
    else found[name] = path;
  }
  return { found, missing };
}

/** Why MariaDB cannot be started (which programs are missing), or undefined when it can. */
export function mariaDbProblem(): string | undefined {
  const { missing } = findPrograms();
  if (missing.length === 0) return undefined;
  return `${missing.join(', ')} not found; install MariaDB (Debian/Ubuntu: apt-get install mariadb-server mariadb-client; \`npm test\` does as root)`;
}

let mariaDbFound: boolean | undefined;

/**
 * True when MariaDB can be started. Otherwise the suite asking is skipped (the reason printed
 * once per run), or, under CI, this throws.
 */
export function hasMariaDb(): boolean {
  mariaDbFound ??= environmentHas('MariaDB', mariaDbProblem());
  return mariaDbFound;
}

async function waitUntilReady(
  client: string,
  socket: string,
  child: ChildProcess,
  deadline: number,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`mariadbd exited with code ${String(child.exitCode)}`);
    }
    const ping = spawnSync(
      client,
      ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'SELECT 1'],
      { encoding: 'utf8' },
    );
    if (ping.status === 0) return;
    if (Date.now() > deadline)
      throw new Error(`mariadbd did not answer within 60 s: ${ping.stderr}`);
    await sleep(200);
  }
}

/** Start a private MariaDB (about a second); {@link MariaDb.stop} removes everything. */
export async function startMariaDb(): Promise<MariaDb> {
  const { found, missing } = findPrograms();
  const { mariadbd, 'mariadb-install-db': installDb, mariadb, 'mariadb-dump': mariadbDump } = found;
  if (
    mariadbd === undefined ||
    installDb === undefined ||
    mariadb === undefined ||
    mariadbDump === undefined
  ) {
    throw new Error(`MariaDB cannot be started: ${mariaDbProblem() ?? missing.join(', ')}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'edx-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const install = spawnSync(
    installDb,
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
    mariadbd,
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
    await waitUntilReady(mariadb, socket, child, Date.now() + 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const run = (program: string, args: readonly string[], input?: string): Buffer => {
    const result = spawnSync(
      program,
      ['--no-defaults', `--socket=${socket}`, '-uroot', '--default-character-set=utf8mb4', ...args],
      { input, maxBuffer: 1 << 30 },
    );
    if (result.status !== 0) {
      throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr.toString()}`);
    }
    return result.stdout;
  };
  return {
    socket,
    dir,
    client: (args, input) => run(mariadb, args, input),
    dump: (args) => run(mariadbDump, args),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => {
          child.once('exit', () => {
            resolve();
          });
        });
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
