/**
 * A throwaway npm registry for tests: Verdaccio (the workspace's pinned devDependency) on
 * 127.0.0.1 and a free port, with its storage, config and npm settings in a temp folder.
 * `@edx-data/*` may be published anonymously; every other package is proxied to the public
 * registry. Also the workspace's publishable projects, npm's environment without the
 * caller's npm settings, and the package names of an installed `node_modules` tree.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The public registry the local one proxies to. */
export const PUBLIC_REGISTRY = 'https://registry.npmjs.org/';

/** The repository root: the folder holding `nx.json` (the same from `src/` and `dist/`). */
export function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** A project of the workspace that `nx release` publishes (tagged `publish`). */
export interface PublishableProject {
  /** Its folder, relative to the workspace root (`packages/store`). */
  readonly dir: string;
  readonly name: string;
  readonly version: string;
}

interface Manifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly nx?: { readonly tags?: readonly unknown[] };
}

/** The projects tagged `publish` (nx.json `release.projects: ["tag:publish"]`), sorted by folder. */
export function publishableProjects(root: string = workspaceRoot()): PublishableProject[] {
  const projects: PublishableProject[] = [];
  for (const group of ['packages', 'apps', 'tools']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) {
      const dir = join(group, name);
      const file = join(root, dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.nx?.tags?.includes('publish') !== true) continue;
      if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
        throw new Error(`${file}: a project tagged publish needs a string "name" and "version"`);
      }
      projects.push({ dir, name: manifest.name, version: manifest.version });
    }
  }
  return projects.sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * `env` without the caller's npm settings (`npm_config_*` and `npm_package_*`, set when the
 * tests run under `npm test`), so that a child npm reads only the settings it is given.
 */
export function withoutNpmSettings(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !/^npm_(?:config|package|lifecycle)_/i.test(key)),
  );
}

/**
 * Why the public registry cannot be reached (a short reason), or undefined when it answers
 * within `timeoutMs`.
 */
export async function publicRegistryProblem(timeoutMs = 10_000): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('-/ping', PUBLIC_REGISTRY), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? undefined : `${PUBLIC_REGISTRY} answered HTTP ${String(response.status)}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return `${PUBLIC_REGISTRY} is not reachable (${cause instanceof Error ? cause.message : String(cause)}): the packages' own dependencies come from there`;
  }
}

/** A running local registry. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Its temp folder: `config.yaml`, `storage/`, `npmrc`, `npm-cache/`. */
  readonly dir: string;
  /** The throwaway npm user config: a token for this registry and nothing else. */
  readonly npmrc: string;
  /**
   * The environment for npm (and `nx release`) talking to this registry: the caller's without
   * its npm settings, plus this registry, the throwaway user config, a throwaway cache.
   */
  env(extra?: Readonly<Record<string, string>>): NodeJS.ProcessEnv;
  /** What Verdaccio printed so far (for failure messages). */
  output(): string;
  /** Stop Verdaccio and remove the temp folder. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') {
          reject(new Error('no TCP port was assigned'));
        } else {
          resolve(address.port);
        }
      });
    });
  });
}

/** Verdaccio's config (JSON is YAML too). */
function verdaccioConfig(dir: string): string {
  return JSON.stringify(
    {
      storage: join(dir, 'storage'),
      auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: -1 } },
      uplinks: { npmjs: { url: PUBLIC_REGISTRY, timeout: '60s', maxage: '30m' } },
      packages: {
        '@edx-data/*': { access: '$all', publish: '$anonymous', unpublish: '$anonymous' },
        '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
      },
      web: { enable: false },
      max_body_size: '100mb',
      log: { type: 'stdout', format: 'pretty', level: 'warn' },
    },
    null,
    2,
  );
}

async function waitUntilUp(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`verdaccio exited with code ${String(child.exitCode)}`);
    }
    try {
      const response = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer at ${url} within 60 s`);
    await sleep(200);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
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

/**
 * Start Verdaccio (the workspace's `node_modules/verdaccio`) on 127.0.0.1 and a free port,
 * in a new temp folder; a few seconds. {@link LocalRegistry.stop} removes everything.
 */
export async function startLocalRegistry(root: string = workspaceRoot()): Promise<LocalRegistry> {
  const bin = join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (!existsSync(bin)) {
    throw new Error(`${bin} not found: verdaccio is a devDependency of the workspace (npm ci)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'edx-registry-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, verdaccioConfig(dir));
  let lastError: unknown;
  // The port is free when asked for, but another process may take it before Verdaccio
  // listens: then Verdaccio exits and another port is tried.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${String(port)}/`;
    let printed = '';
    const child = spawn(
      process.execPath,
      [bin, '--config', config, '--listen', `127.0.0.1:${String(port)}`],
      {
        cwd: dir,
        env: withoutNpmSettings(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer): void => {
      printed = (printed + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    try {
      await waitUntilUp(url, child, Date.now() + 60_000);
    } catch (error) {
      await stopChild(child);
      lastError = new Error(
        `${error instanceof Error ? error.message : String(error)}\n${printed}`,
      );
      continue;
    }
    const npmrc = join(dir, 'npmrc');
    // npm publishes only with a token for the registry; Verdaccio lets `$anonymous` publish
    // `@edx-data/*` whatever the token says.
    await writeFile(
      npmrc,
      `registry=${url}\n//127.0.0.1:${String(port)}/:_authToken=throwaway-test-token\n`,
    );
    return {
      url,
      dir,
      npmrc,
      env: (extra = {}) => ({
        ...withoutNpmSettings(),
        npm_config_registry: url,
        npm_config_userconfig: npmrc,
        npm_config_cache: join(dir, 'npm-cache'),
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
        ...extra,
      }),
      output: () => printed,
      async stop() {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * The names of the packages installed in `project`'s `node_modules`, nested ones included
 * (`['@edx-data/core', 'bson', …]`), sorted, each once.
 */
export function installedPackages(project: string): string[] {
  const names = new Set<string>();
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      const dirs = scoped
        ? readdirSync(join(modules, entry)).map((name) => join(entry, name))
        : [entry];
      for (const name of dirs) {
        if (!existsSync(join(modules, name, 'package.json'))) continue;
        names.add(name.split('\\').join('/'));
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(project, 'node_modules'));
  return [...names].sort();
}
