import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

// Inside workerd (the Workers runtime, via @cloudflare/vitest-pool-workers): the tfjs build's Worker entry from the
// root wrangler.toml (env `size224`: src/worker.ts), with the precompiled wasm-SIMD module and the bundled weights,
// called through `exports.default`. The int8 engine's (the default build's engine) are vitest.workers-onnx.config.ts.
export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${repoRoot}/wrangler.toml`, environment: 'size224' },
    }),
  ],
  // The repo root, not this package: workerd's module loader cannot follow vite's `/@fs/` paths, which is what
  // the wasm binary in the hoisted node_modules/ would get if it lay outside the root.
  test: {
    root: repoRoot,
    name: 'edge-api-workerd',
    include: ['packages/edge-api/src/**/*.workerd.test.ts'],
    globalSetup: ['packages/edge-api/test/ensure-weights.global.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
