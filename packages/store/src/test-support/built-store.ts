/**
 * The store as a user installs it, for tests that run plain Node child processes: the built
 * `dist` (brought up to date here, under a lock so that test files running at the same time
 * never read a half-written build) copied with its package.json into a temp folder's
 * `node_modules`, beside links to exactly the dependencies asked for.
 *
 * The store is copied, not linked: Node resolves a linked package from its real path, where
 * the workspace's `node_modules` holds every optional driver, and the point of these tests
 * is that a driver which is not installed is not found.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const workspaceRoot = join(packageRoot, '..', '..');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bring `dist` up to date with `tsc --build` (incremental: nothing is written when it is
 * current, as after `npm ci`, whose prepare step builds every package). Returns tsc's output
 * when it failed, `undefined` when the build is current.
 */
export async function buildStore(): Promise<string | undefined> {
  const lock = join(tmpdir(), `edx-store-build-${Buffer.from(packageRoot).toString('hex')}`);
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST' || waited > 120_000) throw error;
      await sleep(100);
    }
  }
  try {
    const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = spawnSync(
      process.execPath,
      [tsc, '--build', join(packageRoot, 'tsconfig.lib.json')],
      { encoding: 'utf8' },
    );
    return build.status === 0 ? undefined : build.stdout + build.stderr;
  } finally {
    rmdirSync(lock);
  }
}

/** Link `node_modules/<name>` of `dir` to the workspace's installed copy of `name`. */
function linkInstalled(dir: string, name: string): void {
  const target = join(dir, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(join(workspaceRoot, 'node_modules', name)), target, 'dir');
}

/**
 * A folder whose `node_modules` holds the built store (dist + package.json) and links to its
 * `dependencies` and to the optional `drivers` given (`better-sqlite3`, `mongodb`), nothing
 * else. Scripts run from it import `@edx-data/store` as an installed package.
 */
export function installStore(dir: string, drivers: readonly string[]): void {
  const installed = join(dir, 'node_modules', '@edx-data', 'store');
  mkdirSync(installed, { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(installed, 'package.json'));
  cpSync(join(packageRoot, 'dist'), join(installed, 'dist'), {
    recursive: true,
    filter: (source) => !source.endsWith('.tsbuildinfo'),
  });
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...drivers]) {
    linkInstalled(dir, name);
  }
}

/** The outcome of a Node child process: exit status and both outputs. */
export interface NodeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node ...args` in `cwd` and wait for it. */
export function runNode(cwd: string, args: readonly string[]): NodeRun {
  const run = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The last line of a child's stdout, parsed as JSON (what the test scripts print). */
export function lastJsonLine(run: NodeRun): unknown {
  const lines = run.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`no JSON result (status ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
}
