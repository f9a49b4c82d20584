export { run } from './run.js';
export type { RunOptions } from './run.js';
export { ExitCode } from './exit-code.js';
export { exitCodeForResult } from './command.js';
export type { CliCommand, CommandResult, JsonValue } from './command.js';
export type { CommandContext, GlobalOptions } from './context.js';
export type { CliIo, Writer } from './io.js';
export type { Progress } from './progress.js';
export type { OpenStore } from './store-api.js';
