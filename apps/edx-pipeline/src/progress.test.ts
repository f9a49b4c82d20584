import { describe, expect, it } from 'vitest';
import { createProgress, formatBar } from './progress.js';

function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, writer: { isTTY, write: (text: string) => writes.push(text) } };
}

describe(createProgress, () => {
  it('draws on a terminal, at most every 100 ms, and erases the line on clear', () => {
    const { writes, writer } = terminal(true);
    let time = 1_000;
    const progress = createProgress(writer, true, () => time);
    progress.update('10 lines');
    time += 50;
    progress.update('20 lines');
    time += 100;
    progress.update('30 lines');
    progress.clear();
    progress.clear();
    expect(progress.enabled).toBe(true);
    expect(writes).toEqual(['\r\u001b[2K10 lines', '\r\u001b[2K30 lines', '\r\u001b[2K']);
  });

  it('draws nothing with --no-progress or without a terminal', () => {
    for (const [isTTY, enabled] of [
      [true, false],
      [false, true],
    ] as const) {
      const { writes, writer } = terminal(isTTY);
      const progress = createProgress(writer, enabled);
      progress.update('10 lines');
      progress.clear();
      expect(progress.enabled).toBe(false);
      expect(writes).toEqual([]);
    }
  });
});

describe(formatBar, () => {
  it('draws a bar of bytes done of total', () => {
    expect(formatBar('mcgillx-edx-events-2014-10-14.log.gz.gpg', 42_000_000, 100_000_000)).toBe(
      'mcgillx-edx-events-2014-10-14.log.gz.gpg [##########--------------]  42%  42.0/100.0 MB',
    );
    expect(formatBar('x', 5, 0)).toBe('x [------------------------]   0%  0.0/0.0 MB');
    expect(formatBar('x', 200, 100)).toBe('x [########################] 100%  0.0/0.0 MB');
  });

  it('is drawn through the progress line on a terminal', () => {
    const { writes, writer } = terminal(true);
    createProgress(writer, true, () => 0).bytes('f', 1, 2);
    expect(writes).toEqual(['\r\u001b[2Kf [############------------]  50%  0.0/0.0 MB']);
  });
});
