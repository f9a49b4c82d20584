import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from './embedded-store.js';
import { buildStore, packageRoot } from '../test-support/built-store.js';

let dir: string;

beforeAll(async () => {
  // The child runs under plain Node, so it uses the built package: bring dist up to date.
  expect(await buildStore()).toBeUndefined();
  dir = mkdtempSync(join(tmpdir(), 'edx-kill-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Run the writer and SIGKILL it once it has started filling batch `killAtBatch`. */
function runAndKill(
  dbName: string,
  killAtBatch: number,
  mode: 'ordered' | 'unordered',
): Promise<{ signal: NodeJS.Signals | null; lastBatch: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(packageRoot, 'src', 'test-support', 'kill-writer.mjs'),
        join(dir, 'store'),
        dbName,
        mode,
      ],
      {
        cwd: packageRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let lastBatch = -1;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^batch (\d+)$/.exec(line);
        if (match) lastBatch = Number(match[1]);
        if (lastBatch >= killAtBatch && child.exitCode === null && !child.killed)
          child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      resolve({ signal, lastBatch });
    });
  });
}

describe('embedded engine killed mid-write', () => {
  it.each([
    ['early', 17, 'ordered'],
    ['late', 121, 'ordered'],
    ['on the writer thread', 60, 'unordered'],
  ] as const)(
    'keeps only whole batches when SIGKILLed %s (batch %i, %s)',
    async (label, killAtBatch, mode) => {
      const dbName = `kill_${label.replaceAll(' ', '_')}`;
      const { signal, lastBatch } = await runAndKill(dbName, killAtBatch, mode);
      expect(signal).toBe('SIGKILL');
      expect(lastBatch).toBeGreaterThanOrEqual(killAtBatch);

      // SQLite's own check of the file after the crash.
      const raw = new BetterSqlite3(join(dir, 'store', `${dbName}.sqlite`));
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();

      const store = await openEmbeddedStore(join(dir, 'store'));
      const events = store.db(dbName).collection('events');
      const count = await events.countDocuments();
      expect(count % 1000).toBe(0);
      // The child printed "batch N" as it started filling batch N; the last line it printed
      // was "batch lastBatch". Batch N is read only after batch N - 1 was handed to the store
      // (written, in its own transaction, before the next document is read when ordered;
      // sent to the writer thread, with at most one batch before it still being written,
      // when unordered). So every batch the child was past when it died is in the store:
      // all of 0 … lastBatch - 1 (ordered), 0 … lastBatch - 2 (unordered). And none it
      // had not started: at most 0 … lastBatch.
      const committed = count / 1000;
      const stillWriting = mode === 'ordered' ? 0 : 1;
      expect(committed).toBeGreaterThanOrEqual(lastBatch - stillWriting);
      expect(committed).toBeLessThanOrEqual(lastBatch + 1);
      const batches = await events
        .aggregate([{ $group: { _id: '$batch', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
        .toArray();
      // Every committed batch is whole, and they are the first ones, in order.
      expect(batches.map((b) => b['n'])).toEqual(batches.map(() => 1000));
      expect(batches.map((b) => b['_id'])).toEqual(batches.map((_, i) => i));
      // The store still takes writes after the crash.
      await events.insertOne({ _id: 'after-crash', batch: -1 });
      expect(await events.countDocuments({ _id: 'after-crash' })).toBe(1);
      await store.close();
    },
  );
});
