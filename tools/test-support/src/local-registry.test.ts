/**
 * The packages install alone. Every project tagged `publish` is published with the real
 * `nx release publish` to a throwaway Verdaccio (other packages proxied to the public
 * registry); then, in empty folders outside the repository, a user's `npm install` of one
 * package and the script of local-registry-scripts.ts, whose output is checked against
 * counts made here independently from the real data. Needs the public npm registry: without
 * it the suite is skipped locally (the reason printed) and fails under CI.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentHas } from './environment.js';
import { HAS_REALDATA, PIPELINE_INPUT, PIPELINE_STATE_INPUT, REALDATA } from './realdata.js';
import {
  installedPackages,
  publicRegistryProblem,
  publishableProjects,
  startLocalRegistry,
  workspaceRoot,
} from './local-registry.js';
import type { LocalRegistry } from './local-registry.js';
import { SQL_PARSER_ALONE, STORE_ALONE, TRACKING_LOADER_ALONE } from './local-registry-scripts.js';
import type { AloneScript } from './local-registry-scripts.js';

const root = workspaceRoot();
const projects = publishableProjects(root);
const online = environmentHas('the public npm registry', await publicRegistryProblem());

/** A real mysqldump file (45 INSERT tuples) and a real data-package TSV table. */
const SQL_DUMP = join(PIPELINE_INPUT, 'load_courseware_studentmodule.sql');
const SQL_TSV = join(PIPELINE_STATE_INPUT, 'edX-DemoX-Demo_Course-auth_user-acceptance.sql');
/** Open edX 2023 log lines behind a python-logging prefix, two broken, one without `time`. */
const TRACKING_LOG = join(
  REALDATA,
  'openedx+event-routing-backends/event_routing_backends/management/commands/tests/fixtures/tracking.log',
);
/** JSON lines with `#` comments and blank lines between them. */
const ENGAGEMENT_LOG = join(PIPELINE_INPUT, 'student_engagement_acceptance_tracking.log');

/** Never in the tree of a package installed alone: tools, the other packages, unasked drivers. */
const NEVER = [
  'mongodb',
  'nx',
  'vitest',
  'typescript',
  'verdaccio',
  '@faker-js/faker',
  'geoip-country',
  'fast-csv',
  '@edx-data/test-support',
  '@edx-data/synthetic-data',
  '@edx-data/anonymizer',
  '@edx-data/csv-exporter',
  '@edx-data/course-extractor',
  '@edx-data/forum-importer',
];

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr });
        else reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      },
    );
  });
}

const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

