#!/usr/bin/env node
// The test command of the README (`npm test`), and what CI (.ci/run) runs.
//
// 1. Peers. Some suites drive real programs: GnuPG (`gpg`), MariaDB (`mariadbd`,
//    `mariadb-install-db`, `mariadb`, `mariadb-dump`) and Chromium (`chromium`, headless, for
//    the run report's pixels). When one is missing and this runs as root with apt-get, it
//    installs `gnupg` / `mariadb-server mariadb-client` / `chromium`
//    (EDX_TEST_NO_PROVISION=1 turns that off). Otherwise the suites needing it skip, with
//    the reason printed.
// 2. MongoDB. Unless MONGODB_URI is set or EDX_TEST_MONGO=off, starts a MongoDB-wire-
//    compatible test server (FerretDB, see tools/mongo-test-server) so that the MongoDB
//    engine suites run through the official driver. If it cannot start, those suites skip.
// 3. Strictness. Under CI (EDX_TEST_STRICT=1, or CI set to a true value while
//    EDX_TEST_STRICT is unset; .ci/run sets EDX_TEST_STRICT=1) every such skip is a failure:
//    a missing peer, a MongoDB server that did not start, missing real data. The decision
//    is passed to the suites as EDX_TEST_STRICT=1|0; @edx-data/test-support applies it.
// 4. Runs every project's Vitest suite in one `vitest run` (arguments are passed on), then
//    repeats the environment skips and prints a final plain line
//    `N passed, N failed, N skipped`, exiting non-zero when a test failed, a test file
//    failed to run, or the run itself broke.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => console.log(`run-tests: ${line}`);

/** Same rule as @edx-data/test-support's parseFlag: 0/false/no/off → false, other → true. */
function flag(value) {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  return !/^(?:0|false|no|off)$/i.test(text);
}

const strict = flag(process.env.EDX_TEST_STRICT) ?? flag(process.env.CI) ?? false;
const outDir = mkdtempSync(join(tmpdir(), 'edx-vitest-'));
const notesDir = join(outDir, 'notes');
const env = {
  ...process.env,
  EDX_TEST_STRICT: strict ? '1' : '0',
  EDX_TEST_NOTES_DIR: notesDir,
};
log(
  strict
    ? 'strict run (EDX_TEST_STRICT or CI is set): a missing peer, MongoDB server or real data fails the run'
    : 'local run: suites whose peers are missing are skipped, with the reason printed (EDX_TEST_STRICT=1 makes that a failure)',
);

// --- 1. peers ------------------------------------------------------------------------------

/**
 * `name` in a folder of PATH or in the `sbin` beside one of its `bin` folders (mariadbd is
 * in /usr/sbin, which is not on most users' PATH).
 */
function which(name) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs
    .flatMap((dir) => (/\/bin\/?$/.test(dir) ? [dir, dir.replace(/bin\/?$/, 'sbin')] : [dir]))
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

const PEERS = [
  { name: 'GnuPG', programs: ['gpg'], packages: ['gnupg'] },
  {
    name: 'MariaDB',
    programs: ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump'],
    packages: ['mariadb-server', 'mariadb-client'],
  },
  { name: 'Chromium', programs: ['chromium'], packages: ['chromium'] },
];
const missingPrograms = (peer) => peer.programs.filter((program) => which(program) === undefined);

/** Install the packages of `peers` with apt-get; returns why not, or undefined when done. */
function provision(peers) {
  if (flag(process.env.EDX_TEST_NO_PROVISION) === true) return 'EDX_TEST_NO_PROVISION is set';
  if (process.getuid?.() !== 0) return 'not running as root';
  if (which('apt-get') === undefined) return 'no apt-get on this machine';
  const packages = peers.flatMap((peer) => peer.packages);
  log(`installing ${packages.join(' ')} with apt-get…`);
  const apt = (args) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  const update = apt(['update', '-qq']);
  if (update.status !== 0) return `apt-get update failed (exit ${update.status ?? update.signal})`;
  const install = apt(['install', '-y', '-qq', ...packages]);
  if (install.status !== 0)
    return `apt-get install failed (exit ${install.status ?? install.signal})`;
  return undefined;
}

const absent = PEERS.filter((peer) => missingPrograms(peer).length > 0);
const provisionProblem = absent.length > 0 ? provision(absent) : undefined;
for (const peer of PEERS) {
  const missing = missingPrograms(peer);
  if (missing.length === 0) {
    log(`${peer.name}: ${which(peer.programs[0])}`);
  } else {
    const why = provisionProblem ?? 'still missing after apt-get install';
    log(
      `${peer.name}: ${missing.join(', ')} not found; not installed (${why}; apt-get install ${peer.packages.join(' ')}): ` +
        (strict ? 'its suites fail (strict run)' : 'its suites are skipped'),
    );
  }
}

// --- 2. MongoDB ------------------------------------------------------------------------------

let server;
if (flag(env.EDX_TEST_MONGO) === false) {
  log('MongoDB engine: off (EDX_TEST_MONGO=off); its suites are skipped');
} else if (env.MONGODB_URI) {
  log(`MongoDB engine: MONGODB_URI is set; its suites run against that server`);
} else {
  try {
    const { startMongoTestServer } = await import('./mongo-test-server/server.mjs');
    server = await startMongoTestServer({ log: (line) => console.error(line) });
    env.MONGODB_URI = server.uri;
    env.EDX_TEST_MONGO_SERVER = 'ferretdb';
    log(`MongoDB engine: its suites run against FerretDB at ${server.uri}`);
  } catch (error) {
    log(
      `MongoDB engine: the FerretDB test server did not start: ${error instanceof Error ? error.message : String(error)}; ` +
        (strict
          ? 'its suites fail (strict run)'
          : 'its suites are skipped (set MONGODB_URI to run them)'),
    );
  }
}

// --- 3. the suites ---------------------------------------------------------------------------

const report = join(outDir, 'results.json');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];

const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  child.on('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  child.on('error', () => resolve(1));
});

await server?.stop().catch(() => undefined);

// --- 4. the count ----------------------------------------------------------------------------

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = results.numFailedTests ?? 0;
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  // A test file that failed to load has no failed tests but a failed suite.
  const failedFiles = (results.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed'),
  );
  if (failedFiles.length > 0) {
    failed += failedFiles.length;
    for (const file of failedFiles)
      console.error(
        `run-tests: ${file.name} failed to run: ${String(file.message ?? '').split('\n')[0]}`,
      );
  }
} else {
  broken = true;
  console.error('run-tests: Vitest wrote no results');
}
// The environment skips of this run, as @edx-data/test-support noted them (once each).
if (existsSync(notesDir)) {
  for (const name of readdirSync(notesDir).sort()) {
    log(`skipped ${readFileSync(join(notesDir, name), 'utf8').trim()}`);
  }
}
rmSync(outDir, { recursive: true, force: true });
if (passed + failed === 0) broken = true;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code !== 0 || failed > 0 || broken ? 1 : 0);
