import type { CliCommand } from '../command.js';
import { anonymizeCommand } from './anonymize.js';
import { convertTrackingCommand } from './convert-tracking.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { extractCourseCommand } from './extract-course.js';
import { generateCommand } from './generate.js';
import { importCommand } from './import.js';
import { loadTrackingCommand } from './load-tracking.js';
import { runPipelineCommand } from './run-pipeline.js';
import { statusCommand } from './status.js';

/**
 * Every command of the CLI, in the order `--help` lists them. A new command is one file in
 * this folder exporting a {@link CliCommand}, plus one line here.
 */
export const COMMANDS: readonly CliCommand[] = [
  statusCommand,
  generateCommand,
  importCommand,
  loadTrackingCommand,
  convertTrackingCommand,
  extractCourseCommand,
  exportCommand,
  anonymizeCommand,
  runPipelineCommand,
  demoCommand,
];