describe.skipIf(!HAS_REALDATA || !online)('the packages, installed alone from a registry', () => {
  let registry: LocalRegistry | undefined;
  const folders: string[] = [];
  const seconds: Record<string, number> = {};

  const local = (): LocalRegistry => {
    if (registry === undefined) throw new Error('the local registry did not start');
    return registry;
  };

  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[what] = Math.round((performance.now() - start) / 100) / 10;
    }
  };

  /** A new folder outside the repository holding `script`, after `npm install <install…>`. */
  const installAlone = async (
    script: AloneScript,
    install: readonly string[] = script.install,
    env: Readonly<Record<string, string>> = {},
  ): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'edx-alone-'));
    folders.push(dir);
    expect(relative(root, dir).startsWith('..')).toBe(true);
    await writeFile(join(dir, 'package.json'), '{ "private": true }\n');
    await writeFile(join(dir, script.file), script.source);
    await timed(`npm install ${script.install.join(' ')}`, () =>
      run('npm', ['install', '--no-audit', '--no-fund', ...install], {
        cwd: dir,
        env: local().env(env),
        timeout: 180_000,
      }),
    );
    return dir;
  };

  /** The package-lock's `resolved` URL of `name` in `dir`. */
  const resolvedFrom = (dir: string, name: string): string => {
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    return lock.packages[`node_modules/${name}`]?.resolved ?? '';
  };

  const runScript = async (dir: string, script: AloneScript, args: readonly string[]) => {
    const { stdout, stderr } = await run(process.execPath, [script.file, ...args], {
      cwd: dir,
      env: process.env,
      timeout: 60_000,
    });
    return { output: JSON.parse(stdout) as unknown, stderr };
  };

  beforeAll(async () => {
    registry = await timed('start verdaccio', () => startLocalRegistry(root));
    // The packages ship dist/: build them (a cache hit after `npm run build`).
    await timed('nx build', () =>
      run(process.execPath, [nx, 'run-many', '-t', 'build', '--projects=tag:publish'], {
        cwd: root,
        env: { ...process.env, ...NX_ENV },
        timeout: 300_000,
      }),
    );
    await timed('nx release publish', () =>
      run(process.execPath, [nx, 'release', 'publish', '--registry', local().url], {
        cwd: root,
        env: local().env(NX_ENV),
        timeout: 300_000,
      }),
    );
  }, 600_000);

  afterAll(async () => {
    console.log(
      `local registry timings (s): ${Object.entries(seconds)
        .map(([what, s]) => `${what} ${String(s)}`)
        .join(', ')}`,
    );
    await registry?.stop();
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  }, 60_000);

  it('nx release publish put every project tagged publish on the registry', async () => {
    expect(projects.map((project) => project.name)).toEqual(
      expect.arrayContaining([
        '@edx-data/core',
        '@edx-data/store',
        '@edx-data/edx-sql-parser',
        '@edx-data/tracking-loader',
      ]),
    );
    for (const project of projects) {
      const response = await fetch(new URL(project.name.replace('/', '%2f'), local().url));
      expect(response.status, `${project.name} on ${local().url}`).toBe(200);
      const document = (await response.json()) as {
        'dist-tags': Record<string, string>;
        versions: Record<string, { dist: { tarball: string } }>;
      };
      expect(document['dist-tags']['latest'], project.name).toBe(project.version);
      expect(document.versions[project.version]?.dist.tarball).toMatch(
        new RegExp(`^${local().url.replace(/[.]/g, '\\.')}`),
      );
    }
  });

  it('@edx-data/edx-sql-parser alone parses a real mysqldump file and a real TSV table', async () => {
    const dir = await installAlone(SQL_PARSER_ALONE);
    const installed = installedPackages(dir);
    expect(installed.filter((name) => name.startsWith('@edx-data/'))).toEqual([
      '@edx-data/core',
      '@edx-data/edx-sql-parser',
      '@edx-data/store',
    ]);
    expect(installed.filter((name) => [...NEVER, 'better-sqlite3'].includes(name))).toEqual([]);
    expect(resolvedFrom(dir, '@edx-data/edx-sql-parser').startsWith(local().url)).toBe(true);

    // mysqldump: each INSERT tuple, found with a regex (id, module_type, module_id, student_id).
    const dump = readFileSync(SQL_DUMP, 'utf8');
    const tuples = [...dump.matchAll(/(?:VALUES |\),)\((\d+),'([^']*)','([^']*)',(\d+),/g)].map(
      (match) => [Number(match[1]), match[2], match[3], Number(match[4])],
    );
    expect(tuples.length).toBe([...dump.matchAll(/(?:VALUES |\),)\(\d+,/g)].length);
    expect(tuples.length).toBeGreaterThan(40);
    const parsed = (await runScript(dir, SQL_PARSER_ALONE, [SQL_DUMP])).output as {
      summary: { format: string; table: string; rows: number; rejected: { count: number } };
      values: { id: number; module_type: string; module_id: string; student_id: number }[];
    };
    expect(parsed.summary).toMatchObject({
      format: 'mysqldump',
      table: /INSERT INTO `(\w+)`/.exec(dump)?.[1],
      rows: tuples.length,
      rejected: { count: 0 },
    });
    expect(parsed.values.map((v) => [v.id, v.module_type, v.module_id, v.student_id])).toEqual(
      tuples,
    );

    // TSV: a header line, then one row a line; columns by header name.
    const lines = readFileSync(SQL_TSV, 'utf8')
      .split(/\r?\n/)
      .filter((line) => line !== '');
    const header = (lines[0] ?? '').split('\t');
    const rows = lines.slice(1).map((line) => line.split('\t'));
    const tsv = (await runScript(dir, SQL_PARSER_ALONE, [SQL_TSV])).output as {
      summary: { format: string; table: string; rows: number };
      values: { id: number; username: string }[];
    };
    expect(tsv.summary).toMatchObject({ format: 'tsv', table: 'auth_user', rows: rows.length });
    expect(tsv.values.map((v) => [v.id, v.username])).toEqual(
      rows.map((row) => [Number(row[header.indexOf('id')]), row[header.indexOf('username')]]),
    );
  }, 240_000);

  it('@edx-data/tracking-loader alone parses a real tracking log, without a store engine', async () => {
    const dir = await installAlone(TRACKING_LOADER_ALONE);
    const installed = installedPackages(dir);
    expect(installed.filter((name) => name.startsWith('@edx-data/'))).toEqual([
      '@edx-data/core',
      '@edx-data/store',
      '@edx-data/tracking-loader',
    ]);
    expect(
      installed.filter((name) => [...NEVER, 'better-sqlite3', 'sql-parser-cst'].includes(name)),
    ).toEqual([]);
    expect(resolvedFrom(dir, '@edx-data/tracking-loader').startsWith(local().url)).toBe(true);

    // Counted here: a line is an event when, after any logging prefix (text before the
    // first `{`) and a trailing comma, it is a JSON object with a `time` string.
    const lines = readFileSync(TRACKING_LOG, 'utf8').replace(/\n$/, '').split('\n');
    const nonBlank = lines.filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    const expected = nonBlank
      .map((line) => {
        try {
          return JSON.parse(line.slice(line.indexOf('{')).trimEnd().replace(/,$/, '')) as unknown;
        } catch {
          return undefined;
        }
      })
      .filter(
        (value): value is { event_type: unknown } =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          typeof (value as { time?: unknown }).time === 'string',
      );
    const { output, stderr } = await runScript(dir, TRACKING_LOADER_ALONE, [TRACKING_LOG]);
    const parsed = output as {
      summary: { lines: number; blank: number; events: number; rejected: Record<string, number> };
      types: unknown[];
    };
    const rejected = Object.values(parsed.summary.rejected).reduce((a, b) => a + b, 0);
    expect(parsed.summary.lines).toBe(lines.length);
    expect(parsed.summary.blank).toBe(lines.length - nonBlank.length);
    expect(parsed.summary.events).toBe(expected.length);
    expect(rejected).toBe(nonBlank.length - expected.length);
    expect(rejected).toBeGreaterThan(0);
    expect(stderr.split('\n').filter((line) => line.startsWith(TRACKING_LOG))).toHaveLength(
      rejected,
    );
    expect(parsed.types).toEqual(expected.map((event) => event.event_type));
  }, 240_000);

  it('@edx-data/store alone, with better-sqlite3, stores real events in the embedded engine', async () => {
    // better-sqlite3 downloads its binary from GitHub, or compiles for minutes without it.
    // The binary of the workspace's own copy (this Node, this machine) is offered to it as
    // a local prebuild (prebuild-install's `local-prebuilds`), so the same version is asked for.
    const workspaceSqlite = join(root, 'node_modules', 'better-sqlite3');
    const { version } = JSON.parse(readFileSync(join(workspaceSqlite, 'package.json'), 'utf8')) as {
      version: string;
    };
    const prebuilds = await mkdtemp(join(tmpdir(), 'edx-prebuilds-'));
    folders.push(prebuilds);
    if (existsSync(join(workspaceSqlite, 'build', 'Release', 'better_sqlite3.node'))) {
      await mkdir(prebuilds, { recursive: true });
      const tarball = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
      await run('tar', ['-czf', join(prebuilds, tarball), 'build/Release/better_sqlite3.node'], {
        cwd: workspaceSqlite,
        env: process.env,
        timeout: 60_000,
      });
    }
    const dir = await installAlone(
      STORE_ALONE,
      STORE_ALONE.install.map((name) => (name === 'better-sqlite3' ? `${name}@${version}` : name)),
      { npm_config_better_sqlite3_local_prebuilds: prebuilds },
    );
    const installed = installedPackages(dir);
    expect(installed.filter((name) => name.startsWith('@edx-data/'))).toEqual([
      '@edx-data/core',
      '@edx-data/store',
    ]);
    expect(installed).toContain('better-sqlite3');
    expect(installed.filter((name) => [...NEVER, 'sql-parser-cst'].includes(name))).toEqual([]);
    expect(resolvedFrom(dir, '@edx-data/store').startsWith(local().url)).toBe(true);

    const events = readFileSync(ENGAGEMENT_LOG, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { username: string });
    const { output } = await runScript(dir, STORE_ALONE, [ENGAGEMENT_LOG, join(dir, 'store')]);
    expect(output).toEqual({
      engine: 'embedded',
      events: events.length,
      usernames: [...new Set(events.map((event) => event.username))].sort(),
    });
    expect(events.length).toBeGreaterThan(200);
    expect(existsSync(join(dir, 'store'))).toBe(true);
  }, 240_000);
});
