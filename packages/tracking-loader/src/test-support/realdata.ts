import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `../shared/realdata` beside the repository (real sample files from other projects; read
 * from there, never copied). CI always has it; `EDX_REALDATA` points elsewhere.
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
if (!HAS_REALDATA) {
  console.log(`real data: skipped (${REALDATA} not found; set EDX_REALDATA)`);
}
