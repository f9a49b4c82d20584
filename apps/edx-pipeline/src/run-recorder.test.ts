import { describe, expect, it } from 'vitest';
import { RunRecorder, withoutPaths } from './run-recorder.js';

describe(withoutPaths, () => {
  it('keeps only the last segment of every path in a text', () => {
    expect(
      withoutPaths(
        'encrypted to a throwaway key: /tmp/x/demo/package/keys/private.asc (private, mode 600), /tmp/x/demo/package/keys/public.asc',
      ),
    ).toBe('encrypted to a throwaway key: private.asc (private, mode 600), public.asc');
    expect(withoutPaths('the run is described in ../../tmp/d/reports/X_Y_Z/manifest.json.')).toBe(
      'the run is described in manifest.json.',
    );
    expect(withoutPaths('see ./out/report.html: done')).toBe('see report.html: done');
  });

  it('leaves course ids, URLs and words with slashes alone', () => {
    const text =
      'course McGillX/ATOC185x/2T2014 and course-v1:McGillX+ATOC185x+2T2014 at https://courses.edx.org/x, 3/4 done';
    expect(withoutPaths(text)).toBe(text);
  });
});

describe(RunRecorder, () => {
  it('records a stage with its outcome and a detail without paths; a thrown error as failed', async () => {
    const recorder = new RunRecorder();
    await recorder.stage('export', 'course-v1:A+B+C', () =>
      Promise.resolve({ text: 'line one\nwrote 3 reports in /home/me/out/reports', summary: {} }),
    );
    await expect(
      recorder.stage('import', 'package', () =>
        Promise.reject(new Error('/data/p/a.sql: bad row')),
      ),
    ).rejects.toThrow('/data/p/a.sql: bad row');
    recorder.skip('load-tracking', 'logs', 'no new file in /data/logs');
    expect(
      recorder.stages.map(({ seconds, ...rest }) => ({ ...rest, timed: seconds >= 0 })),
    ).toEqual([
      {
        name: 'export',
        subject: 'course-v1:A+B+C',
        status: 'done',
        detail: 'wrote 3 reports in reports',
        timed: true,
      },
      {
        name: 'import',
        subject: 'package',
        status: 'failed',
        detail: 'a.sql: bad row',
        timed: true,
      },
      {
        name: 'load-tracking',
        subject: 'logs',
        status: 'skipped',
        detail: 'no new file in logs',
        timed: true,
      },
    ]);
  });
});
