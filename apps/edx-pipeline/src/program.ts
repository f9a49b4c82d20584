import { Command } from 'commander';
import type { CliCommand } from './command.js';
import type { Writer } from './io.js';
import { PROGRAM_NAME } from './report-error.js';

export interface ProgramSettings {
  readonly version: string;
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly commands: readonly CliCommand[];
  /** Called when `command` (the parsed commander sub-command of `definition`) is to run. */
  readonly onCommand: (definition: CliCommand, command: Command) => Promise<void>;
}

const HELP_FOOTER = `
Exit status:
  0  done
  1  failed
  2  usage error: unknown command or option, bad value, invalid database name,
     unknown store URI scheme
  3  finished, but some input records were rejected (they are kept with their reason)

Environment:
  EDX_STORE  the store when --store is not given (a folder or a mongodb:// URI)
  EDX_DEBUG  set to 1 to print the stack trace of an error`;

/**
 * The commander program: global options (accepted before or after the command name), one
 * sub-command per {@link CliCommand}. It never exits the process: commander's exits become
 * `CommanderError`s, and nothing is printed for them (the runner does it).
 */
export function buildProgram(settings: ProgramSettings): Command {
  const program = new Command(PROGRAM_NAME);
  program
    .description(
      'Load edX research data (database packages, tracking logs) into a queryable store.',
    )
    .version(settings.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option(
      '--store <uri>',
      'the store: a folder (embedded engine) or a mongodb:// or mongodb+srv:// URI (default: $EDX_STORE, else ./edx-data)',
    )
    .option('--json', 'print a machine-readable summary (one JSON object) on stdout')
    .option('--no-progress', 'do not show progress on stderr')
    .helpCommand('help [command]', 'show help for a command')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', HELP_FOOTER)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => settings.stdout.write(text),
      writeErr: (text) => settings.stderr.write(text),
      outputError: () => undefined,
    });

  for (const definition of settings.commands) {
    const command = program.command(definition.name);
    definition.configure(command);
    command.action(() => settings.onCommand(definition, command));
  }
  return program;
}
