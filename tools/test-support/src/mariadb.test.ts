import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mariaDbProblem } from './mariadb.js';

describe('mariaDbProblem', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-support-mariadb-'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'sbin'));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('names every missing program and how to install them', () => {
    vi.stubEnv('PATH', join(dir, 'bin'));
    expect(mariaDbProblem()).toBe(
      'mariadbd, mariadb-install-db, mariadb, mariadb-dump not found; install MariaDB (Debian/Ubuntu: apt-get install mariadb-server mariadb-client; `npm test` does as root)',
    );
  });

  it('finds the server in the sbin beside a bin folder of PATH', async () => {
    await writeFile(join(dir, 'sbin', 'mariadbd'), '');
    for (const name of ['mariadb-install-db', 'mariadb', 'mariadb-dump']) {
      await writeFile(join(dir, 'bin', name), '');
    }
    vi.stubEnv('PATH', `${join(dir, 'bin')}/`);
    expect(mariaDbProblem()).toBeUndefined();
    vi.stubEnv('PATH', join(dir, 'other'));
    expect(mariaDbProblem()).toMatch(/^mariadbd, mariadb-install-db, mariadb, mariadb-dump not/);
  });
});
