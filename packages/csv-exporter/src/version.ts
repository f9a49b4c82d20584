import { readFileSync } from 'node:fs';

/** The version in this package's package.json (read from `src/` in tests, `dist/` once built). */
function readVersion(): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
      const { version } = manifest;
      if (typeof version === 'string') return version;
    }
  } catch {
    // a bundled copy without its package.json
  }
  return '0.0.0';
}

/** The version of `@edx-data/csv-exporter` that wrote an export (in its manifest). */
export const PACKAGE_VERSION: string = readVersion();
