/**
 * Run summaries: every stage (import, load-tracking, extract, export) reports what it read
 * and what it did the same way, per file and in total, so that the CLI prints one kind of
 * table and `--json` one kind of object, and nothing is ever dropped without a count.
 */

/** Reports progress: bytes read so far (of the input as stored: ciphertext, compressed). */
export type ProgressCallback = (progress: {
  readonly file: string;
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Bytes of every file of the run, when the stage knows them up front. */
  readonly runBytesRead?: number;
  readonly runTotalBytes?: number;
}) => void;

/** What one input file gave. */
export interface FileSummary {
  readonly file: string;
  /** Bytes of the file as stored. */
  readonly bytes: number;
  /** Lines (or rows) read, blank ones included. */
  readonly lines: number;
  /** Records loaded. */
  readonly records: number;
  /** Records that could not be loaded, by reason (each kept with its reason elsewhere). */
  readonly rejected: Readonly<Record<string, number>>;
  /** Records already present (same key), not stored twice. */
  readonly duplicates: number;
  readonly elapsedMs: number;
}

/** What a whole run gave: the files and their totals. */
export interface RunSummary {
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
  readonly records: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly duplicates: number;
  readonly elapsedMs: number;
  readonly perFile: readonly FileSummary[];
}

/** Counts for one file, filled in while it is read. */
export class FileTally {
  bytes = 0;
  lines = 0;
  records = 0;
  duplicates = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private readonly started: number;

  constructor(
    readonly file: string,
    private readonly now: () => number,
  ) {
    this.started = now();
  }

  /** Count a record that could not be loaded, under a short, stable reason. */
  reject(reason: string, count = 1): void {
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + count);
  }

  get rejected(): number {
    let total = 0;
    for (const n of this.rejectedByReason.values()) total += n;
    return total;
  }

  finish(): FileSummary {
    return {
      file: this.file,
      bytes: this.bytes,
      lines: this.lines,
      records: this.records,
      rejected: Object.fromEntries(
        [...this.rejectedByReason].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      duplicates: this.duplicates,
      elapsedMs: this.now() - this.started,
    };
  }
}

/** Collects the file summaries of a run and adds them up. */
export class RunTally {
  private readonly files: FileSummary[] = [];
  private readonly started: number;

  constructor(private readonly now: () => number = Date.now) {
    this.started = now();
  }

  startFile(file: string): FileTally {
    return new FileTally(file, this.now);
  }

  add(summary: FileSummary): void {
    this.files.push(summary);
  }

  finish(): RunSummary {
    const byReason = new Map<string, number>();
    let bytes = 0;
    let lines = 0;
    let records = 0;
    let duplicates = 0;
    for (const file of this.files) {
      bytes += file.bytes;
      lines += file.lines;
      records += file.records;
      duplicates += file.duplicates;
      for (const [reason, n] of Object.entries(file.rejected))
        byReason.set(reason, (byReason.get(reason) ?? 0) + n);
    }
    let rejected = 0;
    for (const n of byReason.values()) rejected += n;
    return {
      files: this.files.length,
      bytes,
      lines,
      records,
      rejected,
      rejectedByReason: Object.fromEntries(
        [...byReason].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      duplicates,
      elapsedMs: this.now() - this.started,
      perFile: [...this.files],
    };
  }
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
    .join('  ')
    .trimEnd();
}

/** A plain-text table of a run: one row per file, then the totals and the reject reasons. */
export function formatRunSummary(summary: RunSummary): string {
  const header = ['file', 'bytes', 'lines', 'records', 'rejected', 'duplicates', 'seconds'];
  const row = (
    name: string,
    s: Omit<FileSummary, 'file' | 'rejected'> & { rejected: number },
  ): string[] => [
    name,
    String(s.bytes),
    String(s.lines),
    String(s.records),
    String(s.rejected),
    String(s.duplicates),
    (s.elapsedMs / 1000).toFixed(1),
  ];
  const rows = summary.perFile.map((f) =>
    row(f.file, { ...f, rejected: Object.values(f.rejected).reduce((a, b) => a + b, 0) }),
  );
  rows.push(row(`total (${summary.files} files)`, summary));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const lines = [pad(header, widths), ...rows.map((r) => pad(r, widths))];
  const reasons = Object.entries(summary.rejectedByReason);
  if (reasons.length > 0) {
    lines.push('', 'rejected by reason:');
    for (const [reason, n] of reasons) lines.push(`  ${reason}: ${n}`);
  }
  return lines.join('\n');
}
