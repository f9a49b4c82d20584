// A throwaway MongoDB wire-protocol server for tests: FerretDB v1.24 on its SQLite backend,
// built from the Go module proxy when missing, in a fresh temp folder, on a free port.
//
//   const server = await startMongoTestServer();   // { uri, dir, pid, stop() }
//   process.env.MONGODB_URI = server.uri;
//   …
//   await server.stop();                            // kills it and removes the folder
//
// Progress goes to stderr (or `options.log`); nothing is written to stdout.

import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants, existsSync, readFileSync, rmSync } from 'node:fs';
import { access, cp, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';

const execFileAsync = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
export const PID_FILE = 'ferretdb.pid';
export const LOG_FILE = 'ferretdb.log';
const READY_TIMEOUT_MS = 60_000;

/** A failure of the test server helper, with a message meant for a terminal. */
export class MongoTestServerError extends Error {
  name = 'MongoTestServerError';
}

const defaultLog = (line) => process.stderr.write(`mongo-test-server: ${line}\n`);

/** True when `file` runs and reports FerretDB's version (a plain `go install` build panics). */
async function works(file) {
  try {
    await access(file, fsConstants.X_OK);
    const { stdout } = await execFileAsync(file, ['--version'], { timeout: 15_000 });
    return stdout.includes('version:');
  } catch {
    return false;
  }
}

async function goEnv(name) {
  const { stdout } = await execFileAsync('go', ['env', name]);
  return stdout.trim();
}

async function hasGo() {
  try {
    await execFileAsync('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Find a working `ferretdb` binary (on PATH, then in `$(go env GOPATH)/bin`), or build
 * FerretDB v1.24.2 from the Go module proxy into `$(go env GOPATH)/bin/ferretdb`.
 *
 * A plain `go install …/cmd/ferretdb@v1.24.2` produces a binary that panics at start-up,
 * because the module lacks `build/version/version.txt` (normally written by the release
 * tooling); so the module is downloaded, copied, given that file, and built with `go build`.
 * @returns the path of the binary
 */
export async function ensureFerretdb({ log = defaultLog } = {}) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  // Go's default GOPATH, so that a build from an earlier run is found even without `go`
  const gopaths = (process.env.GOPATH ?? '').split(delimiter).filter((dir) => dir !== '');
  dirs.push(
    ...(gopaths.length > 0 ? gopaths : [join(homedir(), 'go')]).map((dir) => join(dir, 'bin')),
  );
  for (const dir of dirs) {
    if (await works(join(dir, 'ferretdb'))) return join(dir, 'ferretdb');
  }
  if (!(await hasGo())) {
    throw new MongoTestServerError(
      `ferretdb is not installed and the Go toolchain ("go") is not on PATH; install Go 1.21+ (https://go.dev/dl/) or put a ferretdb ${FERRETDB_VERSION} binary on PATH`,
    );
  }
  const target = join(await goEnv('GOPATH'), 'bin', 'ferretdb');
  if (await works(target)) return target;

  log(`building FerretDB ${FERRETDB_VERSION} into ${target} (about a minute the first time)`);
  const { stdout } = await execFileAsync(
    'go',
    ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
    {
      maxBuffer: 1 << 20,
    },
  );
  const moduleDir = JSON.parse(stdout).Dir;
  const work = await mkdtemp(join(tmpdir(), 'ferretdb-build-'));
  try {
    const src = join(work, 'src');
    await cp(moduleDir, src, { recursive: true });
    await execFileAsync('chmod', ['-R', 'u+w', src]);
    await writeFile(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    await mkdir(join(target, '..'), { recursive: true });
    await execFileAsync('go', ['build', '-buildvcs=false', '-o', target, './cmd/ferretdb'], {
      cwd: src,
      maxBuffer: 16 << 20,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (!(await works(target))) {
    throw new MongoTestServerError(
      `built ${target}, but it does not run (${target} --version failed)`,
    );
  }
  return target;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/** True while a process of that pid exists. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function tail(file, lines = 20) {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function ping(uri) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * Kill the server recorded in `dir` (by its pid file, or `pid`) and remove `dir`.
 * Waits up to 5 s for a clean exit after SIGTERM, then sends SIGKILL.
 */
export async function stopMongoTestServer({ dir, pid } = {}) {
  let target = pid;
  if (target === undefined && dir !== undefined && existsSync(join(dir, PID_FILE))) {
    target = Number.parseInt(readFileSync(join(dir, PID_FILE), 'utf8'), 10);
  }
  if (Number.isInteger(target) && target > 0 && isAlive(target)) {
    process.kill(target, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (isAlive(target) && Date.now() < deadline) await sleep(50);
    if (isAlive(target)) process.kill(target, 'SIGKILL');
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/**
 * Start FerretDB on a free port of 127.0.0.1 in a fresh folder under the OS temp folder and
 * wait (up to 60 s) until it answers `ping`.
 * @param {{ detached?: boolean, log?: (line: string) => void }} options `detached: true`
 *   lets the server outlive this process (the CLI's `start`); otherwise it is killed when
 *   this process exits.
 * @returns {Promise<{ uri: string, dir: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startMongoTestServer({ detached = false, log = defaultLog } = {}) {
  const binary = await ensureFerretdb({ log });
  const dir = await mkdtemp(join(tmpdir(), 'edx-data-ferretdb-'));
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const logFile = join(dir, LOG_FILE);
  const out = await open(logFile, 'a');
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      `--state-dir=${dir}`,
      '--log-level=error',
    ],
    { detached, stdio: ['ignore', out.fd, out.fd] },
  );
  await out.close();
  const pid = child.pid;
  if (pid === undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new MongoTestServerError(`could not start ${binary}`);
  }
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.unref();
  await writeFile(join(dir, PID_FILE), `${pid}\n`);

  const stop = () => stopMongoTestServer({ dir, pid });
  let onExit;
  if (!detached) {
    onExit = () => {
      try {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ping(uri))) {
    if (exited || Date.now() > deadline) {
      const logText = await tail(logFile);
      await stop();
      throw new MongoTestServerError(
        `FerretDB ${exited ? 'exited' : `did not answer ping within ${READY_TIMEOUT_MS / 1000} s`} (port ${port})${logText ? `:\n${logText}` : ''}`,
      );
    }
    await sleep(200);
  }
  log(`FerretDB ${FERRETDB_VERSION} (pid ${pid}) listening at ${uri}, data in ${dir}`);
  return {
    uri,
    dir,
    pid,
    stop: async () => {
      if (onExit) process.removeListener('exit', onExit);
      await stop();
    },
  };
}
