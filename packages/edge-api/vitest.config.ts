import { defineProject } from 'vitest/config';

// Node side: the runtime-agnostic app with a stub classifier and with the real core (tfjs wasm SIMD under Node).
// The same app inside workerd is vitest.workers.config.ts.
export default defineProject({
  test: {
    name: 'edge-api',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/*.workerd.test.ts', '**/*.workerd-onnx.test.ts', '**/*.workerd-litert.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
