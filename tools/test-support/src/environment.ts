/**
 * Environment-dependent skips, done one way everywhere. A suite that needs something of the
 * machine (the real data, GnuPG, MariaDB, a MongoDB server) asks {@link environmentHas}.
 * Locally a missing piece skips the suite and its reason is printed once per run. Under CI
 * ({@link STRICT}) it throws instead, so a CI run cannot go green by skipping.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Something a suite needs from the machine is missing, under {@link STRICT}. */
export class MissingEnvironmentError extends Error {
  override name = 'MissingEnvironmentError';
}

/**
 * An environment flag: `0`, `false`, `no`, `off` (any case) → false, any other non-empty
 * value → true, unset or empty → undefined.
 */
export function parseFlag(value: string | undefined): boolean | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  return !/^(?:0|false|no|off)$/i.test(text);
}

/**
 * Strictness from an environment: `EDX_TEST_STRICT` when it is set, otherwise `CI`. Under
 * strictness a missing piece of the environment fails the run instead of skipping.
 */
export function strictFrom(env: Readonly<Record<string, string | undefined>>): boolean {
  return parseFlag(env['EDX_TEST_STRICT']) ?? parseFlag(env['CI']) ?? false;
}

/**
 * True when environment skips fail: `EDX_TEST_STRICT=1`, or `CI` set to a true value while
 * `EDX_TEST_STRICT` is unset. `.ci/run` sets `EDX_TEST_STRICT=1`; `EDX_TEST_STRICT=0` turns
 * it off under CI.
 */
export const STRICT: boolean = strictFrom(process.env);

/**
 * The folder of this run's "already printed" markers. `npm test` (tools/run-tests.mjs) names
 * one and removes it at the end. Otherwise it is keyed by the Vitest process, which is the
 * parent of its fork workers and the process of its thread workers.
 */
function notesDir(): string {
  const dir = process.env['EDX_TEST_NOTES_DIR'];
  if (dir !== undefined && dir !== '') return dir;
  return join(tmpdir(), `edx-test-notes-${String(isMainThread ? process.ppid : process.pid)}`);
}

/**
 * Print `skipped (<what>): <reason>` once per test run, however many test files (each in its
 * own module graph, often in another worker) report it. The marker file holds the line
 * without `skipped`, for `npm test` to repeat above its final count.
 */
export function noteSkip(what: string, reason: string): void {
  const dir = notesDir();
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, what.replace(/[^A-Za-z0-9]+/g, '-')), 'wx');
    try {
      writeSync(fd, `(${what}): ${reason}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    // Printed already in this run. Any other failure (say, a read-only temp folder) is no
    // reason to hide the line, so it is printed.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
  }
  console.log(`skipped (${what}): ${reason}`);
}

/**
 * Whether the machine has `what`, given the `problem` found while looking for it (undefined:
 * none). With a problem: under `strict` throws a {@link MissingEnvironmentError}; otherwise
 * prints the skip once per run (see {@link noteSkip}) and returns false.
 *
 * ```ts
 * describe.skipIf(!environmentHas('MariaDB', mariaDbProblem()))('…', () => { … });
 * ```
 */
export function environmentHas(
  what: string,
  problem: string | undefined,
  strict: boolean = STRICT,
): boolean {
  if (problem === undefined) return true;
  if (strict) {
    throw new MissingEnvironmentError(
      `${what} is missing: ${problem}. This run is strict (EDX_TEST_STRICT or CI is set), so a missing piece of the environment fails instead of skipping.`,
    );
  }
  noteSkip(what, problem);
  return false;
}

/**
 * Why `program args…` (a harmless call such as `--version`) cannot be run from PATH, or
 * undefined when it runs and exits 0. `install` says how to get the program.
 */
export function programProblem(
  program: string,
  args: readonly string[],
  install: string,
): string | undefined {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  const call = [program, ...args].join(' ');
  if (result.error !== undefined)
    return `\`${program}\` could not be run (${result.error.message}); ${install}`;
  if (result.status !== 0)
    return `\`${call}\` exited with ${String(result.status)}: ${result.stderr.trim()}`;
  return undefined;
}
