/**
 * The shared real data: real sample files from other projects, read in place and never
 * copied into the repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentHas } from './environment.js';

const beside = fileURLToPath(new URL('../../../../shared/realdata', import.meta.url));

/**
 * `../shared/realdata` beside the repository (the same from `src/` and `dist/`), or the
 * folder that `EDX_REALDATA` names.
 */
export const REALDATA: string =
  process.env['EDX_REALDATA'] !== undefined && process.env['EDX_REALDATA'] !== ''
    ? process.env['EDX_REALDATA']
    : beside;

/**
 * True when {@link REALDATA} exists. When it does not, the skip is printed once per run,
 * and a strict run (CI) fails as soon as a test file imports this package.
 */
export const HAS_REALDATA: boolean = environmentHas(
  'real data',
  existsSync(REALDATA) ? undefined : `${REALDATA} not found (set EDX_REALDATA to its folder)`,
);

/** The edx-analytics-pipeline acceptance fixtures (data-package files, tracking logs, dumps). */
export const PIPELINE_FIXTURES: string = join(
  REALDATA,
  'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures',
);

/** `input/` of {@link PIPELINE_FIXTURES}: real mysqldump files, tracking logs, `obfuscation/state`. */
export const PIPELINE_INPUT: string = join(PIPELINE_FIXTURES, 'input');

/** `input/obfuscation/state` of {@link PIPELINE_FIXTURES}: a data package, one file per table. */
export const PIPELINE_STATE_INPUT: string = join(PIPELINE_INPUT, 'obfuscation/state');
