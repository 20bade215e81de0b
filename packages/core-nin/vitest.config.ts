import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core-nin',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'gpu-kit/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
