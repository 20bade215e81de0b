import { defineProject } from 'vitest/config';

// Cross-package end-to-end tests (real processes, real HTTP).
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
