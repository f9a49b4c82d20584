#!/usr/bin/env node
// The test command of the README (`npm test`), and what CI runs.
//
// 1. When MONGODB_URI is not set, starts a MongoDB-wire-compatible test server (FerretDB,
//    see tools/mongo-test-server) so that the store's conformance suite also runs against
//    the MongoDB engine through the official driver. EDX_TEST_MONGO=off skips that.
// 2. Runs every project's Vitest suite in one `vitest run`.
// 3. Prints a final plain line `N passed, N failed, N skipped` (what CI reads) and exits
//    non-zero when any test failed or the run itself broke.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
let server;

if (!env.MONGODB_URI && env.EDX_TEST_MONGO !== 'off') {
  try {
    const { startMongoTestServer } = await import('./mongo-test-server/server.mjs');
    server = await startMongoTestServer({ log: (line) => console.error(line) });
    env.MONGODB_URI = server.uri;
    env.EDX_TEST_MONGO_SERVER = 'ferretdb';
    console.log(`run-tests: MongoDB engine tests run against FerretDB at ${server.uri}`);
  } catch (error) {
    console.error(
      `run-tests: could not start the MongoDB test server: ${error instanceof Error ? error.message : String(error)}`,
    );
    console.error(
      'run-tests: the MongoDB half of the store suite will be skipped (set MONGODB_URI to run it).',
    );
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'edx-vitest-'));
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
rmSync(outDir, { recursive: true, force: true });
if (passed + failed === 0) broken = true;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code !== 0 || failed > 0 || broken ? 1 : 0);
