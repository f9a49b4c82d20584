/**
 * `edx-pipeline demo --store <MongoDB URI>`: every stage of the pipeline (import, load, extract,
 * export, anonymise) on the MongoDB engine, through the official driver, against the server
 * of `npm test` (FerretDB) or `MONGODB_URI`. FerretDB's known gaps are asserted exactly, so a
 * new gap (or a gap closed) shows here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { courseDatabaseName, MASTER_TRACKING } from '@edx-data/core';
import { detectFerretDb, mongoTestUri } from '@edx-data/test-support';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

const { openStore } = await import('@edx-data/store');

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-demo-mongo-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  mismatches: number;
  checks: { what: string; expected: number; found: number }[];
  import: { files: { file: string; status: string; error?: string }[] };
  export: {
    reports: { name: string; rows: number }[];
    skipped: { name: string; reason: string }[];
  }[];
  anonymise: { kReached: number | null; files: unknown[] }[];
}

const uri = mongoTestUri();

describe.skipIf(uri === undefined)('edx-pipeline demo --store <MongoDB URI>', () => {
  it('runs every stage on the MongoDB engine; only the server’s known gaps differ', async () => {
    const mongo = uri ?? '';
    const ferret = await detectFerretDb(mongo);
    // An org of this run only: its course databases meet nothing else on a shared server.
    const org = `MgDemo${Date.now().toString(36)}`;
    const out = join(dir, 'demo');
    const io = captureIo();
    const code = await run(
      ['--store', mongo, 'demo', '--out', out, '--org', org, '--json', '--no-progress'],
      io,
    );
    const summary = JSON.parse(io.out()) as Summary;
    const truth = JSON.parse(
      await readFile(join(out, 'package', 'ground-truth.json'), 'utf8'),
    ) as GroundTruth;
    const databases = [
      MASTER_TRACKING.database,
      ...truth.courseIds.map((c) => courseDatabaseName(c)),
    ];
    const store = await openStore(mongo);
    try {
      // Nothing went to the demo folder's embedded store: the data is on the server.
      expect(await readdir(out)).not.toContain('store');
      const names = (await store.listDatabases()).map((d) => d.name);
      for (const name of databases) expect(names).toContain(name);
      expect(
        await store
          .db(MASTER_TRACKING.database)
          .collection(MASTER_TRACKING.events)
          .countDocuments(),
      ).toBe(truth.events.totals.uniqueEvents);

      const failedImports = summary.import.files.filter((f) => f.status !== 'loaded');
      const wrong = summary.checks.filter((c) => c.expected !== c.found);
      const skipped = summary.export.flatMap((e) => e.skipped.map((s) => s.name)).sort();
      if (ferret) {
        // FerretDB v1 gaps, listed rather than hidden:
        // 1. it refuses arrays nested in arrays (userprofile `meta.old_emails`), so each
        //    auth_userprofile file fails, with the server's reason, and its count differs;
        expect(failedImports.map((f) => f.file.split('/').pop())).toEqual(
          truth.courseIds.map(
            (c) => `${truth.courses[c]?.filePrefix ?? ''}-auth_userprofile-prod-analytics.sql.gpg`,
          ),
        );
        for (const f of failedImports) expect(f.error).toMatch(/nested arrays are not supported/u);
        expect(wrong.map((c) => c.what)).toEqual(
          truth.courseIds.map((c) => `${courseDatabaseName(c)}.userprofile`),
        );
        // 2. so course_stats (which reads userprofile) is skipped, with that reason.
        expect(skipped).toEqual(
          [
            ...truth.courseIds.map(() => 'course_stats'),
            ...truth.courseIds.map(() => 'entrance_exit_surveys'),
          ].sort(),
        );
        expect(code).toBe(ExitCode.Failure);
      } else {
        expect(failedImports).toEqual([]);
        expect(wrong).toEqual([]);
        expect(skipped).toEqual(truth.courseIds.map(() => 'entrance_exit_surveys'));
        expect(code).toBe(ExitCode.Ok);
      }
      // Every other count of the ground truth holds on the server (37 of them and more).
      expect(summary.checks.length - wrong.length).toBeGreaterThanOrEqual(36);
      // Every course exported and anonymised from the MongoDB store.
      expect(summary.export).toHaveLength(truth.courseIds.length);
      expect(summary.anonymise).toHaveLength(truth.courseIds.length);
      for (const [i, course] of truth.courseIds.entries()) {
        const folder = courseDatabaseName(course);
        const csv = (await readdir(join(out, 'reports', folder))).filter((f) => f.endsWith('.csv'));
        expect(csv.length).toBe(summary.export[i]?.reports.length);
        const copies = (await readdir(join(out, 'anonymised', folder))).filter((f) =>
          f.endsWith('.csv'),
        );
        expect(copies.sort()).toEqual(csv.sort());
        expect(summary.anonymise[i]?.kReached).toBeGreaterThanOrEqual(5);
      }

      // The run report: the server's hosts only, the demo's databases only, the warnings said.
      const html = await readFile(join(out, 'report.html'), 'utf8');
      const hosts = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/u.exec(mongo)?.[1] ?? '?';
      expect(html).toContain(`<dd>mongodb: ${hosts}</dd>`);
      expect(html).toContain('<svg');
      const reportDatabases = new Set(
        [
          ...(/<section id="collections">[\s\S]*?<\/section>/u.exec(html)?.[0] ?? '').matchAll(
            /<tr[^>]*><td>([A-Za-z0-9_-]+)<\/td><td>[a-z_]+<\/td><td class="n">/gu,
          ),
        ].map((m) => m[1]),
      );
      expect([...reportDatabases].sort()).toEqual([...databases].sort());
      for (const c of wrong) expect(html).toContain(c.what);

      // A second demo on the same server replaces its own databases (and only those).
      const again = captureIo();
      await run(
        ['--store', mongo, 'demo', '--out', out, '--org', org, '--json', '--no-progress'],
        again,
      );
      const second = JSON.parse(again.out()) as Summary;
      expect(second.checks.filter((c) => c.expected !== c.found)).toEqual(wrong);
    } finally {
      for (const name of databases) await store.dropDatabase(name).catch(() => false);
      await store.close();
    }
  }, 300_000);

  it('refuses a server that holds databases of the same names it did not make (exit 2)', async () => {
    const mongo = uri ?? '';
    const org = `MgKeep${Date.now().toString(36)}`;
    const store = await openStore(mongo);
    // A course database of someone else's, as the demo would name it.
    const theirs = `${org}_ATOC185x_1T2023`;
    try {
      await store.db(theirs).collection('notes').insertOne({ _id: 'keep', text: 'mine' });
      const io = captureIo();
      const code = await run(
        ['--store', mongo, 'demo', '--out', join(dir, 'refused'), '--org', org, '--no-progress'],
        io,
      );
      expect(code).toBe(ExitCode.Usage);
      expect(io.err()).toContain(`the store already holds ${theirs}`);
      expect(await store.db(theirs).collection('notes').findOne({ _id: 'keep' })).toEqual({
        _id: 'keep',
        text: 'mine',
      });
    } finally {
      await store.dropDatabase(theirs).catch(() => false);
      await store.close();
    }
  }, 120_000);
});
