import { defineConfig } from 'vitest/config';

// One `npm test` runs every package's suite: each package owns its vitest config (the edge has a second one
// that runs inside workerd), and test/ holds the cross-package end-to-end tests.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest*.config.ts', 'test/vitest.config.ts'],
  },
});
