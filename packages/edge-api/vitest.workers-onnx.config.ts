import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

// Inside workerd, the int8 engine's build: wrangler.toml's `onnx-int8` environment (src/worker.onnx-int8.ts with
// onnxruntime-web's wasm precompiled by the runtime and the int8 ONNX model bundled). The tfjs build's tests are
// vitest.workers.config.ts; one config per build, since a pool runs one Worker entry.
export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${repoRoot}/wrangler.toml`, environment: 'onnx-int8' },
    }),
  ],
  // The repo root, not this package: as in vitest.workers.config.ts (workerd cannot follow vite's `/@fs/` paths).
  test: {
    root: repoRoot,
    name: 'edge-api-workerd-onnx',
    include: ['packages/edge-api/src/**/*.workerd-onnx.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
