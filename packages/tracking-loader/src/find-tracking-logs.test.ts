import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REALDATA, REALDATA } from '@edx-data/test-support';
import { findTrackingLogs } from './find-tracking-logs.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'find-tracking-logs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(findTrackingLogs, () => {
  it("takes edX's daily exports and self-hosted logs from folders, and lists the rest with why", async () => {
    const names = [
      'harvardx-edx-events-2024-01-01.log.gz.gpg',
      'servers/tracking.log',
      'servers/tracking.log-20240102.gz',
      'servers/tracking.log.3.gz',
      'notes.txt',
      'McGillX-ATOC185x-2T2014-auth_user-prod-analytics.sql',
      '.hidden.log',
    ];
    for (const name of names) {
      await mkdir(join(dir, 'logs', name, '..'), { recursive: true });
      await writeFile(join(dir, 'logs', name), 'x');
    }
    const loose = join(dir, 'anything.txt');
    await writeFile(loose, 'x');
    const found = await findTrackingLogs([join(dir, 'logs'), loose]);
    expect(found.files.map((f) => f.path)).toEqual([
      join(dir, 'logs', 'harvardx-edx-events-2024-01-01.log.gz.gpg'),
      join(dir, 'logs', 'servers/tracking.log'),
      join(dir, 'logs', 'servers/tracking.log-20240102.gz'),
      join(dir, 'logs', 'servers/tracking.log.3.gz'),
      // a file named on the command line is taken as it is
      loose,
    ]);
    expect(found.files.every((f) => f.size === 1)).toBe(true);
    expect(found.ignored).toEqual([
      {
        path: join(dir, 'logs', 'McGillX-ATOC185x-2T2014-auth_user-prod-analytics.sql'),
        reason: 'not a tracking log by name (a table file)',
      },
      { path: join(dir, 'logs', 'notes.txt'), reason: 'not a tracking log by name' },
    ]);
  });

  it('fails on a path that does not exist', async () => {
    await expect(findTrackingLogs([join(dir, 'nope')])).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
    });
  });

  it.runIf(HAS_REALDATA)('counts what the real data folder holds', async () => {
    const found = await findTrackingLogs([REALDATA]);
    const names = found.files.map((f) => f.path.slice(REALDATA.length + 1));
    // The self-hosted logs (event-routing-backends' tracking.log, Stanford's rotated log) and
    // the pipeline's expected daily exports ({org}-{site}-events-{date}.log).
    expect(names).toContain(
      'openedx+event-routing-backends/event_routing_backends/management/commands/tests/fixtures/tracking.log',
    );
    expect(names.some((n) => n.endsWith('tracking.log-20130609.SCRUBBED.gz'))).toBe(true);
    // Every file of the folder is either loaded or listed as ignored.
    expect(found.files.length + found.ignored.length).toBeGreaterThan(100);
    expect(found.ignored.every((f) => f.reason.startsWith('not a tracking log by name'))).toBe(
      true,
    );
  });
});
