/**
 * What `npm publish` would ship, for every project tagged `publish`: the built library and its
 * sources, never a test, a test helper or a TypeScript build-info file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Manifest {
  readonly name: string;
  readonly nx?: { readonly tags?: readonly string[] };
}

interface PackResult {
  readonly name: string;
  readonly files: readonly { readonly path: string }[];
}

function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}

const root = workspaceRoot();
const publishable = ['packages', 'apps', 'tools']
  .flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group)).map((name) => join(group, name))
      : [],
  )
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .filter((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    return manifest.nx?.tags?.includes('publish') === true;
  })
  .sort();

describe('the published packages', () => {
  it('are the projects tagged publish', () => {
    expect(publishable).toEqual(expect.arrayContaining(['packages/core', 'packages/store']));
    expect(publishable).not.toContain('tools/test-support');
    expect(publishable).not.toContain('apps/edx-pipeline');
  });

  const packed = new Map<string, PackResult>();
  const pack = (): Map<string, PackResult> => {
    if (packed.size > 0) return packed;
    const out = execFileSync(
      'npm',
      [
        'pack',
        '--dry-run',
        '--json',
        '--ignore-scripts',
        ...publishable.flatMap((dir) => ['--workspace', dir]),
      ],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    for (const result of JSON.parse(out) as PackResult[]) packed.set(result.name, result);
    return packed;
  };

  it.each(publishable)('%s ships no test, test helper or build-info file', (dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    const files = (pack().get(manifest.name)?.files ?? []).map((file) => file.path);
    expect(files).toContain('package.json');
    expect(files.filter((path) => /\.test\.[cm]?[jt]s$|\.test\.d\.[cm]?ts/.test(path))).toEqual([]);
    expect(files.filter((path) => path.split('/').includes('test-support'))).toEqual([]);
    expect(files.filter((path) => path.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it.each(publishable)('%s ships its built entry point (build first: npm run build)', (dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    const files = (pack().get(manifest.name)?.files ?? []).map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
  });
});
