import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@edx-data/source'] } },
  test: {
    name: '@edx-data/test-support',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
