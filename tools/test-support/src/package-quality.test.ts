/**
 * The tarball of every project tagged `publish` (what `npm pack` makes) passes publint (no
 * error, warning or suggestion) and arethetypeswrong (types resolve to the right files for
 * node16 ESM and bundler resolution).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import type { Problem } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishableProjects, withoutNpmSettings, workspaceRoot } from './local-registry.js';

const root = workspaceRoot();
const projects = publishableProjects(root);

async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      },
    );
  });
}

/**
 * The packages are ESM only (`"type": "module"`, one `import`-able entry point), so a
 * `require()` of them from CommonJS under node16 resolution finds ESM: attw's
 * `CJSResolvesToESM`, in the `node16-cjs` resolution only. That is what an ESM-only package
 * is (attw's `esm-only` profile ignores that resolution), and Node ≥ 20.19, which the
 * packages require, can `require()` ESM anyway. Every other problem, in every resolution, fails.
 */
function isEsmOnlyNotice(problem: Problem): boolean {
  return (
    problem.kind === 'CJSResolvesToESM' &&
    'resolutionKind' in problem &&
    problem.resolutionKind === 'node16-cjs'
  );
}

describe('the published tarballs', () => {
  let dir = '';
  const tarballs = new Map<string, string>();

  beforeAll(async () => {
    // The packages ship dist/, built by `npm run build` (CI builds before it tests).
    const unbuilt = projects.filter(
      (project) => !existsSync(join(root, project.dir, 'dist', 'index.js')),
    );
    if (unbuilt.length > 0) {
      throw new Error(
        `${unbuilt.map((project) => project.dir).join(', ')}: no dist/index.js; build first: npm run build`,
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'edx-tarballs-'));
    const packed = JSON.parse(
      await run(
        'npm',
        [
          'pack',
          '--json',
          '--ignore-scripts',
          '--pack-destination',
          dir,
          ...projects.flatMap((project) => ['--workspace', project.dir]),
        ],
        { cwd: root, env: withoutNpmSettings() },
      ),
    ) as { name: string; filename: string }[];
    for (const { name, filename } of packed) tarballs.set(name, join(dir, filename));
  }, 600_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  const tarball = (name: string): Buffer => {
    const file = tarballs.get(name);
    if (file === undefined) throw new Error(`npm pack made no tarball for ${name}`);
    return readFileSync(file);
  };

  it('are one for each project tagged publish', () => {
    expect([...tarballs.keys()].sort()).toEqual(projects.map((project) => project.name).sort());
    expect(projects.length).toBeGreaterThanOrEqual(9);
  });

  it.each(projects.map((project) => project.name))(
    '%s passes publint with no message',
    async (name) => {
      const bytes = tarball(name);
      const data = new ArrayBuffer(bytes.length);
      new Uint8Array(data).set(bytes);
      const { messages, pkg } = await publint({
        pack: { tarball: data },
        level: 'suggestion',
        strict: true,
      });
      expect(messages.map((message) => formatMessage(message, pkg, { color: false }))).toEqual([]);
      expect(pkg['name']).toBe(name);
    },
  );

  it.each(projects.map((project) => project.name))(
    '%s passes arethetypeswrong for node16 (ESM) and bundler resolution',
    async (name) => {
      const analysis = await checkPackage(createPackageFromTarballData(tarball(name)));
      if (analysis.types === false) throw new Error(`${name}: attw found no types`);
      expect(analysis.types).toEqual({ kind: 'included' });
      expect(Object.keys(analysis.entrypoints)).toContain('.');
      expect(analysis.problems.filter((problem) => !isEsmOnlyNotice(problem))).toEqual([]);
      // Every entry point resolves, with types, from ESM and in bundlers.
      for (const [subpath, entrypoint] of Object.entries(analysis.entrypoints)) {
        for (const kind of ['node16-esm', 'bundler'] as const) {
          expect(entrypoint.resolutions[kind].resolution, `${subpath} (${kind})`).toBeDefined();
        }
      }
    },
  );
});
