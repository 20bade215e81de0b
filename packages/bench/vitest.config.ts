import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bench',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The runner and CLI tests start real child processes that load tfjs and onnxruntime.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
