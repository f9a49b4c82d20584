#!/usr/bin/env node
// The installed command. The CLI itself is compiled TypeScript in ../dist.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
const BUILD_HINT = 'run `npm run build` at the repository root first';

if (existsSync(main)) {
  try {
    await import(main.href);
  } catch (error) {
    // Only errors while loading the modules land here (run() reports its own).
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND';
    const message = String(error?.message ?? error).split('\n')[0];
    process.stderr.write(
      missing
        ? `edx-pipeline: part of the toolkit is not built (${message}); ${BUILD_HINT}\n`
        : `edx-pipeline: cannot start: ${message}\n`,
    );
    if (process.env.EDX_DEBUG === '1') process.stderr.write(`${error?.stack ?? ''}\n`);
    process.exitCode = 1;
  }
} else {
  process.stderr.write(`edx-pipeline: the CLI is not built yet; ${BUILD_HINT}\n`);
  process.exitCode = 1;
}
