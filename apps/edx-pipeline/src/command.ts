import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { ExitCode } from './exit-code.js';

/** A JSON value, as a `--json` summary may hold it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** What a command hands back when it has finished; the runner prints it and picks the exit status. */
export interface CommandResult {
  /** The human summary, printed on stdout (without `--json`). */
  readonly text: string;
  /** The machine-readable summary, printed on stdout as one JSON object with `--json`. */
  readonly summary: { readonly [key: string]: JsonValue | undefined };
  /**
   * Input records that could not be loaded (and were kept, with their reason, in a rejects
   * collection). More than 0 makes the exit status 3.
   * @default 0
   */
  readonly rejected?: number;
  /**
   * Inputs that could not be processed at all (the command went on with the others and
   * says which in its output). More than 0 makes the exit status 1.
   * @default 0
   */
  readonly failed?: number;
}

/**
 * One command of the CLI, in its own file under `src/commands/` and listed in
 * `src/commands/registry.ts`. The runner gives it a {@link CommandContext} (store, output
 * mode, progress) and turns its result or error into output and an exit status.
 */
export interface CliCommand {
  /** The name typed after `edx-pipeline`. */
  readonly name: string;
  /** Describe the command: summary, description, arguments, its own options. */
  configure(command: Command): void;
  /**
   * Do the work. Read the command's own options with `command.opts<T>()` and its operands
   * with `command.args`. Throw an `EdxDataError` to fail (a `UsageError` exits 2, any other 1).
   */
  run(context: CommandContext, command: Command): Promise<CommandResult>;
}

/**
 * The exit status for a finished command: 1 when an input failed as a whole, 3 when any
 * input record was rejected, else 0.
 */
export function exitCodeForResult(result: CommandResult): ExitCode {
  if ((result.failed ?? 0) > 0) return ExitCode.Failure;
  return (result.rejected ?? 0) > 0 ? ExitCode.Rejected : ExitCode.Ok;
}
