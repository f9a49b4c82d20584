import { describe, expect, it } from 'vitest';
import { RunTally, formatRunSummary } from './run-summary.js';

describe(RunTally, () => {
  it('adds up files, rejects by reason and duplicates', () => {
    let clock = 1000;
    const run = new RunTally(() => clock);
    const a = run.startFile('a.log.gz');
    a.bytes = 100;
    a.lines = 10;
    a.records = 7;
    a.reject('invalid JSON', 2);
    a.duplicates = 1;
    clock += 500;
    run.add(a.finish());
    const b = run.startFile('b.log.gz');
    b.bytes = 50;
    b.lines = 5;
    b.records = 4;
    b.reject('line too long');
    b.reject('invalid JSON');
    clock += 250;
    run.add(b.finish());
    const summary = run.finish();
    expect(summary).toMatchObject({
      files: 2,
      bytes: 150,
      lines: 15,
      records: 11,
      rejected: 4,
      rejectedByReason: { 'invalid JSON': 3, 'line too long': 1 },
      duplicates: 1,
      elapsedMs: 750,
    });
    expect(summary.perFile.map((f) => [f.file, f.elapsedMs, f.rejected])).toEqual([
      ['a.log.gz', 500, { 'invalid JSON': 2 }],
      ['b.log.gz', 250, { 'invalid JSON': 1, 'line too long': 1 }],
    ]);
    expect(b.rejected).toBe(2);
    expect(formatRunSummary(summary).split('\n')).toEqual([
      'file             bytes  lines  records  rejected  duplicates  seconds',
      'a.log.gz           100     10        7         2           1      0.5',
      'b.log.gz            50      5        4         2           0      0.3',
      'total (2 files)    150     15       11         4           1      0.8',
      '',
      'rejected by reason:',
      '  invalid JSON: 3',
      '  line too long: 1',
    ]);
  });
});
