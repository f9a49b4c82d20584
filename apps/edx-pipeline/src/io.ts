/** Where a command writes: `process.stdout` and `process.stderr` fit, and so does a test buffer. */
export interface Writer {
  write(text: string): unknown;
  /** True when the writer is a terminal (progress is only drawn on one). */
  readonly isTTY?: boolean | undefined;
}

/** Everything the CLI touches outside itself, so that `run()` can be tested in-process. */
export interface CliIo {
  /** Command results: the human summary, or the `--json` object. */
  readonly stdout: Writer;
  /** Errors, warnings and progress. */
  readonly stderr: Writer;
  /** Environment variables (`EDX_STORE`, `EDX_DEBUG`, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
}
