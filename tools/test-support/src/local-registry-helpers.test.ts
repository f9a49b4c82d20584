/**
 * The helpers of local-registry.ts, without the public registry: the publishable projects,
 * npm's environment, the installed-package walk, and Verdaccio taking an anonymous publish
 * of an `@edx-data/*` package and serving it back to `npm install`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  installedPackages,
  publishableProjects,
  startLocalRegistry,
  withoutNpmSettings,
  workspaceRoot,
} from './local-registry.js';

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-registry-helpers-'));
  folders.push(dir);
  return dir;
}

async function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      args,
      { cwd, env, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`npm ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      },
    );
  });
}

describe('publishableProjects', () => {
  it('lists the projects tagged publish, with their package.json name and version', () => {
    const root = workspaceRoot();
    const projects = publishableProjects(root);
    expect(projects.map((project) => project.dir)).toEqual(
      expect.arrayContaining(['packages/core', 'packages/store', 'packages/tracking-loader']),
    );
    expect(projects.map((project) => project.dir)).not.toContain('apps/edx-pipeline');
    expect(projects.map((project) => project.dir)).not.toContain('tools/test-support');
    const store = projects.find((project) => project.dir === 'packages/store');
    const manifest = JSON.parse(
      readFileSync(join(root, 'packages/store/package.json'), 'utf8'),
    ) as { name: string; version: string };
    expect(store).toEqual({
      dir: 'packages/store',
      name: manifest.name,
      version: manifest.version,
    });
  });
});

describe('withoutNpmSettings', () => {
  it('drops npm_config_*, npm_package_* and npm_lifecycle_* in any case, and keeps the rest', () => {
    expect(
      withoutNpmSettings({
        PATH: '/bin',
        npm_config_registry: 'https://example.org/',
        NPM_CONFIG_USERCONFIG: '/home/x/.npmrc',
        npm_package_name: 'x',
        npm_lifecycle_event: 'test',
        npm_execpath: '/usr/lib/npm-cli.js',
      }),
    ).toEqual({ PATH: '/bin', npm_execpath: '/usr/lib/npm-cli.js' });
  });
});

describe('installedPackages', () => {
  it('names every package of a node_modules tree once, scoped and nested ones included', async () => {
    const dir = await tempFolder();
    const add = async (path: string): Promise<void> => {
      await mkdir(join(dir, path), { recursive: true });
      await writeFile(join(dir, path, 'package.json'), '{}');
    };
    await add('node_modules/bson');
    await add('node_modules/@edx-data/core');
    await add('node_modules/@edx-data/store');
    await add('node_modules/@edx-data/store/node_modules/mingo');
    await add('node_modules/yauzl');
    await add('node_modules/yauzl/node_modules/bson');
    // A folder without a package.json (a half-removed package) is no package, nor is .bin.
    await mkdir(join(dir, 'node_modules/@edx-data/half/node_modules/x'), { recursive: true });
    await mkdir(join(dir, 'node_modules/.bin'), { recursive: true });
    await mkdir(join(dir, 'node_modules/not-a-package'), { recursive: true });
    expect(installedPackages(dir)).toEqual([
      '@edx-data/core',
      '@edx-data/store',
      'bson',
      'mingo',
      'yauzl',
    ]);
    expect(installedPackages(join(dir, 'nowhere'))).toEqual([]);
  });
});

describe('startLocalRegistry', () => {
  it('takes an anonymous publish of an @edx-data package and serves it to npm install', async () => {
    const registry = await startLocalRegistry();
    try {
      expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(readFileSync(registry.npmrc, 'utf8')).toContain(`registry=${registry.url}`);
      const source = await tempFolder();
      await writeFile(
        join(source, 'package.json'),
        JSON.stringify({ name: '@edx-data/registry-probe', version: '1.2.3', type: 'module' }),
      );
      await writeFile(join(source, 'index.js'), 'export const answer = 42;\n');
      await npm(['publish'], source, registry.env());

      const response = await fetch(new URL('@edx-data%2fregistry-probe', registry.url));
      expect(response.status).toBe(200);
      const document = (await response.json()) as { 'dist-tags': Record<string, string> };
      expect(document['dist-tags']).toEqual({ latest: '1.2.3' });

      const user = await tempFolder();
      await writeFile(join(user, 'package.json'), '{ "private": true }\n');
      await npm(
        ['install', '--no-audit', '--no-fund', '@edx-data/registry-probe'],
        user,
        registry.env(),
      );
      expect(installedPackages(user)).toEqual(['@edx-data/registry-probe']);
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "console.log((await import('@edx-data/registry-probe')).answer)",
          ],
          { cwd: user, encoding: 'utf8' },
          (error, stdout, stderr) => {
            if (error === null) resolve(stdout);
            else reject(new Error(`importing the installed package failed: ${stderr}`));
          },
        );
      });
      expect(out.trim()).toBe('42');
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.dir)).toBe(false);
  }, 120_000);
});
