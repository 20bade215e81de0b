import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

// Inside workerd, the LiteRT.js engine's build at 100 px (the default build): wrangler.toml's top level
// (src/worker.litert-int8-size100.ts with LiteRT's relaxed-SIMD wasm precompiled by
// the runtime and the int8 .tflite model bundled). One config per build, since a pool runs one Worker entry.
export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${repoRoot}/wrangler.toml` },
    }),
  ],
  // The repo root, not this package: as in vitest.workers.config.ts (workerd cannot follow vite's `/@fs/` paths).
  test: {
    root: repoRoot,
    name: 'edge-api-workerd-litert',
    include: ['packages/edge-api/src/**/*.workerd-litert.test.ts'],
    // the glue's ES-module copy that wrangler.toml's [alias] names, and the model (wrangler's build command does
    // not run here)
    globalSetup: ['packages/edge-api/test/ensure-litert.global.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
