import type { Writer } from './io.js';

/** A one-line progress display on stderr, for long-running commands. */
export interface Progress {
  /** True when progress is drawn (`--no-progress` not given, and stderr is a terminal). */
  readonly enabled: boolean;
  /** Show `text` as the current progress (at most every 100 ms; a no-op when disabled). */
  update(text: string): void;
  /** Erase the progress line; done before anything else is written to stderr. */
  clear(): void;
}

const MIN_INTERVAL_MS = 100;
const ERASE_LINE = '\r\u001b[2K';

/**
 * Draw progress on `stderr`, rewriting one line in place. Without a terminal (a pipe, a log
 * file, CI), nothing is drawn: the summary at the end tells the same story.
 */
export function createProgress(
  stderr: Writer,
  enabled: boolean,
  now: () => number = Date.now,
): Progress {
  const drawn = enabled && stderr.isTTY === true;
  let shown = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    enabled: drawn,
    update(text) {
      if (!drawn) return;
      const time = now();
      if (time - last < MIN_INTERVAL_MS) return;
      last = time;
      stderr.write(`${ERASE_LINE}${text}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      stderr.write(ERASE_LINE);
      shown = false;
      last = Number.NEGATIVE_INFINITY;
    },
  };
}
