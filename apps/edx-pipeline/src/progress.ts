import type { Writer } from './io.js';

/** A one-line progress display on stderr, for long-running commands. */
export interface Progress {
  /** True when progress is drawn (`--no-progress` not given, and stderr is a terminal). */
  readonly enabled: boolean;
  /** Show `text` as the current progress (at most every 100 ms; a no-op when disabled). */
  update(text: string): void;
  /**
   * Show a bar for `done` of `total` bytes: `label [#####-----]  42%  120.0/285.3 MB`.
   * Fits the `ProgressCallback` of `@edx-data/core` (bytes read of total bytes).
   */
  bytes(label: string, done: number, total: number): void;
  /** Erase the progress line; done before anything else is written to stderr. */
  clear(): void;
}

const MIN_INTERVAL_MS = 100;
const ERASE_LINE = '\r\u001b[2K';
const BAR_WIDTH = 24;

/** `label [#####-----]  42%  120.0/285.3 MB`: a progress bar as one line of text. */
export function formatBar(label: string, done: number, total: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}  ${mb(done)}/${mb(total)} MB`;
}

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
  const update = (text: string): void => {
    if (!drawn) return;
    const time = now();
    if (time - last < MIN_INTERVAL_MS) return;
    last = time;
    stderr.write(`${ERASE_LINE}${text}`);
    shown = true;
  };
  return {
    enabled: drawn,
    update,
    bytes(label, done, total) {
      // Formatting costs nothing worth skipping; `update` throttles the drawing.
      if (drawn) update(formatBar(label, done, total));
    },
    clear() {
      if (!shown) return;
      stderr.write(ERASE_LINE);
      shown = false;
      last = Number.NEGATIVE_INFINITY;
    },
  };
}
