/**
 * The exit status of every command:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done |
 * | 1 | failed (bad input, store error, unexpected error) |
 * | 2 | usage error: unknown command or option, bad value, invalid database name, unknown store URI scheme |
 * | 3 | finished, but some input records were rejected (they are stored with their reason) |
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Rejected: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
