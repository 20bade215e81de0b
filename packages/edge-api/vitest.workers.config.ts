import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

// Inside workerd (the Workers runtime, via @cloudflare/vitest-pool-workers): the real Worker entry from the root
// wrangler.toml, with the precompiled wasm-SIMD module and the bundled weights, called through `exports.default`.
export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${repoRoot}/wrangler.toml` },
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
