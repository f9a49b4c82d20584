import { defineConfig } from 'vitest/config';

// One `vitest run` at the root runs every project; each project has its own config.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'tools/test-support/vitest.config.ts',
    ],
  },
});
