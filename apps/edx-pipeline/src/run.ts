import { CommanderError } from 'commander';
import type { Command } from 'commander';
import type { CliCommand, CommandResult } from './command.js';
import { exitCodeForResult } from './command.js';
import { COMMANDS } from './commands/registry.js';
import type { GlobalOptions } from './context.js';
import { createContext } from './context.js';
import { ExitCode } from './exit-code.js';
import type { CliIo, Writer } from './io.js';
import { packageVersion } from './package-version.js';
import { buildProgram } from './program.js';
import { collectSecrets, createRedactor, redactingWriter } from './redaction.js';
import type { Redactor } from './redaction.js';
import { PROGRAM_NAME, isDebug, oneLine, reportError } from './report-error.js';
import type { OpenStore } from './store-api.js';
import { loadStoreApi } from './store-api.js';

export interface RunOptions {
  /** Open the store (tests pass a fake). @default `openStore` of `@edx-data/store` */
  readonly openStore?: OpenStore;
  /** The commands to offer. @default every command of the CLI */
  readonly commands?: readonly CliCommand[];
}

const openRealStore: OpenStore = async (uri, options) =>
  (await loadStoreApi()).openStore(uri, options);

/** JSON.stringify, with bigints written as numbers when exact, else as strings. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'bigint') return item;
    return item >= BigInt(Number.MIN_SAFE_INTEGER) && item <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(item)
      : item.toString();
  });
}

function writeResult(result: CommandResult, json: boolean, stdout: Writer): void {
  if (json) stdout.write(`${toJson(result.summary)}\n`);
  else if (result.text.length > 0) stdout.write(`${result.text}\n`);
}

/** Map a commander exit (help, version, usage error) to an exit status, printing one line for errors. */
function commanderExit(error: CommanderError, stderr: Writer): ExitCode {
  switch (error.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return ExitCode.Ok;
    case 'commander.help':
      // No command given: commander has printed the help on stderr.
      return ExitCode.Usage;
    default: {
      const message = oneLine(error.message.replace(/^error:\s*/u, ''));
      const hint = message.includes('(Did you mean') ? '' : ` (see '${PROGRAM_NAME} --help')`;
      stderr.write(`${PROGRAM_NAME}: ${message}${hint}\n`);
      return ExitCode.Usage;
    }
  }
}

interface Runner {
  readonly io: CliIo;
  readonly debug: boolean;
  readonly redactor: Redactor;
  readonly openStore: OpenStore;
}

/**
 * Run one command with its context: open nothing up front, close the store whatever
 * happens, then print the result (or one error line) and return the exit status.
 */
async function execute(
  runner: Runner,
  definition: CliCommand,
  command: Command,
): Promise<ExitCode> {
  const { io, debug } = runner;
  const globals = command.optsWithGlobals<GlobalOptions>();
  const { context, close } = createContext({
    io,
    globals,
    debug,
    redactor: runner.redactor,
    openStore: runner.openStore,
  });

  let result: CommandResult;
  try {
    result = await definition.run(context, command);
  } catch (error) {
    let closeError: unknown;
    await close().catch((caught: unknown) => {
      closeError = caught;
    });
    const code = reportError(error, io.stderr, debug);
    // The first error is the one that matters; the second is only shown when debugging.
    if (debug && closeError !== undefined) reportError(closeError, io.stderr, debug);
    return code;
  }
  try {
    await close();
  } catch (closeError) {
    return reportError(closeError, io.stderr, debug);
  }

  writeResult(result, context.json, io.stdout);
  const code = exitCodeForResult(result);
  if (code === ExitCode.Rejected) {
    const rejected = result.rejected ?? 0;
    context.warn(
      `finished, but ${rejected} input record${rejected === 1 ? ' was' : 's were'} rejected (exit status 3)`,
    );
  }
  return code;
}

/**
 * The whole CLI as a function: parse `argv` (the arguments after the program name), run the
 * command, write on `io.stdout` / `io.stderr`, and return the exit status (see `ExitCode`).
 * It never throws, never exits the process, and never prints a secret: everything written
 * goes through the redactor (URI passwords, passphrases).
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  options: RunOptions = {},
): Promise<ExitCode> {
  const redactor = createRedactor(collectSecrets(argv, io.env));
  const safeIo: CliIo = {
    stdout: redactingWriter(io.stdout, redactor),
    stderr: redactingWriter(io.stderr, redactor),
    env: io.env,
  };
  const debug = isDebug(io.env);
  const runner: Runner = {
    io: safeIo,
    debug,
    redactor,
    openStore: options.openStore ?? openRealStore,
  };

  let exitCode: ExitCode = ExitCode.Ok;
  try {
    const program = buildProgram({
      version: packageVersion(),
      stdout: safeIo.stdout,
      stderr: safeIo.stderr,
      commands: options.commands ?? COMMANDS,
      onCommand: async (definition, command) => {
        exitCode = await execute(runner, definition, command);
      },
    });
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, safeIo.stderr);
    return reportError(error, safeIo.stderr, debug);
  }
  return exitCode;
}
