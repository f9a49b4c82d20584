/**
 * The store's drivers (`better-sqlite3`, `mongodb`) are optional peers (issue 11): no
 * publishable package of the workspace installs either. The walk starts at every publishable
 * package (packages/*, not private) and follows what npm would install: `dependencies`,
 * `optionalDependencies` and non-optional `peerDependencies` (npm installs those), through
 * the workspace's own packages and the installed third-party ones alike.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot, workspaceRoot } from './test-support/built-store.js';

const DRIVERS = ['better-sqlite3', 'mongodb'] as const;

interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The folder of `name` as Node would find it from `from` (node_modules, up the tree). */
function installedFolder(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** What npm installs for a package: its dependencies and its required peers. */
function installs(manifest: Manifest): string[] {
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (name) => manifest.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...peers,
  ];
}

/** Every path from `start` to a driver, as `a > b > driver`. */
function pathsToDrivers(start: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (dir: string, trail: readonly string[]): void => {
    const manifest = readManifest(dir);
    for (const name of installs(manifest)) {
      const path = [...trail, name];
      if ((DRIVERS as readonly string[]).includes(name)) {
        found.push(path.join(' > '));
        continue;
      }
      const folder = installedFolder(name, dir);
      if (folder === undefined || seen.has(folder)) continue;
      seen.add(folder);
      visit(folder, path);
    }
  };
  visit(start, [readManifest(start).name]);
  return found;
}

const publishable = readdirSync(join(workspaceRoot, 'packages'))
  .map((name) => join(workspaceRoot, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')) && readManifest(dir).private !== true);

describe('the drivers are optional peers', () => {
  it('the store declares both as optional peer dependencies', () => {
    const manifest = readManifest(packageRoot);
    for (const driver of DRIVERS) {
      expect(manifest.dependencies?.[driver]).toBeUndefined();
      expect(manifest.optionalDependencies?.[driver]).toBeUndefined();
      expect(manifest.peerDependencies?.[driver]).toMatch(/^\^\d+/u);
      expect(manifest.peerDependenciesMeta?.[driver]).toStrictEqual({ optional: true });
    }
  });

  it('the walk finds a driver installed through a dependency or a required peer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edx-drivers-'));
    try {
      const write = (folder: string, manifest: Manifest): void => {
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest));
      };
      write(dir, { name: 'app', dependencies: { lib: '1', other: '1' } });
      write(join(dir, 'node_modules', 'lib'), { name: 'lib', dependencies: { mongodb: '7' } });
      write(join(dir, 'node_modules', 'other'), {
        name: 'other',
        peerDependencies: { 'better-sqlite3': '12', mongodb: '7' },
        peerDependenciesMeta: { mongodb: { optional: true } },
      });
      expect(pathsToDrivers(dir)).toStrictEqual([
        'app > lib > mongodb',
        'app > other > better-sqlite3',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(publishable.map((dir) => [readManifest(dir).name, dir] as const))(
    '%s installs neither better-sqlite3 nor mongodb',
    (_name, dir) => {
      expect(pathsToDrivers(dir)).toStrictEqual([]);
    },
  );

  it('covers the packages that depend on the store', () => {
    const names = publishable.map((dir) => readManifest(dir).name);
    expect(names).toContain('@edx-data/store');
    expect(names).toContain('@edx-data/tracking-loader');
  });
});
