import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'node-tools',
    include: ['src/**/*.test.ts'],
    // The launcher's tests start Chromium (or a browser that never answers, for 3 s) on a shared 2-core machine.
    testTimeout: 60_000,
  },
});
