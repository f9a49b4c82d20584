import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `../shared/realdata` beside the repository (real sample files from other projects; read
 * from there, never copied). `EDX_REALDATA` points elsewhere.
 */
export const REALDATA =
  process.env['EDX_REALDATA'] ??
  resolve(
    join(
      dirname(fileURLToPath(import.meta.url)),
      '..',
      '..',
      '..',
      '..',
      '..',
      'shared',
      'realdata',
    ),
  );

export const HAS_REALDATA = existsSync(REALDATA);

/** The edx-analytics-pipeline acceptance fixtures (data-package format). */
export const PIPELINE_FIXTURES = join(
  REALDATA,
  'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures',
);

/** `input/obfuscation/state`: one TSV file per table, as in a real package. */
export const STATE_INPUT = join(PIPELINE_FIXTURES, 'input/obfuscation/state');
