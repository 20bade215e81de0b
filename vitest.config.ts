import { defineConfig } from 'vitest/config';

// One `npm test` runs every package's suite: each package owns its vitest config (the edge has a second one
// that runs inside workerd), and test/ holds the cross-package end-to-end tests.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest*.config.ts', 'test/vitest.config.ts'],
    // The edge app's one JSON log line per request (tested in request-log.test.ts) would drown every suite that
    // sends the Worker hundreds of requests.
    onConsoleLog: (log) => (log.includes('"event":"request"') ? false : undefined),
  },
});
