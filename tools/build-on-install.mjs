#!/usr/bin/env node
// Runs on `npm ci` / `npm install` (the root `prepare` script): compiles every library and
// the CLI with TypeScript's build mode, so that `npx edx-pipeline …` works right after a
// fresh install. Incremental: a second run with no changes takes a second or two.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.log('edx-data: TypeScript is not installed (production install?); skipping the build.');
  process.exit(0);
}
const configs = [];
for (const group of ['packages', 'apps']) {
  const folder = join(root, group);
  if (!existsSync(folder)) continue;
  for (const name of readdirSync(folder).sort()) {
    const config = join(group, name, 'tsconfig.lib.json');
    if (existsSync(join(root, config))) configs.push(config);
  }
}
const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '--build', ...configs], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('edx-data: the build failed (see above); `npm run build` retries it.');
  process.exit(result.status ?? 1);
}
console.log(
  `edx-data: built ${configs.length} projects in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
