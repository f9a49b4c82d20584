/**
 * A file whose integrity check fails at its very end (a real GnuPG message whose MDC was
 * altered) is rolled back exactly: every one of its events was read and inserted before the
 * verdict, and every one of those this run inserted is taken out again; the events loaded
 * earlier from other files stay, including the ones the failed file repeats.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_TRACKING } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import { createTestGpg, hasGpg, tamperLastByte } from '@edx-data/test-support';
import type { TestGpg } from '@edx-data/test-support';
import { loadTrackingLogs } from './load-tracking-logs.js';
import type { TrackingLedgerEntry } from './load-tracking-logs.js';

/** A tracking line, unique by `n`. */
function line(prefix: string, n: number): string {
  const second = String(n % 60).padStart(2, '0');
  const minute = String(Math.floor(n / 60) % 60).padStart(2, '0');
  return JSON.stringify({
    username: `${prefix}${String(n)}`,
    event_type: 'play_video',
    event_source: 'browser',
    time: `2024-01-09T10:${minute}:${second}.000000+00:00`,
    context: { course_id: 'course-v1:RollX+R1+2024' },
    event: JSON.stringify({ id: `video-${String(n)}`, currentTime: n }),
  });
}

const FIRST = Array.from({ length: 50 }, (_, i) => line('a', i));
/** The second file repeats 10 lines of the first, then has 3000 of its own. */
const REPEATED = FIRST.slice(0, 10);
const OWN = Array.from({ length: 3000 }, (_, i) => line('b', i));

describe.skipIf(!hasGpg())('a file rolled back after an integrity failure at its end', () => {
  let dir: string;
  let gpg: TestGpg;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tracking-rollback-'));
    gpg = await createTestGpg();
  }, 60_000);

  afterAll(async () => {
    await gpg.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes out exactly its own events; the earlier file keeps all of its own', async () => {
    const first = join(dir, 'rollx-edx-events-2024-01-08.log');
    await writeFile(first, `${FIRST.join('\n')}\n`);
    const plain = join(dir, 'second.log');
    await writeFile(plain, `${[...REPEATED, ...OWN].join('\n')}\n`);
    const tampered = join(dir, 'rollx-edx-events-2024-01-09.log.gpg');
    await gpg.encrypt(plain, tampered, false);
    // Only the MDC's (encrypted) SHA-1 changes: every plaintext byte comes out as it was and
    // the check fails at the very end.
    await tamperLastByte(tampered);

    const store = await openStore(join(dir, 'store'));
    try {
      const loaded = await loadTrackingLogs([first], store);
      expect(loaded.files[0]?.status).toBe('finished');
      const tracking = store.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
      expect(await tracking.countDocuments()).toBe(FIRST.length);

      const failed = await loadTrackingLogs([tampered], store, {
        key: gpg.armoredSecretKey,
        batchSize: 1,
      });
      const result = failed.files[0];
      expect(result?.status).toBe('failed');
      expect(result?.errorCode).toBe('E_INTEGRITY');
      const entry = await store
        .db(MASTER_TRACKING.database)
        .collection<TrackingLedgerEntry>(MASTER_TRACKING.ledger)
        .findOne({ _id: result?.hash ?? '' });
      // With one event per batch, every line was read and its event inserted before the
      // verdict came: the run inserted exactly the file's own events, and took them back.
      expect(entry?.rolledBack).toBe(OWN.length);
      expect(entry?.inserted).toBe(0);
      expect(entry?.status).toBe('loading');
      expect(await tracking.countDocuments()).toBe(FIRST.length);
      const users = await tracking.distinct('username');
      expect(users.sort()).toEqual(FIRST.map((_, i) => `a${String(i)}`).sort());
      expect(await tracking.countDocuments({ _load_file: 'rollx-edx-events-2024-01-08.log' })).toBe(
        FIRST.length,
      );
    } finally {
      await store.close();
    }
  }, 120_000);
});
