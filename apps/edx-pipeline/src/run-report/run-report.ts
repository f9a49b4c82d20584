/**
 * What a run report (`report.html`, written by `demo` and `run`) shows: the figures of one
 * pipeline run. The commands fill the stages, files and reports as they go; the store's
 * figures (events per day per course, rejects by reason, rows per collection) are read from
 * the store at the end. Rendering is pure: {@link RunReport} in, one self-contained HTML page out.
 */

/** One stage of the run (generate, import, load-tracking, extract-course, export, anonymise). */
export interface RunStage {
  readonly name: string;
  /** What the stage worked on (a course id, a folder); empty for the whole run. */
  readonly subject: string;
  readonly status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed, or a one-line result ("22 files loaded"). */
  readonly detail: string;
  readonly seconds: number;
}

/** One input file of the run, as its loading stage saw it. */
export interface RunFile {
  readonly stage: 'import' | 'load-tracking';
  /** Its name (never a full path: the report may be shared). */
  readonly file: string;
  /** `loaded`: read this run; `skipped`: its ledger says it was loaded before, unchanged. */
  readonly status: 'loaded' | 'skipped' | 'failed' | 'superseded' | 'refused';
  /** Records (rows, events) loaded from it this run. */
  readonly records: number;
  readonly rejected: number;
  readonly reason?: string | undefined;
}

/** Events of one course on one UTC day (YYYY-MM-DD) in the master tracking database. */
export interface RunEventsOnDay {
  readonly course: string;
  readonly day: string;
  readonly events: number;
}

/** Rejected records of one kind: where they are kept and why they were rejected. */
export interface RunRejects {
  /** The collection that keeps them (`tracking_logs.rejected_lines`, `<db>.<table>_rejects`, …). */
  readonly collection: string;
  readonly reason: string;
  readonly count: number;
}

/** Documents in one collection of the store at the end of the run. */
export interface RunCollection {
  readonly database: string;
  readonly collection: string;
  readonly documents: number;
}

/** One report file written by the run. */
export interface RunReportFile {
  readonly course: string;
  readonly report: string;
  /** Relative to the run report's folder. */
  readonly file: string;
  readonly rows: number;
  readonly anonymised: boolean;
}

export interface RunReport {
  /** The command that ran (`edx-pipeline demo`, `edx-pipeline run --config pipeline.json`). */
  readonly title: string;
  readonly started: Date;
  readonly finished: Date;
  /** `embedded` (a folder) or `mongodb` (the URI's host only, never its credentials). */
  readonly store: { readonly engine: string; readonly location: string };
  readonly stages: readonly RunStage[];
  readonly files: readonly RunFile[];
  readonly eventsByDay: readonly RunEventsOnDay[];
  readonly rejects: readonly RunRejects[];
  readonly collections: readonly RunCollection[];
  readonly reports: readonly RunReportFile[];
  /** Anything the reader must know (counts that differ from a ground truth, failed stages). */
  readonly warnings: readonly string[];
}
