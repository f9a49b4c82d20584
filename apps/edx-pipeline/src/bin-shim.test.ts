import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const shim = fileURLToPath(new URL('../bin/edx-pipeline.js', import.meta.url));

describe('bin/edx-pipeline.js', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('says to build, in one line, and exits 1 when dist is missing', () => {
    dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-shim-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(shim, join(dir, 'bin', 'edx-pipeline.js'));
    const result = spawnSync(process.execPath, [join(dir, 'bin', 'edx-pipeline.js'), 'status'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'edx-pipeline: the CLI is not built yet; run `npm run build` at the repository root first\n',
    );
  });
});
