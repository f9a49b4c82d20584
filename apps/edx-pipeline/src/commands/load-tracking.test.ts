import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
import { loadTrackingCommand } from './load-tracking.js';

const commands = [loadTrackingCommand];
let dir: string;
let plain: string;
let encrypted: string;
let keyFile: string;
let plainTruth: GroundTruth;
let encTruth: GroundTruth;

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage, generateTestKey, QUIRKS } = await import('@edx-data/synthetic-data');
const { openStore } = await import('@edx-data/store');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-load-tracking-'));
  plain = join(dir, 'plain');
  encrypted = join(dir, 'encrypted');
  const key = await generateTestKey();
  keyFile = join(dir, 'private.asc');
  await writeFile(keyFile, key.privateKey, { mode: 0o600 });
  ({ groundTruth: plainTruth } = await generatePackage({
    dir: plain,
    courses: 2,
    learners: 20,
    days: 3,
    seed: 3,
    quirks: QUIRKS,
  }));
  ({ groundTruth: encTruth } = await generatePackage({
    dir: encrypted,
    courses: 1,
    learners: 10,
    days: 2,
    seed: 4,
    encryptTo: key.publicKey,
  }));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function trackingCount(storeDir: string): Promise<number> {
  const store = await openStore(storeDir);
  const n = await store.db('tracking_logs').collection('tracking').countDocuments();
  await store.close();
  return n;
}

interface Summary {
  totals: { finished: number; skipped: number; failed: number; rejected: number; inserted: number };
  files: { status: string }[];
}

describe('edx-pipeline load-tracking', () => {
  it('loads a package folder with rejected lines (exit 3), then skips every file on a re-run (exit 0)', async () => {
    const storeDir = join(dir, 'store');
    const io = captureIo();
    const code = await run(['load-tracking', plain, '--store', storeDir, '--no-progress'], io, {
      commands,
    });
    expect(io.err()).toMatch(/warning: finished, but \d+ input records were rejected/u);
    expect(code).toBe(ExitCode.Rejected);
    const totals = plainTruth.events.totals;
    expect(io.out()).toContain(
      `3 files loaded, 0 skipped (already loaded), 0 failed: ${totals.uniqueEvents.toLocaleString('en-US')} events (${totals.uniqueEvents.toLocaleString('en-US')} new), ${totals.rejectedLines.toLocaleString('en-US')} lines rejected.`,
    );
    expect(io.out()).toContain('tracking_logs.tracking_rejected');
    expect(await trackingCount(storeDir)).toBe(totals.uniqueEvents);

    const again = captureIo();
    expect(
      await run(['load-tracking', plain, '--store', storeDir, '--json'], again, { commands }),
    ).toBe(ExitCode.Ok);
    const json = JSON.parse(again.out()) as Summary;
    expect(json.totals).toMatchObject({ finished: 0, skipped: 3, failed: 0, inserted: 0 });
    expect(json.files.map((f) => f.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(await trackingCount(storeDir)).toBe(totals.uniqueEvents);
  }, 120_000);

  it('fails a file over --max-rejects with exit 1, and loads the others', async () => {
    const storeDir = join(dir, 'store-max');
    const io = captureIo();
    const code = await run(
      ['load-tracking', plain, '--store', storeDir, '--max-rejects', '0', '--json'],
      io,
      { commands },
    );
    expect(code).toBe(ExitCode.Failure);
    const json = JSON.parse(io.out()) as Summary;
    const withRejects = plainTruth.events.files.filter((f) => f.rejectedLines.length > 0).length;
    expect(withRejects).toBeGreaterThan(0);
    expect(json.totals.failed).toBe(withRejects);
    expect(json.totals.finished).toBe(3 - withRejects);
  }, 120_000);

  it('loads an encrypted package with --key (exit 0); a tampered .gpg is reported and exits 1', async () => {
    const storeDir = join(dir, 'store-enc');
    const io = captureIo();
    expect(
      await run(['load-tracking', encrypted, '--key', keyFile, '--store', storeDir], io, {
        commands,
      }),
    ).toBe(ExitCode.Ok);
    expect(await trackingCount(storeDir)).toBe(encTruth.events.totals.uniqueEvents);

    const file = encTruth.events.files[0]?.file ?? '';
    const bytes = Buffer.from(await readFile(join(encrypted, file)));
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await mkdir(join(dir, 'tampered'), { recursive: true });
    const tampered = join(dir, 'tampered', file.split('/').pop() ?? 'x');
    await writeFile(tampered, bytes);
    const bad = captureIo();
    expect(
      await run(
        ['load-tracking', tampered, '--key', keyFile, '--store', join(dir, 'store-bad')],
        bad,
        { commands },
      ),
    ).toBe(ExitCode.Failure);
    expect(bad.out()).toMatch(/FAILED .*events/u);
    const store = await openStore(join(dir, 'store-bad'));
    const entries = await store
      .db('tracking_logs')
      .collection('tracking_imported')
      .find()
      .toArray();
    await store.close();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.['status']).toBe('loading');
  }, 120_000);

  it('says so when there is no tracking log (exit 2), and refuses a bad --max-rejects', async () => {
    const io = captureIo();
    expect(
      await run(['load-tracking', join(plain, 'nothing-here'), '--store', join(dir, 'x')], io, {
        commands,
      }),
    ).toBe(ExitCode.Failure);
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const none = captureIo();
    expect(await run(['load-tracking', empty, '--store', join(dir, 'x')], none, { commands })).toBe(
      ExitCode.Usage,
    );
    expect(none.err()).toMatch(/no tracking logs/u);
    const bad = captureIo();
    expect(
      await run(['load-tracking', empty, '--max-rejects', 'many', '--store', join(dir, 'x')], bad, {
        commands,
      }),
    ).toBe(ExitCode.Usage);
  });
});
