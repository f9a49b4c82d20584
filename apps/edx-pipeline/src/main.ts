import { collectSecrets, createRedactor, redactingWriter } from './redaction.js';
import { isDebug, reportError } from './report-error.js';
import { run } from './run.js';

// The process wiring of the CLI; everything else is in run() so that tests need no process.

const argv = process.argv.slice(2);
const debug = isDebug(process.env);
const stderr = redactingWriter(process.stderr, createRedactor(collectSecrets(argv, process.env)));

/** Last resort for an error that escaped run() (a stray rejection in a driver): one line, exit 1. */
function crash(error: unknown): void {
  process.exit(reportError(error, stderr, debug));
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// `edx-pipeline status | head -1`: the reader went away; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else crash(error);
});

void run(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
    // A handle left open (a driver socket, a timer) must not keep a finished command alive;
    // the timer is unref'd, so a clean run exits before it fires.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
);
